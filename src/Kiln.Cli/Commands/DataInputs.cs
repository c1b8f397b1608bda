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
    private MaterializedInputs? _inputs;

    public Task<(string Path, DataSource? Source)> ResolveAsync(KilnHost kiln, string? path, CancellationToken ct) =>
        (_inputs ??= new MaterializedInputs(kiln.Services.GetService<DataService>(),
            "needs the local store for now: drop --tracking-uri / KILN_TRACKING_URI, or pass a file")).ResolveAsync(path, ct);

    public void Dispose() => _inputs?.Dispose();
}
