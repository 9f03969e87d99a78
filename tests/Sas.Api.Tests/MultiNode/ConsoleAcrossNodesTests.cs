#if SAS_TEST_POSTGRES
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Console;
using Sas.Api.Tests.Console;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.MultiNode;

/// <summary>
/// Two console nodes on one PostgreSQL database, with one provider: a person the load balancer sends from one node to
/// the other stays signed in and their forms work (the key ring behind cookies and antiforgery tokens is in the
/// database), and signing out on one ends the session on both (the session is in the database too).
/// </summary>
public sealed class ConsoleAcrossNodesTests : IDisposable
{
    private sealed class Node(string connectionString) : OidcConsoleFactory
    {
        public override string ConnectionString => connectionString;

        public Node Started()
        {
            _ = Server;
            return this;
        }
    }

    private readonly string database = PostgresServer.NewDatabaseName();
    private readonly Node one, two;

    public ConsoleAcrossNodesTests()
    {
        var provider = new FakeIdentityProvider();
        one = new Node(database) { IdentityProvider = provider }.Started();
        two = new Node(database) { IdentityProvider = provider }.Started();
    }

    public void Dispose()
    {
        one.Dispose();
        two.Dispose();
        PostgresServer.DropDatabase(database);
    }

    private static HttpClient Browser(Node node) => node.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = false,
    });

    private static async Task<HttpResponseMessage> Send(Node node, HttpMethod method, string path, string cookies, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("Cookie", cookies);
        return await Browser(node).SendAsync(request);
    }

    private static string Cookie(HttpResponseMessage response, string name)
    {
        var header = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(name, StringComparison.Ordinal));
        return header[..header.IndexOf(';')];
    }

    [Fact]
    public async Task A_person_signed_in_through_one_node_posts_a_form_through_the_other_and_signs_out_of_both()
    {
        // Signed in through node one.
        var browser = one.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = true });
        var signInPage = await browser.GetStringAsync("/console/connexion");
        var authorize = (await browser.PostAsync("/console/connexion?handler=Externe", PersonSignInTests.SignInButton(signInPage))).Headers.Location!;
        var code = one.IdentityProvider.Authorize(authorize, OidcConsoleFactory.CptsSubject);
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]!;
        var callback = await browser.PostAsync(PersonSignIn.CallbackPath, new FormUrlEncodedContent([new("code", code), new("state", state)]));
        var session = Cookie(callback, "sas-console=");

        // A page and its form drawn by node one; the same person reads a page through node two.
        var page = await Send(one, HttpMethod.Get, "/console/cpts", session);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var token = Regex.Match(await page.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var cookies = $"{session}; {Cookie(page, ".AspNetCore.Antiforgery")}";
        Assert.Equal(HttpStatusCode.OK, (await Send(two, HttpMethod.Get, "/console/cpts", cookies)).StatusCode);

        // Node one's form, posted through node two: signing out.
        var signOut = await Send(two, HttpMethod.Post, "/console/deconnexion", cookies, new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.EndsWith("/console/connexion", signOut.Headers.Location!.OriginalString);

        var after = await Send(one, HttpMethod.Get, "/console/cpts", cookies);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/console/connexion", after.Headers.Location!.OriginalString);
    }

    /// <summary>
    /// The two nodes of this test share a machine, and Data Protection's default key folder with it: the keys must be the
    /// database's, as they would have to be on two machines.
    /// </summary>
    [Fact]
    public void What_one_node_protects_the_other_reads_with_the_keys_of_the_database()
    {
        var secret = one.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("across").Protect("bonjour");
        Assert.Equal("bonjour", two.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("across").Unprotect(secret));
        var stored = one.Rows("SELECT name FROM data_protection_keys").Select(r => (string)r.name).ToHashSet();
        foreach (var node in new[] { one, two })
        {
            var keys = node.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.KeyManagement.IKeyManager>().GetAllKeys();
            Assert.NotEmpty(keys);
            Assert.All(keys, k => Assert.Contains("key-" + k.KeyId.ToString("D"), stored));
        }
    }
}
#endif
