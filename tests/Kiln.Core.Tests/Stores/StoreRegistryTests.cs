using Kiln.Core.Errors;
using Kiln.Core.Stores;

namespace Kiln.Core.Tests.Stores;

public sealed class StoreRegistryTests
{
    [Fact]
    public void Opens_by_scheme_and_lists_known_schemes_otherwise()
    {
        var registry = new StoreRegistry<string>("metadata store").Register("sqlite", (u, _) => "S:" + u.Value).Register("postgresql", (u, _) => "P:" + u.Value);
        Assert.Equal("S:sqlite:///x.db", registry.Open("sqlite:///x.db"));
        Assert.Equal("P:POSTGRESQL://h/db", registry.Open("POSTGRESQL://h/db"));
        var e = Assert.Throws<KilnException>(() => registry.Open("mysql://h/db"));
        Assert.Contains("'mysql'", e.Message);
        Assert.Contains("postgresql:, sqlite:", e.Message);
        Assert.Throws<KilnException>(() => registry.Open("no-scheme"));
    }

    [Fact]
    public void Factories_get_the_context_they_are_opened_with()
    {
        var registry = new StoreRegistry<string>("artifact store").Register("file", (_, context) => context.DefaultArtifactRoot);
        Assert.Equal("/srv/artifacts", registry.Open("file:///x", StoreContext.Default with { DefaultArtifactRoot = "/srv/artifacts" }));
        Assert.Equal("mlflow-artifacts:", registry.Open("file:///x"));
    }
}
