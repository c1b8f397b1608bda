using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Testing;

namespace Kiln.Server.Tests.Serving;

/// <summary>
/// The Open Inference Protocol's binary tensor data extension over REST, as Triton's and KServe's HTTP clients send it:
/// the JSON's length in <c>Inference-Header-Content-Length</c>, each binary input's <c>binary_data_size</c>, the tensors'
/// bytes after the JSON; outputs asked for as binary come back the same way.
/// </summary>
public sealed class BinaryTensorTests : IAsyncLifetime
{
    private static readonly (double Income, double Debt, string Region)[] Rows =
        [(0.9, 0.1, "north"), (0.1, 0.9, "south"), (0.5, 0.5, "east"), (double.NaN, 0.3, "north")];

    private KilnTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await KilnTestServer.StartAsync();
        await LoanDeployment.CreateAsync(_server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static byte[] Fp64(IEnumerable<double> values) => [.. values.SelectMany(v => BitConverter.GetBytes(v))];

    private static byte[] Fp32(IEnumerable<double> values) => [.. values.SelectMany(v => BitConverter.GetBytes((float)v))];

    private static byte[] Texts(IEnumerable<string> values) =>
        [.. values.SelectMany(v => BitConverter.GetBytes((uint)Encoding.UTF8.GetByteCount(v)).Concat(Encoding.UTF8.GetBytes(v)))];

    private async Task<HttpResponseMessage> InferAsync(string json, byte[] binary, int? headerLength = -1)
    {
        var head = Encoding.UTF8.GetBytes(json);
        var content = new ByteArrayContent([.. head, .. binary]);
        content.Headers.ContentType = new("application/octet-stream");
        if (headerLength is { } length)
        {
            content.Headers.Add("Inference-Header-Content-Length", (length < 0 ? head.Length : length).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return await _server.Http.PostAsync("/v2/models/loan/infer", content);
    }

    /// <summary>The probabilities and labels of the JSON protocol for <paramref name="rows"/> (NaN sent as null).</summary>
    private async Task<(double[] Probabilities, string?[] Labels)> JsonInferAsync(IEnumerable<(double Income, double Debt, string Region)> rows)
    {
        static string Numbers(IEnumerable<double> values) =>
            string.Join(", ", values.Select(v => double.IsNaN(v) ? "null" : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var list = rows.ToList();
        using var response = await _server.Http.PostAsync("/v2/models/loan/infer", new StringContent($$$"""
            {"inputs": [
              {"name": "income", "datatype": "FP64", "data": [{{{Numbers(list.Select(r => r.Income))}}}]},
              {"name": "debt", "datatype": "FP64", "data": [{{{Numbers(list.Select(r => r.Debt))}}}]},
              {"name": "region", "datatype": "BYTES", "data": [{{{string.Join(", ", list.Select(r => $"\"{r.Region}\""))}}}]}]}
            """, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return ([.. Output(doc.RootElement, "probability").GetProperty("data").EnumerateArray().Select(e => e.GetDouble())],
            [.. Output(doc.RootElement, "prediction").GetProperty("data").EnumerateArray().Select(e => e.GetString())]);
    }

    /// <summary>A binary answer's JSON header and its binary data.</summary>
    private static async Task<(JsonElement Json, byte[] Binary)> SplitAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var length = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var body = await response.Content.ReadAsByteArrayAsync();
        using var doc = JsonDocument.Parse(body.AsMemory(0, length));
        return (doc.RootElement.Clone(), body[length..]);
    }

    private static JsonElement Output(JsonElement json, string name) =>
        json.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Binary_inputs_score_as_json_inputs_do_and_binary_outputs_carry_the_same_values()
    {
        var income = Fp64(Rows.Select(r => r.Income));
        var debt = Fp32(Rows.Select(r => r.Debt)); // FP32 widened on the server, as the JSON path does
        var region = Texts(Rows.Select(r => r.Region));
        var json = $$$"""
            {"id": "bin-1", "inputs": [
              {"name": "income", "shape": [4], "datatype": "FP64", "parameters": {"binary_data_size": {{{income.Length}}}}},
              {"name": "debt", "shape": [4, 1], "datatype": "FP32", "parameters": {"binary_data_size": {{{debt.Length}}}}},
              {"name": "region", "shape": [4], "datatype": "BYTES", "parameters": {"binary_data_size": {{{region.Length}}}}}],
             "parameters": {"binary_data_output": true}}
            """;
        using var response = await InferAsync(json, [.. income, .. debt, .. region]);
        var (head, binary) = await SplitAsync(response);
        Assert.Equal("bin-1", head.GetProperty("id").GetString());
        var probability = Output(head, "probability");
        var prediction = Output(head, "prediction");
        Assert.False(probability.TryGetProperty("data", out _));
        var probabilityBytes = probability.GetProperty("parameters").GetProperty("binary_data_size").GetInt32();
        var predictionBytes = prediction.GetProperty("parameters").GetProperty("binary_data_size").GetInt32();
        Assert.Equal(4 * sizeof(double), probabilityBytes);
        Assert.Equal(binary.Length, probabilityBytes + predictionBytes);

        // outputs' bytes follow in the order of the JSON's outputs
        var order = head.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ToList();
        var probabilityAt = order.IndexOf("probability") == 0 ? 0 : predictionBytes;
        var predictionAt = probabilityAt == 0 ? probabilityBytes : 0;
        var got = Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(binary.AsSpan(probabilityAt + (8 * i)))).ToArray();
        var labels = new List<string>();
        var rest = binary.AsSpan(predictionAt, predictionBytes);
        while (rest.Length > 0)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(rest);
            labels.Add(Encoding.UTF8.GetString(rest.Slice(4, length)));
            rest = rest[(4 + length)..];
        }
        var (probabilities, expectedLabels) = await JsonInferAsync(Rows.Select(r => (r.Income, (double)(float)r.Debt, r.Region)));
        Assert.Equal(probabilities, got);
        Assert.Equal(expectedLabels, labels);
        Assert.Contains(got, p => p > 0.5);
        Assert.Contains(got, p => p < 0.5);
    }

    [Fact]
    public async Task Binary_and_json_tensors_mix_and_only_the_outputs_asked_for_come_back_binary()
    {
        var (expected, _) = await JsonInferAsync(Rows);
        var income = Fp64(Rows.Select(r => r.Income));
        var json = $$$"""
            {"inputs": [
              {"name": "income", "shape": [4], "datatype": "FP64", "parameters": {"binary_data_size": {{{income.Length}}}}},
              {"name": "debt", "shape": [4], "datatype": "FP64", "data": [{{{string.Join(", ", Rows.Select(r => r.Debt.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}}}]},
              {"name": "region", "shape": [4], "datatype": "BYTES", "data": [{{{string.Join(", ", Rows.Select(r => $"\"{r.Region}\""))}}}]}],
             "outputs": [{"name": "probability", "parameters": {"binary_data": true}}, {"name": "prediction"}]}
            """;
        using var response = await InferAsync(json, income);
        var (head, binary) = await SplitAsync(response);
        Assert.Equal(expected, Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(binary.AsSpan(8 * i))));
        Assert.Equal(4, Output(head, "prediction").GetProperty("data").GetArrayLength());

        // no binary output asked for: a plain JSON answer, even for binary inputs
        using var plain = await InferAsync(json.Replace("\"parameters\": {\"binary_data\": true}", "\"parameters\": {}", StringComparison.Ordinal), income);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("application/json", plain.Content.Headers.ContentType?.MediaType);
        Assert.False(plain.Headers.Contains("Inference-Header-Content-Length"));
        using var doc = JsonDocument.Parse(await plain.Content.ReadAsStringAsync());
        Assert.Equal(expected, Output(doc.RootElement, "probability").GetProperty("data").EnumerateArray().Select(e => e.GetDouble()));

        using var meta = JsonDocument.Parse(await _server.Http.GetStringAsync("/v2"));
        Assert.Contains("binary_tensor_data", meta.RootElement.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Binary_data_that_does_not_add_up_is_a_400_naming_what_is_wrong()
    {
        var income = Fp64(Rows.Select(r => r.Income));
        string Json(int size, string extra = "") => $$$"""
            {"inputs": [
              {"name": "income", "shape": [4], "datatype": "FP64", "parameters": {"binary_data_size": {{{size}}}}{{{extra}}}},
              {"name": "debt", "shape": [4], "datatype": "FP64", "data": [0.1, 0.2, 0.3, 0.4]},
              {"name": "region", "shape": [4], "datatype": "BYTES", "data": ["north", "south", "east", "west"]}]}
            """;
        async Task RefusedAsync(HttpResponseMessage response, string message)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Contains(message, error.RootElement.GetProperty("error").GetString());
            response.Dispose();
        }

        await RefusedAsync(await InferAsync(Json(40), income), "has binary_data_size 40, but only 32 bytes of binary data are left");
        await RefusedAsync(await InferAsync(Json(24), income), "carries 32 bytes of binary data, but its inputs' binary_data_size add up to 24");
        await RefusedAsync(await InferAsync(Json(32), income, headerLength: null), "Malformed JSON");
        await RefusedAsync(await InferAsync(Json(32), [], headerLength: null), "has binary_data_size 32, but the request has no binary data");
        await RefusedAsync(await InferAsync(Json(32), income, headerLength: 1_000_000), "Inference-Header-Content-Length is '1000000'");
        await RefusedAsync(await InferAsync(Json(32, ", \"data\": [1, 2, 3, 4]"), income), "gives both \"data\" and binary_data_size");
        await RefusedAsync(await InferAsync(Json(30), income[..30]), "not a whole number of FP64 elements of 8 bytes");
        var cut = Texts(["north", "south"])[..15]; // the second element's length, then 2 of its 5 bytes
        await RefusedAsync(await InferAsync($$$"""
            {"inputs": [
              {"name": "income", "datatype": "FP64", "data": [0.1, 0.2]},
              {"name": "debt", "datatype": "FP64", "data": [0.1, 0.2]},
              {"name": "region", "datatype": "BYTES", "parameters": {"binary_data_size": {{{cut.Length}}}}}]}
            """, cut), "BYTES element 1 of its binary data is cut short");

        // nothing was scored or stored wrongly: the deployment still answers
        Assert.Equal(4, (await JsonInferAsync(Rows)).Probabilities.Length);
    }
}
