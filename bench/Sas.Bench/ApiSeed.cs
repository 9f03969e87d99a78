using System.Diagnostics;
using System.Net.Http.Json;
using Sas.Api.Reference;
using Sas.Domain.Identifiers;

namespace Sas.Bench;

/// <summary>
/// For --url (a running instance, any engine): seeds Loire-Atlantique through the API itself, sectors by
/// postal area, one CPTS, and GPs whose 14 days of slots are sent with the sync route.
/// </summary>
public static class ApiSeed
{
    public static async Task<DatasetInfo> SeedAsync(HttpClient http, string adminKey, long targetSlots, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var communes = Geography.LoadEmbedded().Communes.Where(c => c.Department == "44" && c.Type == "commune" && c.PostalCodes.Length > 0).ToList();
        var sectors = communes.GroupBy(c => "BU-44-" + c.PostalCodes[0][..3]).ToList();
        var run = DateTime.UtcNow.Ticks % 100_000;
        var finess = $"8{run:D7}";
        finess += Luhn.CheckDigit(finess);
        await Send(http, HttpMethod.Put, $"/v1/cpts/{finess}", new { name = "CPTS bench", sectors = Array.Empty<string>() }, adminKey);
        foreach (var s in sectors)
            await Send(http, HttpMethod.Put, $"/v1/sectors/{s.Key}", new { name = s.Key, department = "44", communes = s.Select(c => c.InseeCode).ToArray(), cpts = finess }, adminKey);
        var gps = (int)Math.Max(1, targetSlots / (Dataset.SlotsPerDay * Dataset.Days));
        var rppsList = new List<string>();
        var sectorList = new List<string>();
        var today = DateTime.UtcNow.Date;
        long slots = 0;
        for (var i = 0; i < gps; i++)
        {
            var payload = $"4{run % 1000:D3}{i:D6}";
            var rpps = payload + Luhn.CheckDigit(payload);
            var sector = sectors[i % sectors.Count];
            await Send(http, HttpMethod.Put, $"/v1/practitioners/{rpps}", new
            {
                firstName = "Bench", lastName = $"Docteur{i}", sectors = new[] { sector.Key }, overflowPerDay = 1,
                sites = new[] { new { id = "cab", name = "Cabinet", address = "1 rue", commune = sector.First().InseeCode, postalCode = sector.First().PostalCodes[0] } },
            }, adminKey);
            var body = Enumerable.Range(0, Dataset.Days).SelectMany(d => new[] { 8, 13, 16 }.Select(h => today.AddDays(d).AddHours(h).AddMinutes(10 * (i % 4))))
                .Where(t => t > DateTime.UtcNow.AddMinutes(1))
                .Select(t => new { start = t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), end = t.AddMinutes(20).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), sector = sector.Key, site = "cab", modality = "in_person", externalId = t.ToString("MMddHHmm") })
                .ToList();
            var from = Uri.EscapeDataString(today.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
            var to = Uri.EscapeDataString(today.AddDays(Dataset.Days).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
            await Send(http, HttpMethod.Put, $"/v1/practitioners/{rpps}/slots?from={from}&to={to}", new { slots = body }, adminKey);
            slots += body.Count;
            rppsList.Add(rpps);
            sectorList.Add(sector.Key);
        }
        log.WriteLine($"  seeded {slots:N0} slots and {gps:N0} GPs through the API in {clock.Elapsed.TotalSeconds:N1} s");
        var sync = Math.Min(64, gps);
        return new DatasetInfo(slots, gps, sectors.Count, communes.Select(c => c.PostalCodes[0]).Distinct().ToArray(),
            rppsList.Take(sync).ToArray(), sectorList.Take(sync).ToArray(), finess, clock.Elapsed);
    }

    private static async Task Send(HttpClient http, HttpMethod method, string path, object body, string key)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", key);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
