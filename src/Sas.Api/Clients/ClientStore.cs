using System.Text.Json;
using Dapper;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Clients;

public sealed record ClientRow(string Id, string Name, string Role, string Scope, DateTime CreatedAt);

/// <summary>An authenticated client, as the API key handler needs it.</summary>
public sealed record KeyOwnerRow(string Id, string Role, string Scope);

public sealed record ClientIdentity(string Id, string Role, string[] Scope);

public sealed class ClientStore(Db db, TimeProvider clock)
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
        public string InsertKey => """
            INSERT INTO client_keys (id, client_id, key_hash, created_at)
            VALUES (@id, @clientId, @hash, @now)
            """;
        public string KeyHashExists => "SELECT COUNT(*) FROM client_keys WHERE key_hash = @hash";
    }

    private readonly Sql sql = new();

    public async Task<ClientIdentity?> FindByKeyHashAsync(string hash, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<KeyOwnerRow>(
            new CommandDefinition(sql.FindByKeyHash, new { hash }, cancellationToken: ct));
        return row is null ? null : new ClientIdentity(row.Id, row.Role, ParseScope(row.Scope));
    }

    /// <summary>Creates a client and its first key; answers the key, which is not stored.</summary>
    public Task<(ClientRow Client, string KeyId, string Key)> CreateAsync(string name, string role, IReadOnlyList<string> scope, CancellationToken ct) =>
        CreateWithKeyAsync(name, role, scope, ApiKeys.NewKey(), ct);

    public async Task<(ClientRow Client, string KeyId, string Key)> CreateWithKeyAsync(string name, string role, IReadOnlyList<string> scope, string key, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var client = new ClientRow(Guid.NewGuid().ToString(), name, role, JsonSerializer.Serialize(scope), now);
        var keyId = Guid.NewGuid().ToString();
        await db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(sql.InsertClient, client, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(sql.InsertKey, new { id = keyId, clientId = client.Id, hash = ApiKeys.Hash(key), now }, tx, cancellationToken: ct));
            return 0;
        }, ct);
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
        await CreateWithKeyAsync(name, role, scope, key, ct);
    }

    public static string[] ParseScope(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];
}
