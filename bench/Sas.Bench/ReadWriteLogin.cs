using Dapper;

namespace Sas.Bench;

/// <summary>
/// A PostgreSQL login with the rights docs/deployment.md grants a node after the owner's one start: read and write on the
/// tables (public's, and Hangfire's when it has its schema) and Hangfire's sequences; no right on public's sequences (the
/// feed's is the one serial there, for its triggers only). The index chaos run and the suite's rights test both use it.
/// </summary>
public static class ReadWriteLogin
{
    /// <summary>Creates <paramref name="role"/> on the owner's database; answers its connection string.</summary>
    public static async Task<string> CreateAsync(string owner, string role, string password)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(owner) { Pooling = false };
        await using var c = new Npgsql.NpgsqlConnection(builder.ConnectionString);
        await c.OpenAsync();
        var schemas = string.Join(", ", await c.QueryAsync<string>("SELECT nspname FROM pg_namespace WHERE nspname IN ('public', 'hangfire')"));
        await c.ExecuteAsync($"""
            CREATE ROLE {role} LOGIN PASSWORD '{password}';
            GRANT CONNECT ON DATABASE "{builder.Database}" TO {role};
            GRANT USAGE ON SCHEMA {schemas} TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schemas} TO {role};
            {(schemas.Contains("hangfire") ? $"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA hangfire TO {role};" : "")}
            """);
        return new Npgsql.NpgsqlConnectionStringBuilder(owner) { Username = role, Password = password }.ConnectionString;
    }
}
