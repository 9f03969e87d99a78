using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Infrastructure.Outbox;
using Sas.Domain.Time;

namespace Sas.Api.Notifications;

public sealed record WebhookInput(string? Url = null, string? Secret = null, string[]? Events = null);

public sealed record WebhookDto(string Url, string[] Events);

public sealed record DeliveryDto(long Id, string EventId, string EventType, string Status, int Attempts, string NextAttemptAt, string? LastError, string CreatedAt, string? DeliveredAt);

public static class WebhookEndpoints
{
    public static readonly string[] Events = [EventTypes.BookingCreated, EventTypes.BookingCancelled, EventTypes.BookingOutcome, EventTypes.SlotExpired];

    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder v1)
    {
        var webhooks = v1.MapGroup("/webhooks").WithTags("Notifications");
        webhooks.MapPut("/", PutWebhook).WithName(nameof(PutWebhook)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Set this client's webhook endpoint, secret and events (any integration client)").ProducesProblems(422);
        webhooks.MapGet("/", GetWebhook).WithName(nameof(GetWebhook))
            .WithSummary("This client's webhook endpoint and events (the secret is never shown)").ProducesProblems(404);
        webhooks.MapGet("/deliveries", ListDeliveries).WithName(nameof(ListDeliveries))
            .WithSummary("This client's deliveries, e.g. ?status=failed (admin: every client's)").ProducesProblems(422);
        webhooks.MapPost("/deliveries/{id:long}/retry", RetryDelivery).WithName(nameof(RetryDelivery)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Send a failed delivery again, from its first attempt").ProducesProblems(404);
        return v1;
    }

    public static async Task<Results<Created<WebhookDto>, Ok<WebhookDto>, ProblemHttpResult>> PutWebhook(
        WebhookInput input, ClaimsPrincipal user, WebhookStore store, IWebHostEnvironment env, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (errors.Required(input.Url, "url") && !IsAcceptableUrl(input.Url, env)) errors.Add("url", env.IsProduction() ? "must be an absolute https URL" : "must be an absolute https URL, or http on loopback");
        if (errors.Required(input.Secret, "secret") && input.Secret.Length is < 16 or > 200) errors.Add("secret", "must be 16 to 200 characters");
        var events = input.Events?.Distinct().ToArray() ?? [];
        if (errors.Required(input.Events, "events") && events.Length == 0) errors.Add("events", "must list at least one event");
        for (var i = 0; i < events.Length; i++)
            if (!Events.Contains(events[i])) errors.Add($"events[{i}]", $"must be one of {string.Join(", ", Events)}");
        if (errors.Any) return errors.ToProblem();

        var created = await store.UpsertAsync(Caller.From(user), input.Url!, input.Secret!, events, ct);
        var dto = new WebhookDto(input.Url!, events);
        return created ? TypedResults.Created("/v1/webhooks", dto) : TypedResults.Ok(dto);
    }

    public static async Task<Results<Ok<WebhookDto>, ProblemHttpResult>> GetWebhook(ClaimsPrincipal user, WebhookStore store, CancellationToken ct)
    {
        var row = await store.GetAsync(Caller.From(user).ClientId, ct);
        return row is null
            ? Problems.NotFound("webhook_not_found", "This client has no webhook; set one with PUT /v1/webhooks.")
            : TypedResults.Ok(new WebhookDto(row.Url, Clients.ClientStore.ParseScope(row.Events)));
    }

    public static async Task<Results<Ok<Page<DeliveryDto>>, ProblemHttpResult>> ListDeliveries(
        string? status, int? limit, string? after, ClaimsPrincipal user, WebhookStore store, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (status is not (null or "pending" or "delivered" or "failed")) errors.Add("status", "must be pending, delivered or failed");
        if (!Paging.IsValidLimit(limit)) errors.Add("limit", $"must be between 1 and {Paging.MaxLimit}");
        if (!Paging.TryDecodeId(after, out var afterId)) errors.Add("after", "is not a cursor this API gave");
        if (errors.Any) return errors.ToProblem();

        var caller = Caller.From(user);
        var take = Paging.Limit(limit);
        var rows = await store.ListAsync(caller.IsAdmin ? null : caller.ClientId, status, afterId, take + 1, ct);
        var page = rows.Take(take).Select(r => new DeliveryDto(r.Id, r.EventId, r.EventType, r.Status, (int)r.Attempts, Instants.Format(r.NextAttemptAt),
            r.LastError, Instants.Format(r.CreatedAt), r.DeliveredAt is { } at ? Instants.Format(at) : null)).ToList();
        return TypedResults.Ok(new Page<DeliveryDto>(page, rows.Count > take ? Paging.EncodeId(page[^1].Id) : null));
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> RetryDelivery(long id, ClaimsPrincipal user, WebhookStore store, CancellationToken ct)
    {
        return await store.RetryAsync(id, Caller.From(user), ct)
            ? TypedResults.Accepted($"/v1/webhooks/deliveries?status=pending")
            : Problems.NotFound("delivery_not_found", "No failed delivery of this client has this id.");
    }

    /// <summary>https anywhere; plain http only to this machine and never in Production (a practice's dev box).</summary>
    private static bool IsAcceptableUrl(string? url, IWebHostEnvironment env)
    {
        if (url is null || url.Length > 500 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo)) return false;
        if (uri.Scheme == Uri.UriSchemeHttps) return true;
        return uri.Scheme == Uri.UriSchemeHttp && !env.IsProduction()
            && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
    }
}
