using Kiln.Core.Artifacts;
using Kiln.Core.Errors;

namespace Kiln.Core.Tests.Artifacts;

public sealed class ArtifactPathTests
{
    [Theory]
    [InlineData("a/b/c.txt", "a/b/c.txt")]
    [InlineData("a//b/./c", "a/b/c")]
    [InlineData("dir/", "dir")]
    [InlineData("100%.txt", "100%.txt")]
    [InlineData("report%20v2.txt", "report%20v2.txt")]
    public void Normalises_safe_paths(string input, string expected) => Assert.Equal(expected, ArtifactPath.Normalize(input));

    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/x")]
    [InlineData("a\\b")]
    [InlineData("s3://bucket/x")]
    [InlineData("")]
    [InlineData("..%2fpwned.txt")]
    [InlineData("a%5Cb")]
    [InlineData("%2e%2e/x")]
    [InlineData("%252e%252e%252fx")]
    public void Rejects_unsafe_or_empty_paths(string input) =>
        Assert.Equal(ErrorCode.InvalidParameterValue, Assert.Throws<KilnException>(() => ArtifactPath.Normalize(input)).Code);

    [Fact]
    public void Empty_is_allowed_for_the_root() => Assert.Equal("", ArtifactPath.Normalize(null, allowEmpty: true));
}
