using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Sas.Api.Tests.Support;

/// <summary>
/// A real HTTP server on loopback whose every path answers as a test says (a status, a redirect, a reset
/// connection, no answer at all), and which records every request it gets, whatever the path.
/// </summary>
public sealed class ScriptedReceiver : IAsyncDisposable
{
    public sealed record Request(string Method, string Path, string Body);

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> paths = new();

    private readonly bool answerChallenges;

    private ScriptedReceiver(WebApplication app, string address, bool answerChallenges) { this.app = app; Address = address; this.answerChallenges = answerChallenges; }

    public string Address { get; }
    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>A receiver on a free port; it answers registrations' verification events unless told not to.</summary>
    public static async Task<ScriptedReceiver> StartAsync(bool answerChallenges = true)
    {
        ScriptedReceiver? self = null;
        var (app, address) = await LoopbackHost.StartAsync(a => a.Run(ctx => self!.Handle(ctx)));
        self = new ScriptedReceiver(app, address, answerChallenges);
        return self;
    }

    /// <summary>Makes <paramref name="path"/> answer as <paramref name="answer"/> does; answers its full URL.</summary>
    public string On(string path, Func<HttpContext, Task> answer)
    {
        paths[path] = answer;
        return Address + path;
    }

    public string Status(string path, int status) => On(path, ctx => { ctx.Response.StatusCode = status; return Task.CompletedTask; });

    public string Redirect(string path, int status, string location) => On(path, ctx =>
    {
        ctx.Response.StatusCode = status;
        ctx.Response.Headers.Location = location;
        return Task.CompletedTask;
    });

    public string Reset(string path) => On(path, ctx => { ctx.Abort(); return Task.CompletedTask; });

    /// <summary>Never answers: <paramref name="meanwhile"/> runs once the request is in (a test moves its fake clock there).</summary>
    public string Hang(string path, Action meanwhile) => On(path, async ctx =>
    {
        meanwhile();
        await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { });
    });

    public IReadOnlyList<Request> To(string path) => Requests.Where(r => r.Path == path).ToList();

    private async Task Handle(HttpContext ctx)
    {
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer);
        if (answerChallenges && await WebhookChallenge.AnswerAsync(ctx, buffer.ToArray())) return; // registration's verification: every path passes it
        var body = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        var path = ctx.Request.Path.Value ?? "/";
        Requests.Enqueue(new Request(ctx.Request.Method, path, body));
        if (paths.TryGetValue(path, out var answer)) await answer(ctx);
        else ctx.Response.StatusCode = 404;
    }

    public ValueTask DisposeAsync() => LoopbackHost.StopAsync(app);
}
