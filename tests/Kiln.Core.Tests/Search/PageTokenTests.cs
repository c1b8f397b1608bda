using Kiln.Core.Errors;
using Kiln.Core.Search;

namespace Kiln.Core.Tests.Search;

public sealed class PageTokenTests
{
    [Fact]
    public void Tokens_round_trip_and_match_mlflows_encoding()
    {
        Assert.Equal("eyJvZmZzZXQiOiAxfQ==", PageToken.Create(1));
        Assert.Equal(1234, PageToken.Offset(PageToken.Create(1234)));
        Assert.Equal(0, PageToken.Offset(null));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("e30=")]
    [InlineData("WzEsMl0=")] // [1,2]
    [InlineData("eyJvZmZzZXQiOiAiMTAifQ==")] // {"offset": "10"}
    [InlineData("eyJvZmZzZXQiOiAtMX0=")] // {"offset": -1}
    [InlineData("Im9mZnNldCI=")] // "offset"
    public void Bad_tokens_are_invalid(string token) =>
        Assert.Equal(ErrorCode.InvalidParameterValue, Assert.Throws<KilnException>(() => PageToken.Offset(token)).Code);
}
