using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Kiln.Testing;

namespace Kiln.Models.Tests;

/// <summary><c>dotnet pack</c> makes NuGet packages a team can put on its own feed: versioned, with README, license and Source Link metadata.</summary>
public sealed class PackagingTests
{
    [Theory]
    [InlineData("Kiln.Models", "Kiln.Engine")]
    [InlineData("Kiln.Client", "Kiln.Core")]
    public async Task A_library_packs_with_readme_license_repository_and_symbols(string project, string dependency)
    {
        var root = RepositoryRoot();
        using var output = new TempDirectory();
        var pack = Process.Start(new ProcessStartInfo("dotnet",
            ["pack", Path.Combine(root, "src", project, project + ".csproj"), "-c", "Release", "--no-build", "--nologo", "-v", "q", "-o", output.Path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = await pack.StandardOutput.ReadToEndAsync() + await pack.StandardError.ReadToEndAsync();
        await pack.WaitForExitAsync();
        Assert.True(pack.ExitCode == 0, log);

        var version = typeof(KilnModel).Assembly.GetName().Version!.ToString(3);
        using var package = ZipFile.OpenRead(Path.Combine(output.Path, $"{project}.{version}.nupkg"));
        var entries = package.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("README.md", entries);
        Assert.Contains("LICENSE", entries);
        Assert.Contains($"lib/net10.0/{project}.dll", entries);
        Assert.Contains($"lib/net10.0/{project}.xml", entries);
        await using var nuspecStream = package.GetEntry($"{project}.nuspec")!.Open();
        var nuspec = XDocument.Load(nuspecStream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal(version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.Matches("^[0-9a-f]{40}$", metadata.Element(ns + "repository")!.Attribute("commit")!.Value);
        Assert.Contains(metadata.Descendants(ns + "dependency"), d => d.Attribute("id")!.Value == dependency);

        using var symbols = ZipFile.OpenRead(Path.Combine(output.Path, $"{project}.{version}.snupkg"));
        Assert.Contains($"lib/net10.0/{project}.pdb", symbols.Entries.Select(e => e.FullName));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Kiln.slnx")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Kiln.slnx not found above " + AppContext.BaseDirectory);
    }
}
