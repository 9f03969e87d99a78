using System.Text.Json;
using Dapper;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Clients;

public sealed record ClientRow(string Id, string Name, string Role, string Scope, DateTime CreatedAt, string OperatorAccounts = "[]", string OperatorIds = "[]");

/// <summary>
/// Who a regulator client may name as the regulator of its bookings (<c>operatorAccount</c>, <c>operator</c>): the SAS
/// platform's accounts by their technical id, and national ids (IDNPS). An admin grants them; the platform is told who booked.
/// </summary>
public sealed record OperatorGrants(string[] Accounts, string[] NationalIds)
{
    public static readonly OperatorGrants None = new([], []);
}

/// <summary>An authenticated client, as the API key handler needs it.</summary>
public sealed record KeyOwnerRow(string Id, string Role, string Scope);

public sealed record ClientIdentity(string Id, string Role, string[] Scope);

public sealed class ClientStore(Db db, TimeProvider clock, KeyCache keys, Infrastructure.Audit.Audit audit)
{
    public sealed class Sql
    {
        public string FindByKeyHash => """
            SELECT c.id, c.role, c.scope
              FROM client_keys k
              JOIN clients c ON c.id = k.client_id
             WHERE k.key_hash = @hash
               AND k.revoked_at IS NULL
            """;
        public string InsertClient => """
            INSERT INTO clients (id, name, role, scope, created_at)
            VALUES (@Id, @Name, @Role, @Scope, @CreatedAt)
            """;
        public string KeyHashExists => "SELECT COUNT(*) FROM client_keys WHERE key_hash = @hash";
        public string SelectClient => "SELECT id, name, role, scope, created_at AS CreatedAt, operator_accounts AS OperatorAccounts, operator_ids AS OperatorIds FROM clients WHERE id = @id";
        public string SelectOperators => "SELECT operator_accounts AS OperatorAccounts, operator_ids AS OperatorIds FROM clients WHERE id = @id";
        public string UpdateOperators => "UPDATE clients SET operator_accounts = @accounts, operator_ids = @ids WHERE id = @id";
        public string SelectKeys => "SELECT id, label, created_at AS CreatedAt, revoked_at AS RevokedAt FROM client_keys WHERE client_id = @id ORDER BY created_at, id";
        public string InsertKey => """
            INSERT INTO client_keys (id, client_id, key_hash, created_at, label)
            VALUES (@id, @clientId, @hash, @now, @label)
            """;
        /// <summary>Ownership and state in the WHERE: only a live key of this client is revoked.</summary>
        public string RevokeKey => "UPDATE client_keys SET revoked_at = @now WHERE id = @keyId AND client_id = @clientId AND revoked_at IS NULL";
    }

    private readonly Sql sql = new();

    /// <summary>How many key lookups reached the database: for the tests of the caches.</summary>
    public long DatabaseLookups => Interlocked.Read(ref lookups);
    private long lookups;

    /// <summary>Whether this node found this key valid lately (<see cref="KeyCache.KnownValidLifetime"/>).</summary>
    public bool IsKnownValid(string hash) => keys.IsKnownValid(hash);

    /// <summary>Whether this key was looked up and not found a moment ago.</summary>
    public bool IsKnownMiss(string hash) => keys.IsKnownMiss(hash);

    public async Task<ClientIdentity?> FindByKeyHashAsync(string hash, CancellationToken ct)
    {
        if (keys.TryGet(hash, out var cached)) return cached;
        if (keys.IsKnownMiss(hash)) return null;
        var readAt = keys.Generation;
        Interlocked.Increment(ref lookups);
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<KeyOwnerRow>(
            new CommandDefinition(sql.FindByKeyHash, new { hash }, cancellationToken: ct));
        if (row is null)
        {
            keys.AddMiss(hash, readAt);
            return null;
        }
        var identity = new ClientIdentity(row.Id, row.Role, ParseScope(row.Scope));
        keys.Add(hash, identity, readAt);
        return identity;
    }

    /// <summary>Creates a client and its first key; answers the key, which is not stored.</summary>
    public Task<(ClientRow Client, string KeyId, string Key)> CreateAsync(string name, string role, IReadOnlyList<string> scope, Caller caller, CancellationToken ct) =>
        CreateWithKeyAsync(name, role, scope, ApiKeys.NewKey(), caller, ct);

    /// <summary>The start-up, not a client, creates the bootstrap admin and demo clients; the audit says so.</summary>
    public static readonly Caller Startup = new("system:startup", "system", new HashSet<string>());

    public async Task<(ClientRow Client, string KeyId, string Key)> CreateWithKeyAsync(string name, string role, IReadOnlyList<string> scope, string key, Caller caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var client = new ClientRow(Guid.NewGuid().ToString(), name, role, JsonSerializer.Serialize(scope), now);
        var keyId = Guid.NewGuid().ToString();
        await db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(sql.InsertClient, client, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(sql.InsertKey, new { id = keyId, clientId = client.Id, hash = ApiKeys.Hash(key), now, label = (string?)null }, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, "create", "client", client.Id, ct);
            return 0;
        }, ct);
        keys.Clear(); // the new key may have been tried, and remembered as unknown, a moment ago
        return (client, keyId, key);
    }

    /// <summary>For the bootstrap admin and demo keys: create the client only if that key is not known yet.</summary>
    public async Task EnsureKeyAsync(string name, string role, IReadOnlyList<string> scope, string key, CancellationToken ct)
    {
        await using (var connection = await db.OpenAsync(ct))
        {
            var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql.KeyHashExists, new { hash = ApiKeys.Hash(key) }, cancellationToken: ct));
            if (exists > 0) return;
        }
        try
        {
            await CreateWithKeyAsync(name, role, scope, key, Startup, ct);
        }
        catch (System.Data.Common.DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            // Several nodes starting at once: another one created this key between the check and the insert.
        }
    }

    public sealed record KeyRow(string Id, string? Label, DateTime CreatedAt, DateTime? RevokedAt);

    private sealed record OperatorsRow(string OperatorAccounts, string OperatorIds);

    /// <summary>The operators <paramref name="clientId"/> may name; none for a client with no row (a JWT client).</summary>
    public async Task<OperatorGrants> GetOperatorsAsync(string clientId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<OperatorsRow>(new CommandDefinition(sql.SelectOperators, new { id = clientId }, cancellationToken: ct));
        return row is null ? OperatorGrants.None : new OperatorGrants(ParseScope(row.OperatorAccounts), ParseScope(row.OperatorIds));
    }

    /// <summary>Replaces the operators a client may name; false when no client has this id.</summary>
    public Task<bool> SetOperatorsAsync(string clientId, OperatorGrants grants, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var args = new { id = clientId, accounts = JsonSerializer.Serialize(grants.Accounts), ids = JsonSerializer.Serialize(grants.NationalIds) };
            if (await c.ExecuteAsync(new CommandDefinition(sql.UpdateOperators, args, tx, cancellationToken: ct)) == 0) return false;
            await audit.WriteAsync(c, tx, caller, "grant_operators", "client", clientId, ct);
            return true;
        }, ct);

    public async Task<(ClientRow Client, IReadOnlyList<KeyRow> Keys)?> GetAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var client = await c.QuerySingleOrDefaultAsync<ClientRow>(new CommandDefinition(sql.SelectClient, new { id }, cancellationToken: ct));
        if (client is null) return null;
        var keys = (await c.QueryAsync<KeyRow>(new CommandDefinition(sql.SelectKeys, new { id }, cancellationToken: ct))).AsList();
        return (client, keys);
    }

    /// <summary>A new key for an existing client (rotation: the old one keeps working until revoked).</summary>
    public async Task<(string KeyId, string Key)> AddKeyAsync(string clientId, string? label, Caller caller, CancellationToken ct)
    {
        var key = ApiKeys.NewKey();
        var keyId = Guid.NewGuid().ToString();
        await db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(sql.InsertKey, new { id = keyId, clientId, hash = ApiKeys.Hash(key), now = clock.GetUtcNow().UtcDateTime, label }, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, "create", "client_key", keyId, ct);
            return 0;
        }, ct);
        keys.Clear();
        return (keyId, key);
    }

    public async Task<bool> RevokeKeyAsync(string clientId, string keyId, Caller caller, CancellationToken ct)
    {
        var revoked = await db.InTransactionAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(sql.RevokeKey, new { clientId, keyId, now = clock.GetUtcNow().UtcDateTime }, tx, cancellationToken: ct)) == 0) return false;
            await audit.WriteAsync(c, tx, caller, "revoke", "client_key", keyId, ct);
            return true;
        }, ct);
        keys.Clear(); // after the commit; a lookup that read the row before it cannot put the key back (see KeyCache.Add)
        return revoked;
    }

    public static string[] ParseScope(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];
}
