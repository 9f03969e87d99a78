using System.Net;

namespace Sas.Api.Tests.Support;

/// <summary>Real parallel requests: every sender is released at the same instant.</summary>
public static class Races
{
    public static async Task<List<(HttpStatusCode Status, string Body)>> AllAtOnce(int count, Func<int, Task<HttpResponseMessage>> send)
    {
        // Awaited, not waited on: a thousand senders blocking pool threads starved the pool (it adds threads slowly).
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var response = await send(i);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        })).ToList();
        start.SetResult();
        return (await Task.WhenAll(tasks)).ToList();
    }
}
