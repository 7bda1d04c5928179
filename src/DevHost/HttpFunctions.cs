using Microsoft.AspNetCore.Routing;

namespace AbuseDesk.DevHost;

/// <summary>
/// The HTTP-triggered functions on Kestrel: each route and method from its [HttpTrigger], under host.json's
/// routePrefix. Routes are tried in function-name order, as the Functions host tries them (it does not prefer the
/// more specific template), so a route that only works here by precedence shows up here too.
/// </summary>
public static class HttpFunctions
{
    public static void MapHttpFunctions(this WebApplication app, FunctionCatalog catalog, HostJson host)
    {
        var invoker = app.Services.GetRequiredService<FunctionInvoker>();
        var order = 0;
        foreach (var function in catalog.Of(TriggerKind.Http))
        {
            var route = string.IsNullOrEmpty(host.RoutePrefix) ? function.Route! : $"{host.RoutePrefix}/{function.Route}";
            var names = FunctionInvoker.TemplateNames(function.Route ?? "").ToArray();
            var endpoint = app.MapMethods("/" + route, function.Methods!, async context =>
            {
                var data = names.ToDictionary(n => n, n => (object?)context.GetRouteValue(n)?.ToString());
                var result = await invoker.InvokeAsync(function, context.Request, data, context.RequestAborted, context.RequestServices);
                if (result is IResult http)
                {
                    await http.ExecuteAsync(context);
                }
            });
            endpoint.WithOrder(order++).WithDisplayName(function.Name);
        }
    }
}
