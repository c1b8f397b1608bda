using Kiln.Core.Errors;
using Kiln.Core.Registry;

namespace Kiln.Core.Tests.Registry;

/// <summary>MLflow's alias, version and tag rules, with its messages (its clients and tests match on them).</summary>
public sealed class RegistryValidationTests
{
    [Theory]
    [InlineData("", "Registered model alias name cannot be empty.")]
    [InlineData("has space", "Invalid alias name: 'has space'. Names may only contain alphanumerics, underscores (_), and dashes (-).")]
    [InlineData("Latest", "'latest' alias name (case insensitive) is reserved.")]
    [InlineData("V12", "Version alias name 'V12' is reserved.")]
    public void Refuses_bad_aliases_with_mlflow_messages(string alias, string message)
    {
        var e = Assert.Throws<KilnException>(() => RegistryValidation.Alias(alias));
        Assert.Equal(ErrorCode.InvalidParameterValue, e.Code);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Accepts_good_aliases_and_limits_their_length()
    {
        Assert.Equal("champion", RegistryValidation.Alias("champion"));
        Assert.Equal("v1-candidate", RegistryValidation.Alias("v1-candidate"));
        Assert.Equal(new string('a', 255), RegistryValidation.Alias(new string('a', 255)));
        Assert.Contains("exceeded length limit of 255", Assert.Throws<KilnException>(() => RegistryValidation.Alias(new string('a', 256))).Message);
    }

    [Fact]
    public void Versions_and_stages_and_tags_follow_mlflow()
    {
        Assert.Equal(7, RegistryValidation.Version(" 7 "));
        Assert.Equal("Model version must be an integer, got '1.0'", Assert.Throws<KilnException>(() => RegistryValidation.Version("1.0")).Message);
        Assert.Equal("Production", RegistryValidation.Stage("production"));
        Assert.StartsWith("Invalid Model Version stage: Live.", Assert.Throws<KilnException>(() => RegistryValidation.Stage("Live")).Message);
        RegistryValidation.VersionTag("k", "");
        Assert.Equal("Tag value cannot be None", Assert.Throws<KilnException>(() => RegistryValidation.VersionTag("k", null)).Message);
        Assert.Contains("Invalid tag name: 'a//b'", Assert.Throws<KilnException>(() => RegistryValidation.ModelTag("a//b", "v")).Message);
    }
}
