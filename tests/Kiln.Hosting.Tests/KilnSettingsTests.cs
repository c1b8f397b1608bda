using Kiln.Hosting;

namespace Kiln.Hosting.Tests;

public sealed class KilnSettingsTests
{
    [Fact]
    public void Defaults_live_under_the_home_directory()
    {
        var settings = KilnSettings.Resolve(home: "/tmp/kiln-home-test");
        Assert.Equal("sqlite:////tmp/kiln-home-test/kiln.db", settings.StoreUri);
        Assert.Equal("/tmp/kiln-home-test/artifacts", settings.ArtifactsRoot);
    }

    [Fact]
    public void Explicit_values_win_and_passwords_are_hidden()
    {
        var settings = KilnSettings.Resolve("postgresql://kiln:secret@db:5432/kiln", "/data/artifacts", "/tmp/h");
        Assert.Equal("/data/artifacts", settings.ArtifactsRoot);
        Assert.DoesNotContain("secret", settings.StoreDisplay);
        Assert.Contains("kiln:***@db", settings.StoreDisplay);
    }

    [Fact]
    public async Task Unknown_store_schemes_list_the_known_ones()
    {
        var e = await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => KilnHost.OpenAsync(KilnSettings.Resolve("mongodb://x", "/tmp/kiln-a", "/tmp/kiln-h")));
        Assert.Contains("postgres:, postgresql:, sqlite:", e.Message);
        Assert.Contains("--store or KILN_STORE", e.Message);
    }
}
