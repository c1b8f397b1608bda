using Kiln.Core.Errors;
using Kiln.Core.Registry;

namespace Kiln.Core.Tests.Registry;

public sealed class ModelUriTests
{
    [Theory]
    [InlineData("models:/loans/3", "loans", 3, null, null)]
    [InlineData("models:/loans@champion", "loans", null, "champion", null)]
    [InlineData("models:/loans/latest", "loans", null, null, null)]
    [InlineData("models:/loans/LATEST", "loans", null, null, null)]
    [InlineData("models:/loans/production", "loans", null, null, "Production")]
    [InlineData("models:/team/loans@v-next", "team/loans", null, "v-next", null)]
    public void Parses_every_form(string uri, string name, int? version, string? alias, string? stage)
    {
        var parsed = ModelUri.Parse(uri);
        Assert.Equal((name, version, alias, stage), (parsed.Name, parsed.Version, parsed.Alias, parsed.Stage));
        Assert.Equal(uri.EndsWith("/LATEST", StringComparison.Ordinal) ? "models:/loans/latest" : uri.Replace("/production", "/Production", StringComparison.Ordinal), parsed.ToString());
    }

    [Theory]
    [InlineData("models:/loans")]
    [InlineData("models:/loans/")]
    [InlineData("models:/loans/two")]
    [InlineData("models:/@champion")]
    [InlineData("runs:/abc/model")]
    public void Refuses_what_is_not_a_model_uri_and_names_the_forms(string uri)
    {
        var e = Assert.Throws<KilnException>(() => ModelUri.Parse(uri));
        Assert.Equal(ErrorCode.InvalidParameterValue, e.Code);
        Assert.Contains("models:/model_name@alias", e.Message);
    }
}
