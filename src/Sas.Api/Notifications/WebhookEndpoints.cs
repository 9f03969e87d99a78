using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Infrastructure.Outbox;
using Sas.Domain.Time;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Notifications;

public sealed record WebhookInput([property: Required] string? Url = null, [property: Required] string? Secret = null, [property: Required] string[]? Events = null);

public sealed record WebhookDto(string Url, string[] Events);

/// <summary>One event's delivery to one recipient: <paramref name="Client"/> is the receiving client's id, or <c>sas-platform</c>.</summary>
public sealed record DeliveryDto(long Id, string Client, string EventId, string EventType, string Status, int Attempts, string NextAttemptAt, string? LastError, string CreatedAt, string? DeliveredAt);

public static class WebhookEndpoints
{
    public static readonly string[] Events = EventTypes.All;

    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder v1)
    {
        var webhooks = v1.MapGroup("/webhooks").WithTags("Notifications");
        webhooks.MapPut("/", PutWebhook).WithName(nameof(PutWebhook)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Set this client's webhook endpoint, secret and events (any integration client)").ProducesErrors(E.ValidationFailed, E.WebhookTargetRefused, E.WebhookNotVerified);
        webhooks.MapGet("/", GetWebhook).WithName(nameof(GetWebhook))
            .WithSummary("This client's webhook endpoint and events (the secret is never shown)").ProducesErrors(E.WebhookNotFound);
        webhooks.MapGet("/deliveries", ListDeliveries).WithName(nameof(ListDeliveries))
            .WithSummary("This client's deliveries, e.g. ?status=failed (admin: every client's)").ProducesErrors(E.ValidationFailed);
        webhooks.MapPost("/deliveries/{id:long}/retry", RetryDelivery).WithName(nameof(RetryDelivery)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Send a failed delivery again, from its first attempt").ProducesErrors(E.DeliveryNotFound);
        return v1;
    }

    public readonly record struct PutServices(WebhookStore Store, WebhookTargets Targets, WebhookVerifier Verifier, IWebHostEnvironment Env);

    /// <summary>
    /// Sets the caller's webhook once its URL is acceptable (https; public addresses only, unless an allowed on-premise host)
    /// and verified: the receiver echoes the challenge of a signed <c>webhook.verification</c> event.
    /// </summary>
    public static async Task<Results<Created<WebhookDto>, Ok<WebhookDto>, ProblemHttpResult>> PutWebhook(
        WebhookInput input, ClaimsPrincipal user, [AsParameters] PutServices s, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        Uri? uri = null;
        if (errors.Required(input.Url, "url") && (uri = AcceptableUrl(input.Url, s.Targets, s.Env)) is null)
            errors.Add("url", s.Env.IsProduction() ? "must be an absolute https URL" : "must be an absolute https URL (http only for a host of Webhooks:AllowedPrivateHosts)");
        if (errors.Required(input.Secret, "secret") && input.Secret.Length is < 16 or > 200) errors.Add("secret", "must be 16 to 200 characters");
        var events = input.Events?.Distinct().ToArray() ?? [];
        if (errors.Required(input.Events, "events") && events.Length == 0) errors.Add("events", "must list at least one event");
        for (var i = 0; i < events.Length; i++)
            if (!Events.Contains(events[i])) errors.Add($"events[{i}]", $"must be one of {string.Join(", ", Events)}");
        if (errors.Any) return errors.ToProblem();

        try
        {
            if ((await s.Targets.AllowedAddressesAsync(uri!.Host, ct)).Length == 0)
                return Problems.Field("url", "resolves only to private, loopback, link-local or reserved addresses: an on-premise receiver must be named in Webhooks:AllowedPrivateHosts", E.WebhookTargetRefused);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return Problems.Field("url", "has a host name that does not resolve", E.WebhookTargetRefused);
        }
        if (await s.Verifier.VerifyAsync(input.Url!, input.Secret!, ct) is { } failed)
            return Problems.Field("url", failed + ": answer the challenge of the webhook.verification event (see the README)", E.WebhookNotVerified);

        var created = await s.Store.UpsertAsync(Caller.From(user), input.Url!, input.Secret!, events, ct);
        var dto = new WebhookDto(input.Url!, events);
        return created ? TypedResults.Created("/v1/webhooks", dto) : TypedResults.Ok(dto);
    }

    public static async Task<Results<Ok<WebhookDto>, ProblemHttpResult>> GetWebhook(ClaimsPrincipal user, WebhookStore store, CancellationToken ct)
    {
        var row = await store.GetAsync(Caller.From(user).ClientId, ct);
        return row is null
            ? Problems.Of(E.WebhookNotFound, "This client has no webhook; set one with PUT /v1/webhooks.")
            : TypedResults.Ok(new WebhookDto(row.Url, Clients.ClientStore.ParseScope(row.Events)));
    }

    /// <summary>A client's own deliveries; an admin sees every recipient's, or one's with <c>client</c> (<c>sas-platform</c>: the national platform).</summary>
    public static async Task<Results<Ok<Page<DeliveryDto>>, ProblemHttpResult>> ListDeliveries(
        string? status, string? client, int? limit, string? after, ClaimsPrincipal user, WebhookStore store, CancellationToken ct)
    {
        var caller = Caller.From(user);
        if (client is not null && !caller.IsAdmin && client != caller.ClientId) return Problems.Of(E.ForbiddenScope, "Only an admin lists another recipient's deliveries.");
        var errors = new ValidationErrors();
        errors.Text("client", client, 64, required: false);
        if (status is not (null or "pending" or "delivered" or "failed")) errors.Add("status", "must be pending, delivered or failed");
        if (!Paging.IsValidLimit(limit)) errors.Add("limit", $"must be between 1 and {Paging.MaxLimit}");
        if (!Paging.TryDecodeId(after, out var afterId)) errors.Add("after", "is not a cursor this API gave");
        if (errors.Any) return errors.ToProblem();

        var take = Paging.Limit(limit);
        var rows = await store.ListAsync(caller.IsAdmin ? client : caller.ClientId, status, afterId, take + 1, ct);
        var page = rows.Take(take).Select(r => new DeliveryDto(r.Id, r.ClientId, r.EventId, r.EventType, r.Status, (int)r.Attempts, Instants.Format(r.NextAttemptAt),
            r.LastError, Instants.Format(r.CreatedAt), r.DeliveredAt is { } at ? Instants.Format(at) : null)).ToList();
        return TypedResults.Ok(new Page<DeliveryDto>(page, rows.Count > take ? Paging.EncodeId(page[^1].Id) : null));
    }

    /// <summary>Sends a failed delivery again: at once (a dispatch is queued), then with the usual backoff if it fails.</summary>
    public static async Task<Results<Accepted, ProblemHttpResult>> RetryDelivery(long id, ClaimsPrincipal user, WebhookStore store, Jobs.DispatchTrigger dispatch, CancellationToken ct)
    {
        if (!await store.RetryAsync(id, Caller.From(user), ct)) return Problems.Of(E.DeliveryNotFound);
        dispatch.Now();
        return TypedResults.Accepted($"/v1/webhooks/deliveries?status=pending");
    }

    /// <summary>https; plain http only outside Production and only to an allowed on-premise host (a practice's test box).</summary>
    private static Uri? AcceptableUrl(string url, WebhookTargets targets, IWebHostEnvironment env)
    {
        if (url.Length > 500 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo)) return null;
        if (uri.Scheme == Uri.UriSchemeHttps) return uri;
        return uri.Scheme == Uri.UriSchemeHttp && !env.IsProduction() && targets.IsAllowedPrivateHost(uri.Host) ? uri : null;
    }
}
