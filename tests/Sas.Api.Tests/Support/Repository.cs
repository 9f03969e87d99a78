namespace Sas.Api.Tests.Support;

public static class Repository
{
    /// <summary>The repository root: the folder above the test binaries that holds Sas.sln.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sas.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Sas.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
