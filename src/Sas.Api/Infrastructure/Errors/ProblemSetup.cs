using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Sas.Api.Infrastructure.Errors;

/// <summary>
/// Makes every error answer problem+json with <c>code</c> and <c>traceId</c>: handler problems,
/// unknown routes (status code pages), malformed JSON and unbindable parameters (exception handler).
/// </summary>
public static partial class ProblemSetup
{
    public static IServiceCollection AddSasProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var problem = ctx.ProblemDetails;
            problem.Extensions["traceId"] = Activity.Current?.Id ?? ctx.HttpContext.TraceIdentifier;
            if (!problem.Extensions.ContainsKey("code"))
                problem.Extensions["code"] = DefaultCode(problem.Status ?? ctx.HttpContext.Response.StatusCode);
            // The code's own section of the error page, not a generic RFC link: what a client follows to learn what it means.
            if (problem.Extensions["code"] is string code && ErrorCodes.Find(code) is { } known) problem.Type = known.Type;
        });
        // Ours first: it writes whatever the client accepts; the framework's default writer refuses without JSON in Accept.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemJsonWriter>());
        // A feature may put its own writer first (FHIR's OperationOutcome, see FhirSetup).
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<StorageExceptionHandler>();
        // Binding failures throw, so the handler above can name the field instead of a bare 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>The page every problem's <c>type</c> points into: docs/errors.md, embedded, as Markdown.</summary>
    public static WebApplication MapErrorPage(this WebApplication app)
    {
        app.MapGet(ErrorCodes.Page, () =>
            {
                using var stream = typeof(ErrorCodes).Assembly.GetManifestResourceStream("docs.errors.md")!;
                using var reader = new StreamReader(stream);
                return TypedResults.Text(reader.ReadToEnd(), "text/markdown; charset=utf-8");
            })
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    public static WebApplication UseSasProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>
    /// Errors are <c>application/problem+json</c> whatever the client's <c>Accept</c> says (RFC 9457): a client
    /// that asked for CSV and made a mistake must still be told which, and the framework's writer, finding no
    /// JSON in Accept, made every such error an empty 500.
    /// </summary>
    private sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => true;

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            var http = context.HttpContext;
            var problem = context.ProblemDetails;
            problem.Status ??= http.Response.StatusCode;
            problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
            options.Value.CustomizeProblemDetails?.Invoke(context);
            return new ValueTask(http.Response.WriteAsJsonAsync(problem, json.Value.SerializerOptions, "application/problem+json", http.RequestAborted));
        }
    }

    /// <summary>Answers a problem+json from middleware (authorization, limits), where handlers' results are not available.</summary>
    public static Task WriteProblemAsync(this HttpContext http, ErrorCode code, string title, string detail)
    {
        http.Response.StatusCode = code.Status;
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = code.Status, Title = title, Detail = detail, Extensions = { ["code"] = code.Code } },
        }).AsTask();
    }

    public static string DefaultCode(int status) => status switch
    {
        400 => ErrorCodes.BadRequest.Code,
        401 => ErrorCodes.Unauthenticated.Code,
        403 => ErrorCodes.ForbiddenScope.Code,
        404 => ErrorCodes.NotFound.Code,
        405 => ErrorCodes.MethodNotAllowed.Code,
        409 => "conflict",
        413 => ErrorCodes.PayloadTooLarge.Code,
        414 => ErrorCodes.UriTooLong.Code,
        415 => ErrorCodes.UnsupportedMediaType.Code,
        422 => ErrorCodes.ValidationFailed.Code,
        429 => ErrorCodes.RateLimited.Code,
        _ when status >= 500 => ErrorCodes.InternalError.Code,
        _ => "error",
    };

    /// <summary>
    /// The storage refused a write (or a read failed on it): 503 with <c>Retry-After</c>, so that clients retry and the
    /// load balancer can move on; no engine message, which may name files. Logged by <see cref="Data.StorageHealth"/>.
    /// </summary>
    private sealed class StorageExceptionHandler(IProblemDetailsService problems, Data.Db db) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
        {
            if (!IsUnavailable(exception, db.Dialect)) return false;
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = ((int)Data.StorageHealth.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return await problems.TryWriteAsync(new()
            {
                HttpContext = http,
                Exception = exception,
                ProblemDetails =
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "Storage unavailable",
                    Detail = "The database cannot answer at the moment; nothing of this request was kept. Retry after the delay given.",
                    Extensions = { ["code"] = "storage_unavailable" },
                },
            });
        }
    }

    /// <summary>Whether an exception says the database could not answer (refused, unreachable, overloaded), not a fault of ours.</summary>
    public static bool IsUnavailable(Exception exception, Data.SqlDialect dialect) => exception switch
    {
        Data.StorageUnavailableException => true,
        System.Data.Common.DbException e => dialect.IsStorageRefusal(e) || dialect.IsUnavailable(e),
        _ => false,
    };

    /// <summary>Turns what the framework throws for a client's mistake into a 4xx naming the field.</summary>
    private sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
        {
            if (exception is not BadHttpRequestException bad) return false;
            var (field, message, code) = Describe(bad);
            http.Response.StatusCode = bad.StatusCode;
            var details = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == 400 ? "The request could not be read" : "The request was refused",
                Detail = field is null ? message : $"{field}: {message}",
                Extensions = { ["code"] = code },
            };
            if (field is not null) details.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
            return await problems.TryWriteAsync(new() { HttpContext = http, ProblemDetails = details, Exception = exception });
        }

        private static (string? Field, string Message, string Code) Describe(BadHttpRequestException bad)
        {
            if (bad.StatusCode != 400) return (null, bad.Message, DefaultCode(bad.StatusCode));
            if (bad.InnerException is JsonException json)
            {
                var missing = MissingProperty().Match(json.Message);
                if (missing.Success) return (missing.Groups[1].Value, "is required", "malformed_request");
                var field = FieldFromPath(json.Path);
                var reason = json.InnerException?.Message is { Length: > 0 } inner && inner.Length < 200 && !inner.Contains("System.", StringComparison.Ordinal)
                    ? inner
                    : json.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "is not a known field"
                    : json.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? "is given more than once"
                    : json.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) ? $"nests deeper than {Json.JsonSetup.MaxDepth} levels"
                    : "has the wrong type or is not valid JSON";
                return (field, reason, "malformed_request");
            }
            var parameter = ParameterName().Match(bad.Message);
            if (parameter.Success) return (JsonNamingPolicy.CamelCase.ConvertName(parameter.Groups[1].Value), bad.Message.StartsWith("Required", StringComparison.Ordinal) ? "is required" : "is not valid", "malformed_request");
            return ("body", "is missing or not valid JSON", "malformed_request");
        }

        /// <summary><c>$.slots[3].start</c> → <c>slots[3].start</c>; the root or an unknown path → <c>body</c>.</summary>
        private static string FieldFromPath(string? path) =>
            string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

        [GeneratedRegex("missing required properties including: '([^']+)'")]
        private static partial Regex MissingProperty();

        [GeneratedRegex("parameter \"(?:[^\" ]+ )?([A-Za-z0-9_]+)\"")]
        private static partial Regex ParameterName();
    }
}
