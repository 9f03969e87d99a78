using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Sas.Api.Tests.Support;

/// <summary>
/// The receivers' side of URL verification: a <c>webhook.verification</c> event is answered with the hex HMAC-SHA256,
/// keyed with the webhook's secret, of its challenge (computed here as a receiver would, not with the API's own helper).
/// </summary>
public static class WebhookChallenge
{
    /// <summary>The secret every test receiver that does not check signatures holds.</summary>
    public const string DefaultSecret = "a-long-enough-webhook-secret";

    /// <summary>Answers the challenge and says so; false for any other event.</summary>
    public static async Task<bool> AnswerAsync(HttpContext ctx, byte[] body, string secret = DefaultSecret)
    {
        if (ctx.Request.Headers["Sas-Event-Type"].ToString() != "webhook.verification") return false;
        using var json = JsonDocument.Parse(body);
        var challenge = json.RootElement.GetProperty("data").GetProperty("challenge").GetString()!;
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var answer = Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes(challenge)));
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(JsonSerializer.Serialize(new { answer }), Encoding.UTF8);
        return true;
    }
}
