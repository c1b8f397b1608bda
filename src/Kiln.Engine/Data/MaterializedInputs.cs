namespace Kiln.Engine.Data;

/// <summary>
/// Inputs that may be <c>datasets:/NAME@latest</c> or <c>datasets:/NAME/VERSION[/FILE]</c>: such a reference is written (hash
/// verified) to a temporary folder, deleted on dispose, and comes with its <see cref="DataSource"/> for the run's inputs;
/// anything else is a path and passes through. Used by the CLI's commands and by pipeline steps.
/// </summary>
/// <param name="data">Data sets, or null when there is no local store (a reference is then refused with <paramref name="noStore"/>).</param>
/// <param name="noStore">What to say when a reference arrives without a store.</param>
public sealed class MaterializedInputs(DataService? data, string noStore = "needs the local store") : IAsyncDisposable, IDisposable
{
    private readonly List<string> _folders = [];

    /// <summary>The local path of <paramref name="value"/> and, for a data set reference, its source; (null, null) for null.</summary>
    public async Task<(string Path, DataSource? Source)> ResolveAsync(string? value, CancellationToken ct)
    {
        if (value is null || !DatasetReference.IsReference(value))
        {
            return (value!, null);
        }
        var service = data ?? throw Core.Errors.KilnException.Invalid($"'{value}' is a versioned data set, which {noStore}.");
        var (file, folder, source) = await service.MaterializeAsync(value, ct);
        _folders.Add(folder);
        return (file, source);
    }

    /// <inheritdoc />
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
        _folders.Clear();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
