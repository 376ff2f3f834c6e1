using Bridge.Daemon.Commands;
using Bridge.Daemon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Admin;

public static class AdminServiceCollectionExtensions
{
    /// <summary>
    /// Registers the admin socket server, its command dispatcher (the one grammar) and the default
    /// role policy. Needs <see cref="IBridgeRuntime"/> and <see cref="IConfiguration"/> in the
    /// container; the socket path is <c>Bridge:AdminSocket</c> (see <see cref="AdminSocketServer.ResolvePath"/>).
    /// </summary>
    public static IServiceCollection AddAdminSocket(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ControlPlaneState { Paths = HostPaths.From(sp.GetRequiredService<IConfiguration>()), StartedAt = DateTimeOffset.UtcNow });
        services.TryAddSingleton<IAdminRolePolicy, GroupRolePolicy>();
        services.TryAddSingleton(sp => new CommandDispatcher(
            CommandCatalogue.BuildTree(), sp.GetRequiredService<IBridgeRuntime>(), sp.GetRequiredService<ControlPlaneState>()));
        services.AddHostedService(sp => new AdminSocketServer(
            sp.GetRequiredService<CommandDispatcher>(),
            sp.GetRequiredService<IAdminRolePolicy>(),
            AdminSocketServer.ResolvePath(sp.GetRequiredService<IConfiguration>()),
            sp.GetRequiredService<ILogger<AdminSocketServer>>()));
        return services;
    }
}
