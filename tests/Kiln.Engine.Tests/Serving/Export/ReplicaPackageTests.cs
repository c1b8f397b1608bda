using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Kiln.Engine.Serving.Export;
using YamlDotNet.RepresentationModel;

namespace Kiln.Engine.Tests.Serving.Export;

/// <summary>The exported Dockerfile and Kubernetes manifests, read back as Docker and Kubernetes would (the YAML parsed by YamlDotNet).</summary>
public sealed class ReplicaPackageTests
{
    private static readonly Deployment Loan = new("loan", [new("champion", "models:/loans@champion", 90, false), new("canary", "models:/loans/4", 10, false)], 3, 0, "ana");

    private static List<YamlMappingNode> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static YamlNode At(YamlNode node, params object[] path)
    {
        foreach (var step in path)
        {
            node = step is int i ? ((YamlSequenceNode)node).Children[i] : ((YamlMappingNode)node).Children[new YamlScalarNode((string)step)];
        }
        return node;
    }

    private static string Text(YamlNode node, params object[] path) => ((YamlScalarNode)At(node, path)).Value!;

    private static Dictionary<string, string> Map(YamlNode node, params object[] path) =>
        ((YamlMappingNode)At(node, path)).Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value!);

    [Fact]
    public void Kubernetes_manifests_have_a_configmap_of_store_uris_a_probed_deployment_a_service_and_an_autoscaler()
    {
        var options = new ReplicaPackageOptions("postgresql://kiln:s3cr%40t@db.internal:5432/kiln", "/srv/kiln/artifacts") { Image = "registry.local/kiln-serve-loan:3" };
        var (file, yaml) = Assert.Single(ReplicaPackage.Files(Loan, "kubernetes", options));
        Assert.Equal("kiln-serve-loan.yaml", file);
        Assert.DoesNotContain("s3cr", yaml); // the password stays out of the manifests
        var docs = Documents(yaml);
        Assert.Equal(["ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler"], docs.Select(d => Text(d, "kind")));
        Assert.All(docs, d => Assert.Equal("kiln-serve-loan", Text(d, "metadata", "name")));
        var (config, deployment, service, autoscaler) = (docs[0], docs[1], docs[2], docs[3]);

        Assert.Equal(new Dictionary<string, string> { ["KILN_STORE"] = "postgresql://kiln@db.internal:5432/kiln", ["KILN_ARTIFACTS"] = "/srv/kiln/artifacts" }, Map(config, "data"));
        Assert.Equal("loan", Text(config, "metadata", "annotations", "kiln/deployment"));

        Assert.Equal("apps/v1", Text(deployment, "apiVersion"));
        var labels = Map(deployment, "spec", "template", "metadata", "labels");
        Assert.Equal(labels, Map(deployment, "spec", "selector", "matchLabels"));
        var container = At(deployment, "spec", "template", "spec", "containers", 0);
        Assert.Equal("registry.local/kiln-serve-loan:3", Text(container, "image"));
        Assert.Equal(("http", "8080"), (Text(container, "ports", 0, "name"), Text(container, "ports", 0, "containerPort")));
        Assert.Equal(("/v2/health/ready", "8080"), (Text(container, "readinessProbe", "httpGet", "path"), Text(container, "readinessProbe", "httpGet", "port")));
        Assert.Equal(("/v2/health/live", "8080"), (Text(container, "livenessProbe", "httpGet", "path"), Text(container, "livenessProbe", "httpGet", "port")));
        Assert.Equal("kiln-serve-loan", Text(container, "envFrom", 0, "configMapRef", "name"));
        Assert.Equal("kiln-serve-loan-store", Text(container, "envFrom", 1, "secretRef", "name")); // PGPASSWORD
        Assert.Equal(("artifacts", "/srv/kiln/artifacts", "true"), (Text(container, "volumeMounts", 0, "name"), Text(container, "volumeMounts", 0, "mountPath"), Text(container, "volumeMounts", 0, "readOnly")));
        Assert.Equal("kiln-artifacts", Text(deployment, "spec", "template", "spec", "volumes", 0, "persistentVolumeClaim", "claimName"));
        Assert.Equal("8080", Text(deployment, "spec", "template", "metadata", "annotations", "prometheus.io/port"));

        Assert.Equal(labels, Map(service, "spec", "selector"));
        Assert.Equal(("80", "http"), (Text(service, "spec", "ports", 0, "port"), Text(service, "spec", "ports", 0, "targetPort")));
        Assert.Equal("autoscaling/v2", Text(autoscaler, "apiVersion"));
        Assert.Equal(("Deployment", "kiln-serve-loan"), (Text(autoscaler, "spec", "scaleTargetRef", "kind"), Text(autoscaler, "spec", "scaleTargetRef", "name")));
        Assert.Equal(("2", "10", "cpu", "70"), (Text(autoscaler, "spec", "minReplicas"), Text(autoscaler, "spec", "maxReplicas"),
            Text(autoscaler, "spec", "metrics", 0, "resource", "name"), Text(autoscaler, "spec", "metrics", 0, "resource", "target", "averageUtilization")));
    }

    [Fact]
    public void A_sqlite_store_gets_one_replica_with_its_folder_mounted_and_a_name_kubernetes_accepts()
    {
        var home = Path.Combine(Path.GetTempPath(), "kiln home");
        var deployment = Loan with { Name = "Loan_EU" };
        var docs = Documents(ReplicaPackage.Kubernetes(deployment, new ReplicaPackageOptions($"sqlite:///{home}/kiln.db", Path.Combine(home, "artifacts")) { Port = 9000 }));
        Assert.Equal("kiln-serve-loan-eu", Text(docs[1], "metadata", "name"));
        Assert.Equal($"sqlite:///{home}/kiln.db", Map(docs[0], "data")["KILN_STORE"]);
        Assert.Equal("1", Text(docs[1], "spec", "replicas"));
        Assert.Equal(("1", "1"), (Text(docs[3], "spec", "minReplicas"), Text(docs[3], "spec", "maxReplicas")));
        var container = At(docs[1], "spec", "template", "spec", "containers", 0);
        var mount = Assert.Single(((YamlSequenceNode)At(container, "volumeMounts")).Children); // the artifacts are under the store's folder: one volume
        Assert.Equal(("store", home), (Text(mount, "name"), Text(mount, "mountPath")));
        Assert.Equal(("9000", "9000"), (Text(container, "ports", 0, "containerPort"), Text(container, "readinessProbe", "httpGet", "port")));
        Assert.Single(((YamlSequenceNode)At(container, "envFrom")).Children); // no password, no secret
    }

    [Fact]
    public void The_dockerfile_runs_kiln_serve_for_the_deployment_on_the_aspnet_runtime_with_the_stores_from_the_environment()
    {
        var files = ReplicaPackage.Files(Loan, "docker", new ReplicaPackageOptions("postgresql://kiln:hunter2@db/kiln", "/srv/kiln/artifacts"));
        Assert.Equal(["Dockerfile", ".dockerignore"], files.Keys);
        var dockerfile = files["Dockerfile"];
        var instructions = dockerfile.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal("FROM mcr.microsoft.com/dotnet/aspnet:10.0", instructions[0]);
        Assert.Contains("COPY kiln/ /opt/kiln/", instructions);
        Assert.Contains("EXPOSE 8080", instructions);
        var entry = JsonSerializer.Deserialize<string[]>(instructions.Single(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))["ENTRYPOINT ".Length..]);
        Assert.Equal(["dotnet", "/opt/kiln/kiln.dll", "serve", "--deployment", "loan", "--host", "0.0.0.0", "--port", "8080"], entry!);
        Assert.DoesNotContain(instructions, l => l.Contains("KILN_STORE", StringComparison.Ordinal)); // the stores come from the environment at run time
        Assert.Contains("-e KILN_STORE=\"postgresql://kiln@db/kiln\" -e PGPASSWORD=…", dockerfile);
        Assert.DoesNotContain("hunter2", dockerfile);
        Assert.Equal("*\n!kiln/\n", files[".dockerignore"]);
    }

    [Fact]
    public void Unknown_formats_and_out_of_range_options_are_refused_clearly()
    {
        var options = new ReplicaPackageOptions("sqlite:///kiln.db", "artifacts");
        Assert.Equal("Unknown export format 'helm': use docker or kubernetes.", Assert.Throws<KilnException>(() => ReplicaPackage.Files(Loan, "helm", options)).Message);
        Assert.Equal(ErrorCode.InvalidParameterValue, Assert.Throws<KilnException>(() => ReplicaPackage.Files(Loan, "docker", options with { Port = 0 })).Code);
        Assert.Equal(("postgresql://u@h/db", "p@ss"), ReplicaPackage.SplitPassword("postgresql://u:p%40ss@h/db"));
        Assert.Equal(("postgresql://u@h/db", (string?)null), ReplicaPackage.SplitPassword("postgresql://u@h/db"));
    }
}
