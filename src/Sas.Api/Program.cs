using Sas.Api;

var builder = WebApplication.CreateBuilder(args);
builder.AddSasServices();

var app = builder.Build();
await app.InitialiseAsync();
app.UseSasPipeline();
app.MapSasEndpoints();
app.Run();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
