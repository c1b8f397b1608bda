using Kiln.Core.Json;
using Kiln.Core.Mlflow;
using Kiln.Core.Tracking;
using Kiln.Server.Http;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow entities out of a request's parameters, read with the shared codec (<see cref="MlflowJson"/>).</summary>
public static class MlflowRequests
{
    /// <summary>The tags in the array parameter <paramref name="name"/>.</summary>
    public static List<Tag> Tags(ApiRequest request, string name) => [.. request.Objects(name).Select(MlflowJson.ReadTag)];

    /// <summary>The dataset inputs in the array parameter <paramref name="name"/>.</summary>
    public static List<DatasetInput> DatasetInputs(ApiRequest request, string name) => [.. request.Objects(name).Select(MlflowJson.ReadDatasetInput)];

    /// <summary>The metric that is the request body itself (runs/log-metric); its timestamp is required, as in MLflow.</summary>
    public static Metric Metric(ApiRequest request)
    {
        var body = request.Body ?? throw JsonValues.Missing("key");
        if (!body.TryGetProperty("timestamp", out var timestamp) || timestamp.ValueKind == System.Text.Json.JsonValueKind.Null)
        {
            throw JsonValues.Missing("timestamp");
        }
        return MlflowJson.ReadMetric(body);
    }
}
