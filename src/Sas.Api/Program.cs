using Microsoft.Extensions.Options;
using Sas.Api;
using Sas.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.AddSasServices();

var app = builder.Build();
try
{
    await app.InitialiseAsync();
    app.UseSasPipeline();
    app.MapSasEndpoints();
    await app.StartAsync(); // validates every options section marked ValidateOnStart
}
catch (StartupRefusedException refused)
{
    // One clear line for the operator, and a plain failure for the service manager; no stack trace, no SIGABRT.
    Console.Error.WriteLine(refused.InnerException is null ? refused.Message : $"{refused.Message} ({refused.InnerException.GetType().Name})");
    return 1;
}
catch (OptionsValidationException invalid)
{
    Console.Error.WriteLine("Refusing to start: " + string.Join(" ", invalid.Failures));
    return 1;
}
await app.WaitForShutdownAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
