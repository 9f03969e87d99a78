using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Sas.Api.Tests.Support;

/// <summary>The receivers' side of URL verification: a <c>webhook.verification</c> event is answered with its challenge.</summary>
public static class WebhookChallenge
{
    /// <summary>Answers the challenge and says so; false for any other event.</summary>
    public static async Task<bool> AnswerAsync(HttpContext ctx, byte[] body)
    {
        if (ctx.Request.Headers["Sas-Event-Type"].ToString() != "webhook.verification") return false;
        using var json = JsonDocument.Parse(body);
        var challenge = json.RootElement.GetProperty("data").GetProperty("challenge").GetString();
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(JsonSerializer.Serialize(new { challenge }), Encoding.UTF8);
        return true;
    }
}
