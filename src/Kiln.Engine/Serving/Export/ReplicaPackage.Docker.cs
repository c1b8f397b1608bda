using Kiln.Core.Serving;

namespace Kiln.Engine.Serving.Export;

public static partial class ReplicaPackage
{
    private const string DockerIgnore = "*\n!kiln/\n";

    /// <summary>
    /// A Dockerfile on the ASP.NET runtime image around a published Kiln (<c>kiln/</c> next to it) whose entry point is
    /// <c>kiln serve --deployment NAME</c> on all interfaces. The stores come from the environment when the container runs, never
    /// from the image: KILN_STORE and KILN_ARTIFACTS, as for the CLI (KILN_HOME=/var/lib/kiln when neither is given).
    /// </summary>
    public static string Dockerfile(Deployment deployment, ReplicaPackageOptions options)
    {
        var tag = options.Image ?? $"{ResourceName(deployment.Name)}:latest";
        var (store, password) = SplitPassword(options.StoreUri);
        string[] entry = ["dotnet", "/opt/kiln/kiln.dll", "serve", "--deployment", deployment.Name, "--host", "0.0.0.0", "--port", $"{options.Port}"];
        return $"""
            # A Kiln serving replica of deployment {Quote(deployment.Name)} (version {deployment.Version} when exported): kiln deploy export {deployment.Name} --format docker.
            # Build it from a published Kiln in kiln/ next to this file (DIR is this file's folder), at the root of Kiln's sources:
            #   dotnet publish src/Kiln.Cli/Kiln.Cli.csproj -c Release --self-contained false -o DIR/kiln
            #   docker build -t {tag} DIR
            # Run it with the stores the server uses, from the environment (the image holds no store address or password):
            #   docker run -p {options.Port}:{options.Port} -e KILN_STORE={Quote(store)}{(password is null ? "" : " -e PGPASSWORD=…")} -e KILN_ARTIFACTS={Quote(options.ArtifactsRoot)} {tag}
            # (a local artifact root or SQLite file must be mounted at the same path, e.g. -v {Quote(options.ArtifactsRoot)}:{Quote(options.ArtifactsRoot)}:ro).
            # It answers POST /invocations (MLflow's scoring protocol) and /v2/models/{deployment.Name}/infer; /v2/health/live and /v2/health/ready for probes; /metrics.
            FROM mcr.microsoft.com/dotnet/aspnet:10.0
            WORKDIR /opt/kiln
            COPY kiln/ /opt/kiln/
            ENV KILN_HOME=/var/lib/kiln
            RUN mkdir -p /var/lib/kiln && chown "$APP_UID" /var/lib/kiln
            EXPOSE {options.Port}
            USER $APP_UID
            ENTRYPOINT [{string.Join(", ", entry.Select(Quote))}]

            """;
    }
}
