namespace Kiln.Cli.Commands;

/// <summary>An IProgress that calls back on the reporting thread (Progress&lt;T&gt; would post and reorder).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
