using Kiln.Storage.Local;
using Kiln.Testing;

namespace Kiln.Storage.Tests.Local;

/// <summary>Uploads stage outside the artifact tree: an interrupted one leaves nothing behind, and *.tmp is an ordinary name.</summary>
public sealed class LocalArtifactStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_file_named_tmp_is_listed_like_any_other()
    {
        var store = new LocalArtifactStore(_dir.File("artifacts"));
        await store.WriteAsync("run/checkpoint.tmp", new MemoryStream([1, 2, 3]));
        var entries = await store.ListAsync("run");
        Assert.Equal("run/checkpoint.tmp", Assert.Single(entries).Path);
    }

    [Fact]
    public async Task An_interrupted_upload_leaves_no_file_in_the_tree_or_in_staging()
    {
        var store = new LocalArtifactStore(_dir.File("artifacts"));
        await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("run/model.bin", new FailingStream()));
        Assert.Empty(Directory.GetFiles(_dir.File("artifacts"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(store.StagingDirectory));
        Assert.False(store.StagingDirectory.StartsWith(store.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    [Fact]
    public void Staging_files_a_dead_process_left_are_removed_when_a_store_opens()
    {
        var first = new LocalArtifactStore(_dir.File("artifacts"));
        var abandoned = Path.Combine(first.StagingDirectory, "0123.upload");
        var live = Path.Combine(first.StagingDirectory, "4567.upload");
        File.WriteAllText(abandoned, "half");
        File.WriteAllText(live, "in progress");
        File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddHours(-2));
        _ = new LocalArtifactStore(_dir.File("artifacts"));
        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(live), "an upload still being written is left alone");
    }

    private sealed class FailingStream : Stream
    {
        private int _reads;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) =>
            ++_reads > 2 ? throw new IOException("connection reset") : count;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
