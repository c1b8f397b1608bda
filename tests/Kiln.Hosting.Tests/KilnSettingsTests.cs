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

public sealed class KilnSettingsTrackingUriTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void An_http_tracking_uri_names_a_server_and_opens_no_store()
    {
        var settings = KilnSettings.Resolve(home: "/tmp/h", tracking: "http://mlops:5000", environment: Env());
        Assert.Equal(new Uri("http://mlops:5000"), settings.TrackingServer);
        Assert.Equal("http://mlops:5000/", settings.TrackingDisplay);
    }

    [Fact]
    public void The_flag_beats_KILN_TRACKING_URI_which_beats_MLFLOW_TRACKING_URI()
    {
        var env = Env(("KILN_TRACKING_URI", "http://kiln:1"), ("MLFLOW_TRACKING_URI", "http://mlflow:2"));
        Assert.Equal("kiln", KilnSettings.Resolve(home: "/tmp/h", environment: env).TrackingServer!.Host);
        Assert.Equal("flag", KilnSettings.Resolve(home: "/tmp/h", tracking: "https://flag:3", environment: env).TrackingServer!.Host);
        Assert.Equal("mlflow", KilnSettings.Resolve(home: "/tmp/h", environment: Env(("MLFLOW_TRACKING_URI", "http://mlflow:2"))).TrackingServer!.Host);
    }

    [Fact]
    public void A_local_MLFLOW_TRACKING_URI_is_left_to_MLflow_and_an_explicit_store_beats_the_environment()
    {
        var local = KilnSettings.Resolve(home: "/tmp/h", environment: Env(("MLFLOW_TRACKING_URI", "./mlruns")));
        Assert.Null(local.TrackingServer);
        Assert.Equal("sqlite:////tmp/h/kiln.db", local.StoreUri);
        var store = KilnSettings.Resolve("sqlite:///x.db", home: "/tmp/h", environment: Env(("KILN_TRACKING_URI", "http://kiln:1")));
        Assert.Null(store.TrackingServer);
        Assert.Equal("sqlite:///x.db", store.StoreUri);
    }

    [Fact]
    public void KILN_STORE_beats_an_MLFLOW_TRACKING_URI_set_for_python_scripts_but_not_KILN_TRACKING_URI()
    {
        var env = Env(("KILN_STORE", "sqlite:///team.db"), ("MLFLOW_TRACKING_URI", "http://mlflow:2"));
        Assert.Null(KilnSettings.Resolve(home: "/tmp/h", environment: env).TrackingServer);
        Assert.Equal("sqlite:///team.db", KilnSettings.Resolve(home: "/tmp/h", environment: env).StoreUri);
        Assert.Equal("kiln", KilnSettings.Resolve(home: "/tmp/h", environment: Env(("KILN_STORE", "sqlite:///team.db"), ("KILN_TRACKING_URI", "http://kiln:1"))).TrackingServer!.Host);
    }

    [Fact]
    public void A_store_uri_as_tracking_uri_is_the_store()
    {
        var settings = KilnSettings.Resolve(home: "/tmp/h", tracking: "postgresql://u@db/kiln", environment: Env());
        Assert.Null(settings.TrackingServer);
        Assert.Equal("postgresql://u@db/kiln", settings.StoreUri);
    }

    [Theory]
    [InlineData("ftp://x", "neither a tracking server")]
    [InlineData("http://", "not a valid server address")]
    public void A_bad_tracking_uri_says_what_it_accepts(string uri, string message)
    {
        var e = Assert.Throws<Kiln.Core.Errors.KilnException>(() => KilnSettings.Resolve(home: "/tmp/h", tracking: uri, environment: Env()));
        Assert.Contains(message, e.Message);
        Assert.Contains("--tracking-uri", e.Message);
    }

    [Fact]
    public void Both_a_tracking_uri_and_a_store_flag_is_an_error()
    {
        var e = Assert.Throws<Kiln.Core.Errors.KilnException>(() => KilnSettings.Resolve("sqlite:///x.db", home: "/tmp/h", tracking: "http://a:1", environment: Env()));
        Assert.Contains("not both", e.Message);
    }
}
