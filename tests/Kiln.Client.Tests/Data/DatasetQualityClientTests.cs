using System.Globalization;
using System.Text;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Tabular.Statistics;

namespace Kiln.Client.Tests.Data;

/// <summary>The SDK's dataset writes and checks against a real server: upload, tags, statistics, schemas, validation, download, gc.</summary>
public sealed class DatasetQualityClientTests : ClientTestBase
{
    private string Csv(string name, double shift)
    {
        var random = new Random(5);
        var csv = new StringBuilder("income,grade\n");
        for (var i = 0; i < 500; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{(random.NextDouble() * 100) + shift:0.00},{"ABC"[random.Next(3)]}\n");
        }
        var folder = Path.Combine(Server.Directory, name);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "loans.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [Fact]
    public async Task Uploads_tags_profiles_validates_and_downloads_over_rest()
    {
        var (first, created) = await Client.AddDatasetVersionAsync("loans", Csv("a", 0), "first", new Dictionary<string, string> { ["source"] = "crm" });
        Assert.True(created);
        Assert.Equal(("first", "api", "crm"), (first.Message, first.UserId, first.Tags["source"]));
        Assert.False((await Client.AddDatasetVersionAsync("loans", Csv("a2", 0))).Created); // same content, same version
        var (second, _) = await Client.AddDatasetVersionAsync("loans", Csv("b", 60), "shifted");

        var tagged = await Client.SetDatasetTagAsync("loans", "latest", "stage", "review");
        Assert.Equal("review", tagged.Tags["stage"]);
        Assert.False((await Client.DeleteDatasetTagAsync("loans", "latest", "stage")).Tags.ContainsKey("stage"));

        var (path, json) = Assert.Single(await Client.GetDatasetStatsAsync("loans", first.VersionId));
        Assert.Equal("loans.csv", path);
        var profile = TableProfile.FromJson(json);
        Assert.Equal(500, profile.RowCount);
        Assert.NotNull(profile.GetColumn("income").Numeric!.Sketch);

        var yaml = await Client.InferDatasetSchemaAsync("loans", first.VersionId);
        var schema = await Client.SaveDatasetSchemaAsync("loans", yaml);
        Assert.StartsWith("blake3:", schema.SchemaId);
        Assert.Equal(schema.SchemaId, Assert.Single(await Client.ListDatasetSchemasAsync("loans")).SchemaId);
        var invalid = await Assert.ThrowsAsync<KilnException>(() => Client.SaveDatasetSchemaAsync("loans", "columns: [oops"));
        Assert.Equal(ErrorCode.InvalidParameterValue, invalid.Code);

        var validation = await Client.ValidateDatasetVersionAsync("loans", "latest", against: first.VersionId);
        Assert.Equal((1, second.VersionId), (validation.Errors, validation.VersionId));
        using (var result = JsonDocument.Parse(validation.ResultJson))
        {
            var anomaly = Assert.Single(result.RootElement.GetProperty("anomalies").EnumerateArray());
            Assert.Equal("income", anomaly.GetProperty("column").GetString());
        }
        Assert.Equal(validation.Id, Assert.Single(await Client.ListDatasetValidationsAsync("loans")).Id);
        Assert.Equal(validation.ResultJson.Length, (await Client.GetDatasetValidationAsync("loans", validation.Id)).ResultJson.Length);
        using (var report = await Server.Http.GetAsync($"api/kiln/datasets/loans/validations/{validation.Id}/report"))
        {
            Assert.Equal("text/html; charset=utf-8", report.Content.Headers.ContentType!.ToString());
            Assert.Contains("distribution_shift", await report.Content.ReadAsStringAsync());
        }

        var target = Path.Combine(Server.Directory, "downloaded.csv");
        await Client.DownloadDatasetFileAsync("loans", first.VersionId, "loans.csv", target);
        Assert.Equal(await File.ReadAllTextAsync(Csv("c", 0)), await File.ReadAllTextAsync(target));
        Assert.Equal(ErrorCode.ResourceDoesNotExist,
            (await Assert.ThrowsAsync<KilnException>(() => Client.DownloadDatasetFileAsync("loans", "latest", "nope.csv", target))).Code);

        Assert.Empty(await Client.GetDatasetLineageAsync("loans"));
        var garbage = await Client.CollectDatasetGarbageAsync(dryRun: true);
        Assert.Equal((0, garbage.Objects), (garbage.Deleted, garbage.Referenced));
        Assert.Contains("\"change\":\"changed\"", await Client.DiffDatasetVersionsAsync("loans", first.VersionId));

        // a data file larger than the server's 16 MiB limit for JSON requests uploads and downloads whole
        var big = Path.Combine(Server.Directory, "big.bin");
        var bytes = new byte[24 << 20];
        new Random(2).NextBytes(bytes);
        await File.WriteAllBytesAsync(big, bytes);
        var (large, _) = await Client.AddDatasetVersionAsync("blobs", big);
        Assert.Equal(bytes.LongLength, large.TotalBytes);
        await Client.DownloadDatasetFileAsync("blobs", "latest", "big.bin", Path.Combine(Server.Directory, "big-back.bin"));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(Server.Directory, "big-back.bin")));
        // a bad tag is refused before anything is stored
        Assert.Contains("Invalid tag key", (await Assert.ThrowsAsync<KilnException>(() =>
            Client.AddDatasetVersionAsync("tagged", big, tags: new Dictionary<string, string> { [" "] = "x" }))).Message);
        Assert.DoesNotContain(await Client.ListDatasetsAsync(), d => d.Name == "tagged");
    }
}
