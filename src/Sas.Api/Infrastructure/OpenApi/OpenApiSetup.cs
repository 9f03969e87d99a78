using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace Sas.Api.Infrastructure.OpenApi;

/// <summary>
/// The OpenAPI 3.1 description Swashbuckle serves, committed as <c>openapi.yaml</c>: operations, schemas and errors as
/// clients meet them (<see cref="ContractSchemaFilter"/>, <see cref="ContractOperationFilter"/>, <see cref="ContractDocumentFilter"/>).
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";
    public const string MutualTlsScheme = "SasPlatformCertificate";

    public static IServiceCollection AddSasOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "SAS booking API",
                Version = "v1",
                Description = "Unscheduled-care slots published by GPs' practice software, searched and booked by SAS regulators, reported to CPTS. "
                    + "The domain and its rules: docs/domain.md; the HTTP conventions: docs/contract.md; every error code: docs/errors.md (served at /docs/errors).",
                Contact = new OpenApiContact { Name = "SAS booking API maintainers", Url = new Uri("https://interop.esante.gouv.fr/ig/fhir/sas") },
                License = new OpenApiLicense { Name = "EUPL-1.2", Identifier = "EUPL-1.2" },
            });
            o.AddServer(new OpenApiServer { Url = "http://localhost:5080", Description = "A developer's machine: dotnet run --project src/Sas.Api (demo data)" });
            o.AddSecurityDefinition(ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = Auth.ApiKeyAuthenticationHandler.HeaderName,
                Description = "An integration client's API key.",
            });
            o.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An OIDC access token with the claims role and sas_scope, naming its client in client_id, azp or sub.",
            });
            o.AddSecurityDefinition(MutualTlsScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.MutualTLS,
                Description = "The national SAS platform's IGC-Santé client certificate (Fhir:Mtls:*).",
            });
            o.CustomSchemaIds(SchemaIds.Of);
            o.SupportNonNullableReferenceTypes();
            o.UseAllOfToExtendReferenceSchemas();
            o.SchemaFilter<ContractSchemaFilter>();
            o.OperationFilter<ContractOperationFilter>();
            o.DocumentFilter<ContractDocumentFilter>();
        });
        return services;
    }

    public static bool IsAnonymous(IList<object> metadata) => metadata.OfType<IAllowAnonymous>().Any();
}
