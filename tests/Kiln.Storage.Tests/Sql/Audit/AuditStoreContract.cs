using Kiln.Core.Audit;
using Kiln.Core.Registry;

// The audit log's part of the one store contract (same class, so SQLite and PostgreSQL both run it).
namespace Kiln.Storage.Tests.Sql.Tracking;

public abstract partial class TrackingStoreContract
{
    private async Task ExecuteRawAsync(string sql)
    {
        await using var connection = await ((Kiln.Storage.Sql.SqlMetadataStore)Metadata).Dialect.OpenAsync(default);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Audit_records_changes_with_who_and_before_after_and_verifies_its_chain()
    {
        AuditContext.SetUser("ana");
        await Metadata.Registry.CreateModelAsync("audited", "first", new Dictionary<string, string>(), Now());
        await Metadata.Registry.CreateVersionAsync(new NewModelVersion("audited", "runs:/r/model", "r", null, null, "ana", new Dictionary<string, string>()), Now());
        AuditContext.SetUser("bo");
        await Metadata.Registry.SetAliasAsync("audited", "champion", 1, new AliasChange("bo", "promote", "gate passed"), Now());
        await Metadata.Registry.UpdateModelAsync("audited", "second", Now());
        var experiment = await Store.CreateExperimentAsync("audited-exp", null, []);

        var entries = await Metadata.Audit.ListAsync("models/audited", null, 100);
        Assert.Equal(["model.create:ana", "model.version.create:ana", "model.alias.set:bo", "model.update:bo"], entries.Select(e => $"{e.Action}:{e.UserId}"));
        Assert.Equal("{\"description\":\"first\"}", entries[3].Before);
        Assert.Equal("{\"description\":\"second\"}", entries[3].After);
        Assert.Contains("gate passed", entries[2].After);
        Assert.Single(await Metadata.Audit.ListAsync($"experiments/{experiment}", null, 100));
        var all = await Metadata.Audit.ListAsync(null, null, 1000);
        Assert.Equal(all.Skip(1).Select(e => e.PreviousHash), all.SkipLast(1).Select(e => e.Hash));
        var intact = await Metadata.Audit.VerifyAsync();
        Assert.True(intact.Intact, string.Join("\n", intact.Problems));
        Assert.Equal(all[^1].Hash, intact.Head);

        // an edited entry and a deleted one are both named
        await ExecuteRawAsync($"UPDATE audit_log SET user_id = 'mallory' WHERE id = {entries[2].Id}");
        await ExecuteRawAsync($"DELETE FROM audit_log WHERE id = {entries[1].Id}");
        var broken = await Metadata.Audit.VerifyAsync();
        Assert.False(broken.Intact);
        Assert.Contains(broken.Problems, p => p.Contains($"Entry {entries[2].Id} ", StringComparison.Ordinal) && p.Contains("edited", StringComparison.Ordinal));
        Assert.Contains(broken.Problems, p => p.Contains($"Entry {entries[2].Id} ", StringComparison.Ordinal) && p.Contains("deleted or edited", StringComparison.Ordinal));
        AuditContext.SetUser(null);
    }

    [Fact]
    public async Task Audit_chain_stays_whole_when_two_processes_change_things_at_once()
    {
        await using var second = await OpenSecondAsync();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            (i % 2 == 0 ? Metadata : second).Registry.CreateModelAsync($"concurrent-{i}", null, new Dictionary<string, string>(), Now())));
        var result = await Metadata.Audit.VerifyAsync();
        Assert.True(result.Intact, string.Join("\n", result.Problems));
        Assert.Equal(16, (await Metadata.Audit.ListAsync("models", null, 100)).Count(e => e.Action == "model.create"));
    }
}
