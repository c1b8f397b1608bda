using Kiln.Core.Serving;
using Kiln.Engine.Flavors;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Serving;

/// <summary>
/// Adaptive batching for predictors with a per-call cost (ONNX Runtime, ML.NET), as Triton's dynamic batching and
/// BentoML's adaptive batching do: concurrent requests queue, and each free worker (one per core) takes every request
/// waiting — up to <see cref="RouteBatching.MaxRows"/> rows, waiting at most <see cref="RouteBatching.MaxWaitMs"/> for
/// more — predicts them in one call and hands each request its rows back. Under light load a request is predicted
/// at once (a batch of one); under heavy load batches grow while a call is running, so no time is spent waiting.
/// </summary>
public sealed class ModelBatcher
{
    private readonly IPredictor _model;
    private readonly RouteBatching _settings;
    private readonly Queue<Pending> _queue = new();
    private readonly int _maxWorkers;
    private int _workers;

    private sealed record Pending(Table Rows, TaskCompletionSource<double[]> Result, CancellationToken Ct);

    /// <summary>Creates a batcher over <paramref name="model"/>.</summary>
    public ModelBatcher(IPredictor model, RouteBatching settings, int? workers = null)
    {
        _model = model;
        _settings = settings;
        _maxWorkers = Math.Max(1, workers ?? Environment.ProcessorCount);
    }

    /// <summary>Rows predicted so far, and in how many calls (for the benchmark and the tests).</summary>
    public (long Rows, long Calls) Counters => (Interlocked.Read(ref _rows), Interlocked.Read(ref _calls));

    private long _rows;
    private long _calls;

    /// <summary>Predicts <paramref name="rows"/>, batched with whatever other requests are waiting.</summary>
    public Task<double[]> PredictAsync(Table rows, CancellationToken ct)
    {
        if (rows.RowCount >= _settings.MaxRows)
        {
            return Task.FromResult(Call(rows, ct)); // already a full batch
        }
        var pending = new Pending(rows, new TaskCompletionSource<double[]>(TaskCreationOptions.RunContinuationsAsynchronously), ct);
        lock (_queue)
        {
            _queue.Enqueue(pending);
        }
        StartWorker();
        return pending.Result.Task;
    }

    private void StartWorker()
    {
        while (true)
        {
            var running = Volatile.Read(ref _workers);
            if (running >= _maxWorkers)
            {
                return;
            }
            if (Interlocked.CompareExchange(ref _workers, running + 1, running) == running)
            {
                _ = Task.Run(WorkAsync);
                return;
            }
        }
    }

    private async Task WorkAsync()
    {
        try
        {
            while (true)
            {
                var batch = new List<Pending>();
                var rows = 0;
                Take(batch, ref rows);
                if (batch.Count == 0)
                {
                    return; // nothing waiting: this worker ends (the next request starts one)
                }
                if (_settings.MaxWaitMs > 0 && rows < _settings.MaxRows)
                {
                    var deadline = Environment.TickCount64 + _settings.MaxWaitMs;
                    while (rows < _settings.MaxRows && Environment.TickCount64 < deadline)
                    {
                        await Task.Delay(1);
                        Take(batch, ref rows);
                    }
                }
                Run(batch);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _workers);
            bool waiting;
            lock (_queue)
            {
                waiting = _queue.Count > 0;
            }
            if (waiting)
            {
                StartWorker(); // a request queued while this worker was leaving
            }
        }
    }

    /// <summary>Moves queued requests into the batch while they fit (the first always does).</summary>
    private void Take(List<Pending> batch, ref int rows)
    {
        lock (_queue)
        {
            while (_queue.TryPeek(out var next) && (batch.Count == 0 || rows + next.Rows.RowCount <= _settings.MaxRows))
            {
                _queue.Dequeue();
                if (next.Ct.IsCancellationRequested)
                {
                    next.Result.TrySetCanceled(next.Ct);
                    continue;
                }
                batch.Add(next);
                rows += next.Rows.RowCount;
            }
        }
    }

    private void Run(List<Pending> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }
        double[] outputs;
        try
        {
            outputs = Call(batch.Count == 1 ? batch[0].Rows : Concat([.. batch.Select(p => p.Rows)], _model.Schema), CancellationToken.None);
        }
        catch (Exception e)
        {
            if (batch.Count == 1)
            {
                batch[0].Result.TrySetException(e);
                return;
            }
            // one request's rows must not fail the others: score each alone, so only the one at fault gets the error
            foreach (var pending in batch)
            {
                Run([pending]);
            }
            return;
        }
        var width = _model.Schema.OutputCount;
        var offset = 0;
        foreach (var pending in batch)
        {
            var count = pending.Rows.RowCount * width;
            pending.Result.TrySetResult(batch.Count == 1 ? outputs : outputs.AsSpan(offset, count).ToArray());
            offset += count;
        }
    }

    private double[] Call(Table rows, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _rows, rows.RowCount);
        return _model.Predict(rows, ct);
    }

    /// <summary>The requests' feature columns one after another (numbers as doubles, categories as their values).</summary>
    internal static Table Concat(IReadOnlyList<Table> tables, ModelSchema schema)
    {
        var total = tables.Sum(t => t.RowCount);
        var columns = new List<Column>(schema.Features.Count);
        foreach (var feature in schema.Features)
        {
            if (feature.Kind == FeatureKind.Numeric && tables.All(t => t[feature.Name] is NumericColumn))
            {
                var values = new double[total];
                var at = 0;
                foreach (var table in tables)
                {
                    var column = (NumericColumn)table[feature.Name];
                    for (var row = 0; row < column.Length; row++)
                    {
                        values[at++] = column.IsMissing(row) ? double.NaN : column.GetValue(row);
                    }
                }
                columns.Add(new Float64Column(feature.Name, values));
            }
            else
            {
                columns.Add(CategoricalColumn.FromValues(feature.Name, tables.SelectMany(t => Values(t[feature.Name]))));
            }
        }
        return new Table(columns);
    }

    private static IEnumerable<string?> Values(Column column)
    {
        for (var row = 0; row < column.Length; row++)
        {
            yield return column.IsMissing(row) ? null : column.FormatValue(row);
        }
    }
}
