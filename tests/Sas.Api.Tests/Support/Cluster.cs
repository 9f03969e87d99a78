namespace Sas.Api.Tests.Support;

/// <summary>
/// Several API nodes on one database, as production runs them behind a load balancer: each node is a host of its
/// own (its own caches, rate limiter, key cache and job wiring), all share the database and one clock. The nodes
/// start together on a database that does not exist yet, so they race to create it, migrate it and create the
/// bootstrap admin key, as nodes of a fresh deployment do.
/// </summary>
public sealed class Cluster : IDisposable
{
    public const int Size = 3;

    public string ConnectionString { get; } = PostgresServer.NewDatabaseName();

    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock { get; } = new(SasApiFactory.Start);

    public IReadOnlyList<Node> Nodes { get; }

    public Cluster()
    {
        var clock = Clock;
        Nodes = Enumerable.Range(0, Size).Select(i => new Node(ConnectionString, i) { Clock = clock }).ToList();
        // Every node starts at once (the host is built on first use).
        Task.WaitAll(Nodes.Select(n => Task.Run(() => n.Server)).ToArray());
    }

    public Node this[int i] => Nodes[i % Size];

    public void Dispose()
    {
        foreach (var node in Nodes) node.Dispose();
        PostgresServer.DropDatabase(ConnectionString);
    }

    /// <summary>One API node of the cluster.</summary>
    public sealed class Node(string connectionString, int index) : SasApiFactory
    {
        public int Index => index;

        public override string ConnectionString => connectionString;

        /// <summary>Webhook retries inside a run without delay: the fake clock drives the stored backoff.</summary>
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            [KeyValuePair.Create<string, string?>("Webhooks:RetryDelay", "00:00:00")];
    }
}
