namespace Sas.Api.Infrastructure.Errors;

/// <summary>One stable error code: the status it comes with and what it means to a client.</summary>
public sealed record ErrorCode(string Code, int Status, string Meaning)
{
    /// <summary>The problem's <c>type</c>: the code's section of the error page this API serves (a relative reference, RFC 9457 §3.1.1).</summary>
    public string Type => ErrorCodes.Page + "#" + Code;
}

/// <summary>
/// Every code a problem answer may carry. Operations list theirs (<c>x-error-codes</c> in openapi.yaml), the error page
/// (<c>docs/errors.md</c>, served at <see cref="Page"/>) is written from this list, and the tests check both.
/// </summary>
public static class ErrorCodes
{
    public const string Page = "/docs/errors";

    // Any operation
    public static readonly ErrorCode MalformedRequest = new("malformed_request", 400, "The request cannot be read: JSON that does not parse, a wrong type, an unknown or repeated field, a parameter that is not a number. `errors` names the field.");
    public static readonly ErrorCode BadRequest = new("bad_request", 400, "The request was refused before it reached the API's own checks.");
    public static readonly ErrorCode Unauthenticated = new("unauthenticated", 401, "No credentials, or an unknown, revoked or invalid API key or token.");
    public static readonly ErrorCode ForbiddenScope = new("forbidden_scope", 403, "The caller's role or scope does not cover this resource or operation.");
    public static readonly ErrorCode NotFound = new("not_found", 404, "No such route.");
    public static readonly ErrorCode MethodNotAllowed = new("method_not_allowed", 405, "The route exists, not with this method.");
    public static readonly ErrorCode PayloadTooLarge = new("payload_too_large", 413, "The body is larger than `Limits:MaxBodyBytes`.");
    public static readonly ErrorCode UriTooLong = new("uri_too_long", 414, "The path and query are longer than 8 kB.");
    public static readonly ErrorCode UnsupportedMediaType = new("unsupported_media_type", 415, "The body is not `application/json`.");
    public static readonly ErrorCode ValidationFailed = new("validation_failed", 422, "One or more fields are missing or not valid: `errors` names every one, under its full path (`patient.lastName`, `slots[3].start`).");
    public static readonly ErrorCode RateLimited = new("rate_limited", 429, "Too many requests from this client, or too many unknown API keys from this address: wait for `Retry-After` seconds.");
    public static readonly ErrorCode InternalError = new("internal_error", 500, "A fault of the API; the `traceId` finds it in the logs.");
    public static readonly ErrorCode StorageUnavailable = new("storage_unavailable", 503, "The database cannot answer or store data for now (disk full, read-only, restarting, out of connections, unreachable): nothing of the request was kept; retry after `Retry-After` seconds.");

    // Territory, GPs, clients
    public static readonly ErrorCode SectorNotFound = new("sector_not_found", 404, "No sector has this code.");
    public static readonly ErrorCode CptsNotFound = new("cpts_not_found", 404, "No CPTS has this FINESS.");
    public static readonly ErrorCode CommuneNotFound = new("commune_not_found", 404, "No commune has this INSEE code.");
    public static readonly ErrorCode PostalCodeNotFound = new("postal_code_not_found", 404, "No commune has this postal code.");
    public static readonly ErrorCode PractitionerNotFound = new("practitioner_not_found", 404, "No GP is registered with this RPPS.");
    public static readonly ErrorCode SiteInUse = new("site_in_use", 422, "A replacement of a GP leaves out a practice site that live slots still use: withdraw them first, or keep the site.");
    public static readonly ErrorCode ClientNotFound = new("client_not_found", 404, "No integration client has this id.");
    public static readonly ErrorCode KeyNotFound = new("key_not_found", 404, "This client has no live API key with this id.");

    // Slots
    public static readonly ErrorCode SlotNotFound = new("slot_not_found", 404, "No slot has this id.");
    public static readonly ErrorCode SlotOverlap = new("slot_overlap", 422, "Two slots of the GP at the same site would overlap; `errors` names the two times.");
    public static readonly ErrorCode TooManySlots = new("too_many_slots", 422, "A sync lists more slots than it takes (2,000): split the window.");
    public static readonly ErrorCode ExternalIdExists = new("external_id_exists", 409, "The GP already has a slot with this `externalId`: change it with a sync.");
    public static readonly ErrorCode RuleNotFound = new("rule_not_found", 404, "No availability rule with this id here (this GP's, or this CPTS's rota).");
    public static readonly ErrorCode SlotExpired = new("slot_expired", 409, "The slot has started: it cannot be withdrawn, it stays in the statistics.");

    // Holds and bookings
    public static readonly ErrorCode SlotBooked = new("slot_booked", 409, "The slot is booked, or changed meanwhile (moved to another sector, say): search again.");
    public static readonly ErrorCode SlotHeld = new("slot_held", 409, "Another regulator holds the slot.");
    public static readonly ErrorCode HoldIdRequired = new("hold_id_required", 409, "This client holds the slot: send its `holdId` to book it.");
    public static readonly ErrorCode HoldExpired = new("hold_expired", 409, "The hold named has lapsed or was released: hold the slot again, or book it without a `holdId` while it is free.");
    public static readonly ErrorCode HoldNotRenewable = new("hold_not_renewable", 409, "This client's hold on the slot ended less than a hold period ago: a hold is not renewed; book the slot without one while it is free.");
    public static readonly ErrorCode HoldNotFound = new("hold_not_found", 404, "No live hold of this client has this id.");
    public static readonly ErrorCode SlotWithdrawn = new("slot_withdrawn", 410, "The GP has withdrawn the slot.");
    public static readonly ErrorCode SlotStarted = new("slot_started", 422, "The slot starts within the cut-off (10 minutes) or has started.");
    public static readonly ErrorCode OutsideBookingHorizon = new("outside_booking_horizon", 422, "The slot starts beyond its sector's booking horizon.");
    public static readonly ErrorCode OverflowFull = new("overflow_full", 409, "The GP's overflow places for the day are all taken.");
    public static readonly ErrorCode IdempotencyKeyRequired = new("idempotency_key_required", 422, "A booking needs an `Idempotency-Key` header (1 to 200 characters), one per booking attempt.");
    public static readonly ErrorCode IdempotencyKeyReused = new("idempotency_key_reused", 422, "This `Idempotency-Key` was used within 24 hours for another request: use a new key for a new booking.");
    public static readonly ErrorCode BookingNotFound = new("booking_not_found", 404, "No booking has this id.");
    public static readonly ErrorCode BookingCancelled = new("booking_cancelled", 409, "The booking is cancelled.");
    public static readonly ErrorCode OutcomeRecorded = new("outcome_recorded", 409, "The consultation's outcome is recorded: it is final, and the booking can no longer be cancelled.");
    public static readonly ErrorCode OverflowNotMovable = new("overflow_not_movable", 409, "An overflow booking has no slot to move from: cancel it and book the slot.");
    public static readonly ErrorCode RequestNotFound = new("request_not_found", 404, "No pooled request has this id that this client may see.");
    public static readonly ErrorCode RequestClosed = new("request_closed", 409, "The pooled request is no longer open: another professional accepted it, its regulator withdrew it, or its window ended.");
    public static readonly ErrorCode NobodyInPool = new("nobody_in_pool", 409, "No professional of this profession takes pooled requests in this territory at this hour: nothing was posted; phone around, or book an overflow place.");
    public static readonly ErrorCode PoolNeedsOverflow = new("pool_needs_overflow", 409, "The professional takes no overflow patients (`overflowPerDay` 0): an accepted request becomes an overflow booking, so set `overflowPerDay` first.");
    public static readonly ErrorCode ConsultationNotStarted = new("consultation_not_started", 422, "An outcome is recorded once the consultation has started.");

    // Webhooks
    public static readonly ErrorCode WebhookNotFound = new("webhook_not_found", 404, "This client has no webhook.");
    public static readonly ErrorCode WebhookTargetRefused = new("webhook_target_refused", 422, "The webhook's host does not resolve, or only to private, loopback, link-local or reserved addresses (an on-premise receiver must be named in `Webhooks:AllowedPrivateHosts`).");
    public static readonly ErrorCode WebhookNotVerified = new("webhook_not_verified", 422, "The URL did not answer the `webhook.verification` event, within 10 s, with the hex HMAC-SHA256 of its `data.challenge` keyed with the secret, in a 2xx body.");
    public static readonly ErrorCode DeliveryNotFound = new("delivery_not_found", 404, "No failed delivery of this client has this id.");

    // Reports
    public static readonly ErrorCode PeriodNotAligned = new("period_not_aligned", 422, "A report's `from` or `to` falls inside an hour of its sectors' local time: figures are kept per local hour.");

    public static readonly IReadOnlyList<ErrorCode> All = typeof(ErrorCodes).GetFields()
        .Where(f => f.FieldType == typeof(ErrorCode)).Select(f => (ErrorCode)f.GetValue(null)!).ToList();

    private static readonly Dictionary<string, ErrorCode> ByCode = All.ToDictionary(e => e.Code, StringComparer.Ordinal);

    public static ErrorCode? Find(string code) => ByCode.GetValueOrDefault(code);

    /// <summary>The code of a refusal the booking rules gave: the one place a domain refusal becomes an answer.</summary>
    public static ErrorCode Of(Domain.Bookings.Refusal refusal) => refusal switch
    {
        Domain.Bookings.Refusal.SlotNotFound => SlotNotFound,
        Domain.Bookings.Refusal.SlotWithdrawn => SlotWithdrawn,
        Domain.Bookings.Refusal.SlotBooked => SlotBooked,
        Domain.Bookings.Refusal.SlotHeld => SlotHeld,
        Domain.Bookings.Refusal.HoldIdRequired => HoldIdRequired,
        Domain.Bookings.Refusal.HoldExpired => HoldExpired,
        Domain.Bookings.Refusal.HoldNotRenewable => HoldNotRenewable,
        Domain.Bookings.Refusal.SlotStarted => SlotStarted,
        Domain.Bookings.Refusal.OutsideBookingHorizon => OutsideBookingHorizon,
        Domain.Bookings.Refusal.OverflowFull => OverflowFull,
        Domain.Bookings.Refusal.BookingNotFound => BookingNotFound,
        Domain.Bookings.Refusal.BookingCancelled => BookingCancelled,
        Domain.Bookings.Refusal.OutcomeRecorded => OutcomeRecorded,
        Domain.Bookings.Refusal.ConsultationNotStarted => ConsultationNotStarted,
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "a refusal without its code"),
    };

    /// <summary>docs/errors.md as it must read (a test writes it with SAS_UPDATE_OPENAPI=1 and fails when it differs).</summary>
    public static string RenderPage()
    {
        var page = new System.Text.StringBuilder();
        page.Append("# Error codes\n\n");
        page.Append("Every error of `/v1` is `application/problem+json` (RFC 9457) with a stable `code`, a `traceId`, and for\n");
        page.Append("validation an `errors` map naming each field at fault under its full path. Its `type` is this page's section\n");
        page.Append($"for the code (`{Page}#<code>`, served by the API itself). Each operation lists the codes it may answer in\n");
        page.Append("`openapi.yaml` (`x-error-codes`). The FHIR routes answer FHIR `OperationOutcome`s instead.\n\n");
        page.Append("| code | status | meaning |\n|---|---|---|\n");
        foreach (var e in All.OrderBy(e => e.Status).ThenBy(e => e.Code, StringComparer.Ordinal))
            page.Append($"| <a id=\"{e.Code}\"></a>`{e.Code}` | {e.Status} | {e.Meaning.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        return page.ToString();
    }
}
