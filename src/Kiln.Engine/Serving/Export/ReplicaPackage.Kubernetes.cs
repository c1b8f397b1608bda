using System.Text;
using Kiln.Core.Serving;

namespace Kiln.Engine.Serving.Export;

public static partial class ReplicaPackage
{
    /// <summary>
    /// Kubernetes manifests, one YAML stream: a ConfigMap with the store URIs (KILN_STORE without its password, KILN_ARTIFACTS);
    /// a Deployment of the image with readiness and liveness probes on <c>/v2/health/ready</c> and <c>/v2/health/live</c>, the
    /// password (if the store URI has one) from a Secret as PGPASSWORD, and local stores mounted at the paths they have here; a
    /// Service on port 80; a HorizontalPodAutoscaler on CPU. A SQLite store gets one replica (one machine writes the file).
    /// </summary>
    public static string Kubernetes(Deployment deployment, ReplicaPackageOptions options)
    {
        var name = ResourceName(deployment.Name);
        var (store, password) = SplitPassword(options.StoreUri);
        var (sqlite, sqliteOptions) = SqliteFile(store);
        store = sqlite is null ? store : "sqlite:///" + sqlite + sqliteOptions;
        var artifacts = LocalFolder(options.ArtifactsRoot);
        var storeFolder = sqlite is null ? null : Path.GetDirectoryName(sqlite)!;
        if (artifacts is not null && storeFolder is not null && (artifacts + "/").StartsWith(storeFolder + "/", StringComparison.Ordinal))
        {
            artifacts = null; // under the store's folder: one volume holds both
        }
        var (min, max) = sqlite is null ? (options.MinReplicas, options.MaxReplicas) : (1, 1);
        var image = options.Image ?? $"{name}:latest";
        var labels = $"""
                app.kubernetes.io/name: kiln-serve
                app.kubernetes.io/instance: {name}
            """;

        var notes = new StringBuilder();
        if (password is not null)
        {
            notes.Append($"# The store's password is not written here; the replicas read it as PGPASSWORD from a Secret you create:\n#   kubectl create secret generic {name}-store --from-literal=PGPASSWORD='…'\n");
        }
        if (artifacts is not null)
        {
            notes.Append($"# The artifact root is a folder: the replicas mount it read-only at {artifacts} from the PersistentVolumeClaim kiln-artifacts (shared storage, e.g. NFS).\n");
        }
        if (storeFolder is not null)
        {
            notes.Append($"# The store is a SQLite file: one replica, with {storeFolder} mounted from the PersistentVolumeClaim kiln-store. Use PostgreSQL to run more.\n");
        }
        var secret = password is null ? "" : $"\n            - secretRef:\n                name: {name}-store";
        var mounts = new StringBuilder();
        var volumes = new StringBuilder();
        if (storeFolder is not null)
        {
            mounts.Append($"\n            - name: store\n              mountPath: {Quote(storeFolder)}");
            volumes.Append("\n        - name: store\n          persistentVolumeClaim:\n            claimName: kiln-store");
        }
        if (artifacts is not null)
        {
            mounts.Append($"\n            - name: artifacts\n              mountPath: {Quote(artifacts)}\n              readOnly: true");
            volumes.Append("\n        - name: artifacts\n          persistentVolumeClaim:\n            claimName: kiln-artifacts\n            readOnly: true");
        }

        return $"""
            # Kubernetes manifests for the serving replicas of Kiln deployment {Quote(deployment.Name)} (version {deployment.Version} when exported): kiln deploy export {deployment.Name} --format kubernetes.
            # The image is the one the Dockerfile builds (kiln deploy export {deployment.Name} --format docker): push it where the cluster pulls from and name it below.
            # The replicas follow the deployment as it is stored: kiln deploy update and rollback, and alias moves, reach them within seconds.
            {notes}apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {name}
              labels:
            {labels}
              annotations:
                kiln/deployment: {Quote(deployment.Name)}
            data:
              KILN_STORE: {Quote(store)}
              KILN_ARTIFACTS: {Quote(artifacts ?? LocalFolder(options.ArtifactsRoot) ?? options.ArtifactsRoot)}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {name}
              labels:
            {labels}
            spec:
              replicas: {min}
              selector:
                matchLabels:
            {Indent(labels, 2)}
              template:
                metadata:
                  labels:
            {Indent(labels, 4)}
                  annotations:
                    prometheus.io/scrape: "true"
                    prometheus.io/port: "{options.Port}"
                    prometheus.io/path: /metrics
                spec:
                  containers:
                    - name: kiln
                      image: {Quote(image)}
                      ports:
                        - name: http
                          containerPort: {options.Port}
                      envFrom:
                        - configMapRef:
                            name: {name}{secret}
                      readinessProbe:
                        httpGet:
                          path: /v2/health/ready
                          port: {options.Port}
                        initialDelaySeconds: 2
                        periodSeconds: 5
                      livenessProbe:
                        httpGet:
                          path: /v2/health/live
                          port: {options.Port}
                        initialDelaySeconds: 10
                        periodSeconds: 10
                      resources:
                        requests:
                          cpu: 250m
                          memory: 256Mi
                        limits:
                          memory: 1Gi{(mounts.Length == 0 ? "" : "\n          volumeMounts:" + mounts)}{(volumes.Length == 0 ? "" : "\n      volumes:" + volumes)}
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: {name}
              labels:
            {labels}
            spec:
              selector:
            {labels}
              ports:
                - name: http
                  port: 80
                  targetPort: http
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: {name}
              labels:
            {labels}
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: {name}
              minReplicas: {min}
              maxReplicas: {max}
              metrics:
                - type: Resource
                  resource:
                    name: cpu
                    target:
                      type: Utilization
                      averageUtilization: {options.TargetCpuPercent}

            """;
    }

    private static string Indent(string lines, int spaces) => string.Join('\n', lines.Split('\n').Select(l => new string(' ', spaces) + l));

    /// <summary>The SQLite file's absolute path and its options (<c>?synchronous=full</c>), for a <c>sqlite:///</c> URI.</summary>
    private static (string? File, string Options) SqliteFile(string storeUri)
    {
        const string Prefix = "sqlite:///";
        if (!storeUri.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return (null, "");
        }
        var path = storeUri[Prefix.Length..];
        var query = path.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? (Path.GetFullPath(path), "") : (Path.GetFullPath(path[..query]), path[query..]);
    }

    /// <summary>A local artifact root's absolute path (a plain path or <c>file://</c>); null for any other scheme.</summary>
    private static string? LocalFolder(string root) =>
        root.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(root).LocalPath.TrimEnd('/')
        : root.Contains("://", StringComparison.Ordinal) ? null
        : Path.GetFullPath(root).TrimEnd('/');
}
