using System.Text;
using Kiln.Core.Errors;

namespace Kiln.Client.Tests.Artifacts;

/// <summary>The server's artifact proxy behaves as an artifact store: the same paths, listing and errors as a local one.</summary>
public sealed class ProxiedArtifactStoreTests : ClientTestBase
{
    [Fact]
    public async Task Writes_lists_reads_and_deletes_through_the_proxy()
    {
        var store = Client.ArtifactProxy;
        await store.WriteAsync("0/run1/artifacts/model/MLmodel", new MemoryStream(Encoding.UTF8.GetBytes("flavors: {}")));
        await store.WriteAsync("0/run1/artifacts/model/data/tree 1.bin", new MemoryStream([1, 2, 3]));

        var model = await store.ListAsync("0/run1/artifacts/model");
        Assert.Equal(["0/run1/artifacts/model/MLmodel", "0/run1/artifacts/model/data"], model.Select(e => e.Path));
        Assert.True(model[1].IsDirectory);
        Assert.Equal(3, (await store.ListAsync("0/run1/artifacts/model/data")).Single().Size);
        Assert.Empty(await store.ListAsync("0/run1/artifacts/nothing-here"));

        await using (var read = await store.OpenReadAsync("0/run1/artifacts/model/data/tree 1.bin"))
        {
            var buffer = new MemoryStream();
            await read.CopyToAsync(buffer);
            Assert.Equal([1, 2, 3], buffer.ToArray());
        }

        await store.DeleteAsync("0/run1/artifacts/model/data");
        Assert.Single(await store.ListAsync("0/run1/artifacts/model"));
        var missing = await Assert.ThrowsAsync<KilnException>(() => store.OpenReadAsync("0/run1/artifacts/model/data/tree 1.bin"));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, missing.Code);
        var escape = Assert.Throws<KilnException>(() => store.WriteAsync("../outside", new MemoryStream()).GetAwaiter().GetResult());
        Assert.Equal(ErrorCode.InvalidParameterValue, escape.Code);
    }
}
