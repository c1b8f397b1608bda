using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kiln.Core.Mlflow;

/// <summary>
/// MLflow's JSON shapes of Kiln's records (protobuf JSON with the proto's field names): int64 as numbers,
/// NaN/±Infinity as strings, empty lists omitted. The one codec: the server writes responses and reads requests with
/// it, Kiln.Client writes requests and reads responses with it. Writers are in <c>MlflowJson.Write.cs</c>,
/// readers in <c>MlflowJson.Read.cs</c>.
/// </summary>
public static partial class MlflowJson
{
    /// <summary>Writer options for MLflow JSON: readable quotes and non-ASCII, as MLflow's server writes them.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
