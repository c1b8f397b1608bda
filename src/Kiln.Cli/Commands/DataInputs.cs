using Kiln.Engine.Data;
using Kiln.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Cli.Commands;

/// <summary>
/// Data paths that may be <c>datasets:/NAME@latest</c> or <c>datasets:/NAME/VERSION[/FILE]</c>: such a reference is
/// written (hash verified) to a temporary folder for the command, deleted when it ends, and recorded as the run's input.
/// </summary>
internal sealed class DataInputs : IDisposable
{
    private readonly List<string> _folders = [];

    public async Task<(string Path, DataSource? Source)> ResolveAsync(KilnHost kiln, string? path, CancellationToken ct)
    {
        if (path is null || !DatasetReference.IsReference(path))
        {
            return (path!, null);
        }
        var data = kiln.Services.GetService<DataService>()
            ?? throw Core.Errors.KilnException.Invalid($"'{path}' is a versioned dataset, which needs the local store for now: drop --tracking-uri / KILN_TRACKING_URI, or pass a file.");
        var (file, folder, source) = await data.MaterializeAsync(path, ct);
        _folders.Add(folder);
        return (file, source);
    }

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // a temporary copy; the OS cleans the temp folder
            }
        }
    }
}
