using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// For every write route, a generated set of malformed requests built from a valid template: wrong types,
/// missing and extra fields, nulls, huge strings, offset-less instants, out-of-range numbers, unknown enum
/// values, SQL and script fragments, invalid UTF-8, duplicated keys. Every answer is a 4xx problem+json
/// naming the field, none is a 5xx, and every table is unchanged afterwards.
/// </summary>
public class HostileInputTests
{
    /// <summary>Fields that may legitimately be absent or null: leaving them out is not an attack.</summary>
    private static readonly HashSet<string> Optional = ["timeZone", "bookingHorizonHours", "cpts", "profession", "externalId", "label", "holdId", "ins", "regularDoctorRpps", "scope", "overflowPerDay", "practitionerRpps", "overflow", "operatorAccount"];

    /// <summary>Fields whose value is an identifier, a code or an instant: any fragment of SQL or script there is invalid.</summary>
    private static readonly HashSet<string> Identifiers = ["department", "communes", "sectors", "sector", "site", "modality", "role", "events", "by", "outcome", "origin",
        "regularDoctor", "commune", "timeZone", "cpts", "start", "end", "requestedAt", "birthDate", "phone", "url", "ins", "regularDoctorRpps"];

    private static readonly string[] Fragments = ["'; DROP TABLE slots; --", "\" OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "${jndi:ldap://x}"];

    [Fact]
    public async Task Every_write_route_answers_malformed_input_with_a_4xx_problem_and_changes_nothing()
    {
        using var api = new SasApiFactory();
        var world = new World(api);
        var sector = await world.Sector();
        var cpts = await world.Cpts(sector);
        var rpps = await world.Practitioner([sector], overflowPerDay: 1);
        var gp = await world.ClientFor("practitioner", rpps);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var held = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var holdId = (await (await api.Admin().PostAsync($"/v1/slots/{held}/hold", null)).Expect(HttpStatusCode.Created)).GetProperty("holdId").GetString()!;
        var booking = (await (await api.Admin().Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var spare = await world.PublishedSlot(rpps, TimeSpan.FromHours(4), sector);
        var ruleBody = $$"""{"site":"cab","sector":"{{sector}}","modality":"in_person","weekdays":["sunday"],"startTime":"06:00","endTime":"06:20","slotMinutes":20,"firstDay":"2026-11-01"}""";
        var rule = (await (await api.Admin().PostAsync($"/v1/practitioners/{rpps}/rules", new StringContent(ruleBody, System.Text.Encoding.UTF8, "application/json"))).Expect(HttpStatusCode.Created))
            .GetProperty("rule").GetProperty("id").GetString()!;
        await api.JoinPool(rpps);
        var request = (await (await api.Admin().Post(PooledRequests.Body(sector, profession: "general_practitioner"))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var client = await (await api.Admin().PostJson("/v1/clients", new { name = "c", role = "regulator", scope = new[] { "44" } })).Expect(HttpStatusCode.Created);
        var (clientId, keyId) = (client.GetProperty("id").GetString()!, client.GetProperty("keyId").GetString()!);
        var start = api.Clock.GetUtcNow().AddHours(5);
        string At(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:sszzz");
        var slotBody = $$"""{"start":"{{At(start)}}","end":"{{At(start.AddMinutes(20))}}","sector":"{{sector}}","site":"cab","modality":"in_person","externalId":"e1"}""";

        // route pattern → (path with valid values, valid body or null, caller)
        var routes = new Dictionary<string, (string Path, string? Body, HttpClient Caller)>
        {
            ["PUT /v1/sectors/{code}"] = ($"/v1/sectors/{sector}", $$"""{"name":"Nord","department":"44","communes":["44109"],"timeZone":"Europe/Paris","bookingHorizonHours":24,"cpts":"{{cpts}}"}""", api.Admin()),
            ["PUT /v1/cpts/{finess}"] = ($"/v1/cpts/{cpts}", $$"""{"name":"CPTS","sectors":["{{sector}}"]}""", api.Admin()),
            ["POST /v1/clients/"] = ("/v1/clients", """{"name":"x","role":"regulator","scope":["44"]}""", api.Admin()),
            ["POST /v1/clients/{id}/keys"] = ($"/v1/clients/{clientId}/keys", """{"label":"x"}""", api.Admin()),
            ["PUT /v1/clients/{id}/operators"] = ($"/v1/clients/{clientId}/operators", """{"accounts":["a"],"nationalIds":["810000000017"]}""", api.Admin()),
            ["DELETE /v1/clients/{id}/keys/{keyId}"] = ($"/v1/clients/{clientId}/keys/{keyId}", null, api.Admin()),
            ["PUT /v1/practitioners/{rpps}/"] = ($"/v1/practitioners/{rpps}", $$"""{"firstName":"A","lastName":"B","sectors":["{{sector}}"],"sites":[{"id":"cab","name":"Cabinet","address":"1 rue","commune":"44109","postalCode":"44000"}],"profession":"general_practitioner","overflowPerDay":1}""", api.Admin()),
            ["POST /v1/practitioners/{rpps}/rules/"] = ($"/v1/practitioners/{rpps}/rules", ruleBody, api.Admin()),
            ["DELETE /v1/practitioners/{rpps}/rules/{ruleId}"] = ($"/v1/practitioners/{rpps}/rules/{rule}", null, api.Admin()),
            ["PUT /v1/practitioners/{rpps}/rules/{ruleId}"] = ($"/v1/practitioners/{rpps}/rules/{rule}", ruleBody, api.Admin()),
            ["POST /v1/cpts/{finess}/rota/"] = ($"/v1/cpts/{cpts}/rota", $$"""{"practitioner":"{{rpps}}","rule":{{ruleBody}}}""", api.Admin()),
            ["PUT /v1/cpts/{finess}/rota/{ruleId}"] = ($"/v1/cpts/{cpts}/rota/{rule}", ruleBody, api.Admin()),
            ["DELETE /v1/cpts/{finess}/rota/{ruleId}"] = ($"/v1/cpts/{cpts}/rota/{rule}", null, api.Admin()),
            ["POST /v1/practitioners/{rpps}/slots/"] = ($"/v1/practitioners/{rpps}/slots", slotBody, api.Admin()),
            ["PUT /v1/practitioners/{rpps}/slots/"] = ($"/v1/practitioners/{rpps}/slots?from={World.Instant(start.AddHours(-1))}&to={World.Instant(start.AddDays(1))}", $$"""{"slots":[{{slotBody}}]}""", api.Admin()),
            ["DELETE /v1/slots/{id:long}"] = ($"/v1/slots/{held}", null, api.Admin()),
            ["POST /v1/slots/{id:long}/hold"] = ($"/v1/slots/{slot}/hold", null, api.Admin()),
            ["DELETE /v1/holds/{holdId}"] = ($"/v1/holds/{holdId}", null, api.Admin()),
            ["POST /v1/bookings/"] = ("/v1/bookings", JsonSerializer.Serialize(BookingRequests.Body(held, holdId)), api.Admin()),
            ["POST /v1/bookings/{id}/cancellation"] = ($"/v1/bookings/{booking}/cancellation", """{"by":"patient","reason":"better"}""", api.Admin()),
            ["POST /v1/bookings/{id}/move"] = ($"/v1/bookings/{booking}/move", $$"""{"slotId":{{spare}}}""", api.Admin()),
            ["PUT /v1/bookings/{id}/outcome"] = ($"/v1/bookings/{booking}/outcome", """{"outcome":"honoured"}""", gp),
            ["PUT /v1/practitioners/{rpps}/pool"] = ($"/v1/practitioners/{rpps}/pool", """{"weekdays":[1],"from":"08:00","until":"12:00"}""", api.Admin()),
            ["DELETE /v1/practitioners/{rpps}/pool"] = ($"/v1/practitioners/{rpps}/pool", null, api.Admin()),
            ["POST /v1/requests/"] = ("/v1/requests", JsonSerializer.Serialize(PooledRequests.Body(sector, profession: "general_practitioner")), api.Admin()),
            ["POST /v1/requests/{id}/accept"] = ($"/v1/requests/{request}/accept", $$"""{"rpps":"{{rpps}}","start":"2026-11-23T09:30:00Z"}""", gp),
            ["POST /v1/requests/{id}/withdrawal"] = ($"/v1/requests/{request}/withdrawal", null, api.Admin()),
            ["PUT /v1/webhooks/"] = ("/v1/webhooks", """{"url":"https://practice.example/hook","secret":"0123456789abcdef","events":["booking.created"]}""", api.Admin()),
            ["POST /v1/webhooks/deliveries/{id:long}/retry"] = ("/v1/webhooks/deliveries/1/retry", null, api.Admin()),
        };
        var writeRoutes = AuthTests.SecuredRoutes(api.Services).Where(r => r.Method is "POST" or "PUT" or "DELETE").Select(r => r.Method).ToList();
        var patterns = api.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/v1", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m is "POST" or "PUT" or "DELETE").Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToList();
        Assert.Equal(patterns.Order(), routes.Keys.Where(patterns.Contains).Order()); // every write route has a template here
        Assert.True(writeRoutes.Count >= routes.Count);

        var digest = Digest(api);
        var sent = 0;
        foreach (var (pattern, (path, body, caller)) in routes)
        {
            var method = new HttpMethod(pattern[..pattern.IndexOf(' ')]);
            foreach (var hostilePath in HostilePaths(path))
            {
                var response = await Send(caller, method, hostilePath, body is null ? null : Encoding.UTF8.GetBytes(body));
                await AssertClientError(response, $"{pattern} at {hostilePath}", needField: false);
                sent++;
            }
            if (body is null) continue;
            foreach (var (what, bytes) in Mutations(body))
            {
                var response = await Send(caller, method, path, bytes);
                await AssertClientError(response, $"{pattern} with {what}", needField: true);
                sent++;
            }
        }
        Assert.True(sent > 300, $"only {sent} hostile requests");
        Assert.Equal(digest, Digest(api));
    }

    private static async Task<HttpResponseMessage> Send(HttpClient caller, HttpMethod method, string path, byte[]? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return await caller.SendAsync(request);
    }

    private static async Task AssertClientError(HttpResponseMessage response, string what, bool needField)
    {
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        var shown = text.Length > 300 ? text[..300] + "…" : text;
        Assert.True(status is >= 400 and < 500, $"{what}: {status} {shown}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{what}: {response.Content.Headers.ContentType} {shown}");
        using var problem = JsonDocument.Parse(text);
        Assert.True(problem.RootElement.TryGetProperty("code", out _), $"{what}: no code in {shown}");
        if (needField)
            Assert.True(problem.RootElement.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any(), $"{what}: no field named in {shown}");
    }

    private static IEnumerable<string> HostilePaths(string path)
    {
        var query = path.Contains('?') ? path[path.IndexOf('?')..] : "";
        var segments = (query.Length > 0 ? path[..path.IndexOf('?')] : path).Split('/');
        for (var i = 3; i < segments.Length; i++)
        {
            if (segments[i] is "keys" or "slots" or "rules" or "rota" or "hold" or "cancellation" or "move" or "outcome" or "retry" or "deliveries"
                or "pool" or "accept" or "withdrawal") continue;
            foreach (var fragment in Fragments.Append(new string('9', 400)))
            {
                var copy = (string[])segments.Clone();
                copy[i] = Uri.EscapeDataString(fragment);
                yield return string.Join('/', copy) + query;
            }
        }
        if (query.Length > 0)
        {
            yield return path.Replace(query, "?from=2026-11-24T00:00:00&to=2026-11-25T00:00:00Z");
            yield return path.Replace(query, "?from=" + Uri.EscapeDataString(Fragments[0]) + "&to=2026-11-25T00:00:00Z");
        }
    }

    private static IEnumerable<(string What, byte[] Body)> Mutations(string template)
    {
        var root = JsonNode.Parse(template)!.AsObject();
        byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

        foreach (var (path, parent, name, value) in Fields(root))
        {
            JsonNode Clone(Action<JsonObject, string> change)
            {
                var copy = root.DeepClone().AsObject();
                change(Locate(copy, path), name);
                return copy;
            }
            var optional = Optional.Contains(name);
            yield return ($"{path}: wrong type", Bytes(Clone((o, n) => o[n] = value switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(12345),
                JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => JsonValue.Create("yes"),
                JsonValue => JsonValue.Create("abc"),
                JsonArray => JsonValue.Create("x"),
                _ => JsonValue.Create(5),
            })));
            if (!optional)
            {
                yield return ($"{path}: null", Bytes(Clone((o, n) => o[n] = null)));
                yield return ($"{path}: missing", Bytes(Clone((o, n) => o.Remove(n))));
            }
            if (value is JsonValue sv && sv.GetValueKind() == JsonValueKind.String)
            {
                yield return ($"{path}: 100 000 characters", Bytes(Clone((o, n) => o[n] = new string('a', 100_000))));
                if (name is "start" or "end" or "requestedAt")
                    yield return ($"{path}: no offset", Bytes(Clone((o, n) => o[n] = "2026-11-24T10:00:00")));
                if (Identifiers.Contains(name))
                    foreach (var fragment in Fragments)
                        yield return ($"{path}: {fragment}", Bytes(Clone((o, n) => o[n] = fragment)));
                if (name is "modality" or "by" or "outcome" or "origin" or "regularDoctor" or "role")
                    yield return ($"{path}: unknown value", Bytes(Clone((o, n) => o[n] = "zzz_unknown")));
            }
            if (value is JsonValue nv && nv.GetValueKind() == JsonValueKind.Number)
            {
                yield return ($"{path}: 1e30", Encoding.UTF8.GetBytes(Clone((o, n) => o[n] = JsonValue.Create(0)).ToJsonString().Replace($"\"{name}\":0", $"\"{name}\":1e30")));
                if (name is "bookingHorizonHours" or "overflowPerDay")
                    yield return ($"{path}: negative", Bytes(Clone((o, n) => o[n] = -5)));
            }
            if (value is JsonArray array && array.Count > 0 && array[0] is JsonValue first && first.GetValueKind() == JsonValueKind.String && Identifiers.Contains(name))
                foreach (var fragment in Fragments)
                    yield return ($"{path}[0]: {fragment}", Bytes(Clone((o, n) => o[n] = new JsonArray(fragment))));
            if (value is JsonObject)
                yield return ($"{path}: an unknown field inside", Bytes(Clone((o, n) => o[n]!.AsObject()["unexpectedField"] = 1)));
        }
        var extra = root.DeepClone().AsObject();
        extra["unexpectedField"] = 1;
        yield return ("an unknown field", Bytes(extra));
        var text = root.ToJsonString();
        var firstColon = text.IndexOf(':');
        var (firstName, firstValue) = root.First();
        yield return ("a duplicated key", Encoding.UTF8.GetBytes($"{{\"{firstName}\":{firstValue?.ToJsonString() ?? "null"},{text[1..]}"));
        yield return ("invalid UTF-8", [.. Encoding.UTF8.GetBytes(text[..(firstColon + 2)]), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes(text[(firstColon + 2)..])]);
        yield return ("JSON nested 100 deep", Encoding.UTF8.GetBytes(text.Insert(firstColon + 1, new string('[', 100)).Insert(firstColon + 101, "1" + new string(']', 100) + ",\"x\":")));
    }

    /// <summary>Every property of the object and of nested objects (the first element of an array of objects), with a path.</summary>
    private static IEnumerable<(string Path, JsonObject Parent, string Name, JsonNode? Value)> Fields(JsonObject obj, string prefix = "")
    {
        foreach (var (name, value) in obj.ToList())
        {
            yield return (prefix + name, obj, name, value);
            if (value is JsonObject child)
                foreach (var f in Fields(child, prefix + name + ".")) yield return f;
            if (value is JsonArray { Count: > 0 } array && array[0] is JsonObject element)
                foreach (var f in Fields(element, prefix + name + "[0].")) yield return f;
        }
    }

    private static JsonObject Locate(JsonObject root, string path)
    {
        var node = root;
        var parts = path.Split('.');
        foreach (var part in parts[..^1])
            node = part.EndsWith("[0]", StringComparison.Ordinal) ? node[part[..^3]]!.AsArray()[0]!.AsObject() : node[part]!.AsObject();
        return node;
    }

    /// <summary>A hash of every row of every table.</summary>
    private static string Digest(SasApiFactory api)
    {
        using var c = api.OpenDb();
        var tables = c.Query<string>(TestEngine.Provider == "Sqlite"
            ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            : $"SELECT table_name FROM information_schema.tables WHERE table_schema = '{(TestEngine.IsSqlServer ? "dbo" : "public")}' AND table_type = 'BASE TABLE' ORDER BY table_name").ToList();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var table in tables)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(table));
            // Rows in a stable order whatever the engine's physical order.
            var rows = c.Query($"SELECT * FROM \"{table}\"")
                .Select(row => string.Join("|", ((IDictionary<string, object?>)row).Select(kv => $"{kv.Key}={kv.Value}")))
                .Order(StringComparer.Ordinal);
            foreach (var row in rows) sha.AppendData(Encoding.UTF8.GetBytes(row));
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
