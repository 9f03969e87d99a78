using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Sas.Bench;

/// <summary>
/// A pristine copy of a generated dataset (<c>--reuse</c>): generating 1 M slots takes over a minute, and
/// a change is measured faster from a copy. Only a copy made within the hour is used, because the
/// slots are placed relative to the time of generation.
/// </summary>
public static class Template
{
    private static string Db(string file) => file + ".template";
    private static string Info(string file) => file + ".template.json";

    public static void Save(string file, DatasetInfo data)
    {
        SqliteConnection.ClearAllPools(); // closes the file, so the WAL is checkpointed into it
        File.Copy(file, Db(file), overwrite: true);
        File.WriteAllText(Info(file), JsonSerializer.Serialize(data));
    }

    public static DatasetInfo? TryCopy(string file, BenchOptions o, DateTime now)
    {
        if (!File.Exists(Db(file)) || !File.Exists(Info(file)) || now - File.GetLastWriteTimeUtc(Info(file)) > TimeSpan.FromHours(1)) return null;
        var data = JsonSerializer.Deserialize<DatasetInfo>(File.ReadAllText(Info(file)));
        if (data is null || data.SyncPractitioners.Length < Math.Max(8, o.Clients * 2)) return null;
        File.Copy(Db(file), file, overwrite: true);
        return data;
    }
}
