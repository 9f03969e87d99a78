using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization.Policy;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Fhir;

/// <summary>The SAS platform is a FHIR client: a refusal under <c>/fhir</c> is an OperationOutcome, not problem+json.</summary>
internal sealed class FhirRefusalWriter : IRefusalWriter
{
    public PathString Path => FhirSetup.Path;

    public async Task<bool> WriteAsync(HttpContext context, PolicyAuthorizationResult result)
    {
        // A certificate was presented and refused: counted by reason (the handler's warnings are filtered out).
        if (result.Challenged && (await context.AuthenticateAsync(PlatformCertificates.SchemeName)).Failure is { } refused)
            context.RequestServices.GetRequiredService<Infrastructure.Telemetry.SasMetrics>().CertificateRefused(refused.Message);
        await new FhirResult(result.Challenged ? 401 : 403, FhirResult.Outcome(
            result.Challenged ? OperationOutcome.IssueType.Login : OperationOutcome.IssueType.Forbidden,
            result.Challenged
                ? "Mutual TLS required: present the SAS platform's IGC-Santé client certificate."
                : "This caller may not read the FHIR interface.")).ExecuteAsync(context);
        return true;
    }
}
