using AbuseDesk.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;

// The isolated worker the Functions host starts in Azure. Here there is no Functions host: src/DevHost runs
// the same function classes with the same services (docs/deploy.md).
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.AddAbuseDesk();
builder.Build().Run();
