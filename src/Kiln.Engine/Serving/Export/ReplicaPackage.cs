using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kiln.Core.Errors;
using Kiln.Core.Serving;

namespace Kiln.Engine.Serving.Export;

/// <summary>What an exported replica needs besides its deployment: where the stores are, and the image to run.</summary>
/// <param name="StoreUri">The metadata store URI the replicas read (as <c>--store</c> / KILN_STORE). A password in it is never written out: the manifests take it from a Secret as PGPASSWORD.</param>
/// <param name="ArtifactsRoot">The artifact root (as <c>--artifacts</c> / KILN_ARTIFACTS).</param>
public sealed record ReplicaPackageOptions(string StoreUri, string ArtifactsRoot)
{
    /// <summary>The image the Kubernetes Deployment runs (default <c>kiln-serve-NAME:latest</c>, as the Dockerfile's instructions tag it).</summary>
    public string? Image { get; init; }

    /// <summary>The port the replica listens on in its container (1–65535).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The fewest replicas the autoscaler keeps (1 or more; a SQLite store gets one replica whatever this says).</summary>
    public int MinReplicas { get; init; } = 2;

    /// <summary>The most replicas the autoscaler starts (at least <see cref="MinReplicas"/>).</summary>
    public int MaxReplicas { get; init; } = 10;

    /// <summary>The average CPU use (percent of the request, 1–100) the autoscaler aims for.</summary>
    public int TargetCpuPercent { get; init; } = 70;
}

/// <summary>
/// Packaging for a deployment's serving replicas (<c>kiln deploy export</c>): a Dockerfile that runs
/// <c>kiln serve --deployment NAME</c> on the ASP.NET runtime image, with the stores from the environment (KILN_STORE,
/// KILN_ARTIFACTS, as the CLI reads them); and Kubernetes manifests for it: a ConfigMap with the store URIs, a Deployment
/// probed on <c>/v2/health/ready</c> and <c>/v2/health/live</c>, a Service and a HorizontalPodAutoscaler.
/// </summary>
public static partial class ReplicaPackage
{
    /// <summary>The formats <see cref="Files"/> writes.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["docker", "kubernetes"];

    /// <summary>The files of one format, by file name: <c>Dockerfile</c> and <c>.dockerignore</c>, or <c>kiln-serve-NAME.yaml</c>.</summary>
    public static IReadOnlyDictionary<string, string> Files(Deployment deployment, string format, ReplicaPackageOptions options)
    {
        Check(options);
        return format.ToLowerInvariant() switch
        {
            "docker" => new Dictionary<string, string> { ["Dockerfile"] = Dockerfile(deployment, options), [".dockerignore"] = DockerIgnore },
            "kubernetes" or "k8s" => new Dictionary<string, string> { [$"{ResourceName(deployment.Name)}.yaml"] = Kubernetes(deployment, options) },
            _ => throw KilnException.Invalid($"Unknown export format '{format}': use {string.Join(" or ", Formats)}."),
        };
    }

    /// <summary>A Kubernetes resource name for the deployment's replicas: <c>kiln-serve-NAME</c>, lower case, '_' as '-' (DNS-1123, at most 63 characters).</summary>
    public static string ResourceName(string deployment)
    {
        var name = "kiln-serve-" + deployment.ToLowerInvariant().Replace('_', '-');
        return name.Length <= 63 ? name : name[..63].TrimEnd('-');
    }

    /// <summary>The store URI without its password, and the password (null when there is none).</summary>
    public static (string Uri, string? Password) SplitPassword(string storeUri)
    {
        var match = Credentials().Match(storeUri);
        return match.Success ? (storeUri[..match.Groups[1].Index] + storeUri[(match.Groups[1].Index + match.Groups[1].Length)..], Uri.UnescapeDataString(match.Groups[1].Value[1..])) : (storeUri, null);
    }

    /// <summary>A string as a double-quoted scalar (JSON's escapes are YAML's), which also makes Docker's exec form.</summary>
    private static string Quote(string value) => JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static void Check(ReplicaPackageOptions o)
    {
        if (o.Port is < 1 or > 65535 || o.MinReplicas < 1 || o.MaxReplicas < o.MinReplicas || o.TargetCpuPercent is < 1 or > 100)
        {
            throw KilnException.Invalid($"Export options out of range: port {o.Port} (1–65535), replicas {o.MinReplicas}–{o.MaxReplicas} (1 or more, min ≤ max), CPU target {o.TargetCpuPercent}% (1–100).");
        }
    }

    /// <summary>The <c>:password</c> of <c>scheme://user:password@host</c>.</summary>
    [GeneratedRegex("^[a-z]+://[^:/@]+(:[^@/]*)@", RegexOptions.IgnoreCase)]
    private static partial Regex Credentials();
}
