using Kiln.Core.Errors;
using Kiln.Engine.Data;

namespace Kiln.Client.Tests.Data;

/// <summary>The SDK reads datasets over /api/kiln/datasets from a real server.</summary>
public sealed class DatasetClientTests : ClientTestBase
{
    [Fact]
    public async Task Lists_datasets_and_versions_and_reads_a_versions_files()
    {
        var data = Server.Get<DataService>();
        var file = Path.Combine(Server.Directory, "loans.csv");
        await File.WriteAllTextAsync(file, "income\n1\n");
        var (first, _, _) = await data.AddAsync("loans", file, "v1", "me");
        await File.AppendAllTextAsync(file, "2\n");
        var (second, _, _) = await data.AddAsync("loans", file, "v2", "me");

        var datasets = await Client.ListDatasetsAsync();
        var loans = Assert.Single(datasets);
        Assert.Equal((2, second.VersionId), (loans.VersionCount, loans.Latest!.VersionId));
        Assert.Equal([second.VersionId, first.VersionId], (await Client.ListDatasetVersionsAsync("loans")).Select(v => v.VersionId));
        var (version, files) = await Client.GetDatasetVersionAsync("loans", first.VersionId);
        Assert.Equal("v1", version.Message);
        Assert.Equal("loans.csv", Assert.Single(files).Path);
        Assert.Equal(second.VersionId, (await Client.GetDatasetVersionAsync("loans")).Version.VersionId);

        var missing = await Assert.ThrowsAsync<KilnException>(() => Client.ListDatasetVersionsAsync("nope"));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, missing.Code);

        using var diff = System.Text.Json.JsonDocument.Parse(await Server.Http.GetStringAsync($"api/kiln/datasets/loans/diff?from={Uri.EscapeDataString(first.VersionId)}"));
        var change = Assert.Single(diff.RootElement.GetProperty("changes").EnumerateArray());
        Assert.Equal("rows 1 → 2; 1 column(s) with changed statistics", change.GetProperty("table").GetString());
        Assert.Equal("changed", change.GetProperty("columns")[0].GetProperty("change").GetString());
        using var lineage = System.Text.Json.JsonDocument.Parse(await Server.Http.GetStringAsync("api/kiln/datasets/loans/versions/latest/lineage"));
        Assert.Empty(lineage.RootElement.GetProperty("runs").EnumerateArray());
    }
}
