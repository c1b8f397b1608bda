using System.Diagnostics;

namespace Kiln.Cli.Tests.Commands;

/// <summary>A <c>kiln data add</c> killed with SIGKILL while it writes leaves no version and no visible partial object.</summary>
public sealed class DataKillTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task An_add_killed_mid_write_leaves_no_version_and_no_half_object_and_the_next_add_succeeds()
    {
        var folder = Path.Combine(_cli.Home, "data");
        Directory.CreateDirectory(folder);
        var random = new Random(3);
        for (var i = 0; i < 3; i++)
        {
            var bytes = new byte[96 << 20];
            random.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(folder, $"part-{i}.bin"), bytes);
        }
        var staging = Path.Combine(_cli.Home, ".artifacts.staging");
        var killed = false;
        for (var attempt = 0; attempt < 5 && !killed; attempt++)
        {
            using var process = Process.Start(_cli.ProcessStart("data", "add", "big", folder))!;
            // kill it once it is writing objects (a staged file exists)
            var watch = Stopwatch.StartNew();
            while (!process.HasExited && watch.Elapsed < TimeSpan.FromSeconds(60)
                && !(Directory.Exists(staging) && Directory.EnumerateFiles(staging, "*.upload").Any()))
            {
                await Task.Delay(1);
            }
            if (!process.HasExited)
            {
                process.Kill();
                killed = true;
            }
            await process.WaitForExitAsync();
            if (!killed)
            {
                // it finished first (a fast disk): start again from nothing
                Directory.Delete(Path.Combine(_cli.Home, "artifacts"), recursive: true);
                foreach (var db in Directory.GetFiles(_cli.Home, "kiln.db*"))
                {
                    File.Delete(db);
                }
            }
        }
        Assert.True(killed, "the add always finished before it could be killed");

        var (exit, _, err) = await _cli.RunAsync("data", "versions", "big");
        Assert.Equal(3, exit); // no version was recorded
        Assert.Contains("No dataset named 'big'", err);
        var objects = Path.Combine(_cli.Home, "artifacts", "objects");
        foreach (var file in Directory.Exists(objects) ? Directory.GetFiles(objects, "*", SearchOption.AllDirectories) : [])
        {
            // an object that is visible is whole: its content hashes to its name
            var relative = Path.GetRelativePath(objects, file).Split(Path.DirectorySeparatorChar);
            Assert.Equal($"{relative[0]}:{relative[1]}{relative[2]}", await Kiln.Engine.Data.ContentHash.OfFileAsync(file, default));
        }

        (exit, _, err) = await _cli.RunAsync("data", "add", "big", folder);
        Assert.True(exit == 0, err);
        (exit, _, err) = await _cli.RunAsync("data", "get", "big", "latest", "--out", Path.Combine(_cli.Home, "restored"));
        Assert.True(exit == 0, err);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_cli.Home, "restored")).Length);
    }
}
