using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Fhir;

/// <summary>
/// Authenticates the SAS platform by its TLS client certificate (sent by Kestrel's handshake, or
/// forwarded by a TLS-terminating proxy). Success gives the <c>sas_platform</c> role, which opens
/// <c>/fhir</c> and nothing else.
/// </summary>
public sealed class ClientCertificateAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PlatformCertificates certificates)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "SasPlatformCertificate";
    public const string Role = "sas_platform";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var certificate = await Context.Connection.GetClientCertificateAsync(Context.RequestAborted);
        if (certificate is null) return AuthenticateResult.NoResult();
        var verdict = certificates.Check(certificate);
        if (!verdict.Accepted)
        {
            // The subject and thumbprint identify a machine, not a patient: safe to log, and what an operator needs.
            Logger.LogWarning("Client certificate refused: {Reason} (subject {Subject}, thumbprint {Thumbprint})",
                verdict.Reason, certificate.Subject, certificate.Thumbprint);
            return AuthenticateResult.Fail(verdict.Reason);
        }
        var identity = new ClaimsIdentity(
            [new Claim(SasClaims.ClientId, "sas-platform:" + verdict.CommonName), new Claim(SasClaims.Role, Role)],
            SchemeName, SasClaims.ClientId, SasClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
