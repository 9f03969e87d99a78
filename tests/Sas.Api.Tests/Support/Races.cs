using System.Net;

namespace Sas.Api.Tests.Support;

/// <summary>Real parallel requests: every sender is released at the same instant.</summary>
public static class Races
{
    public static async Task<List<(HttpStatusCode Status, string Body)>> AllAtOnce(int count, Func<int, Task<HttpResponseMessage>> send)
    {
        using var start = new ManualResetEventSlim(false);
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            start.Wait();
            var response = await send(i);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        })).ToList();
        start.Set();
        return (await Task.WhenAll(tasks)).ToList();
    }
}
