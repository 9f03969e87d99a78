using Sas.Api;
using Sas.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.AddSasServices();

var app = builder.Build();
try
{
    await app.InitialiseAsync();
}
catch (StartupRefusedException refused)
{
    // One clear line for the operator, and a plain failure for the service manager; no stack trace, no SIGABRT.
    Console.Error.WriteLine(refused.InnerException is null ? refused.Message : $"{refused.Message} ({refused.InnerException.GetType().Name})");
    return 1;
}
app.UseSasPipeline();
app.MapSasEndpoints();
app.Run();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
