using System.Collections.Concurrent;

namespace Kiln.Engine.Serving;

/// <summary>
/// Runs asynchronous work to its end on the calling thread: continuations that would go to the thread pool (after a
/// lock that was held, say) come back here instead. The prediction log's writer has a thread of its own so that the
/// store's inserts never take one of the threads answering requests; without this, an insert that waited for the
/// store's write lock finished on one of them.
/// </summary>
internal sealed class ThreadPump : SynchronizationContext
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

    public override void Post(SendOrPostCallback d, object? state)
    {
        try
        {
            _queue.Add((d, state));
        }
        catch (InvalidOperationException)
        {
            // posted after the work ended (by something it started and did not wait for): the thread pool runs it
            ThreadPool.QueueUserWorkItem(_ => d(state));
        }
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("A pumped thread does not wait for itself.");

    /// <summary>Runs <paramref name="work"/> and every continuation it posts on this thread; returns when it ends (its
    /// exception, if any, thrown here).</summary>
    public static void Run(Func<Task> work)
    {
        var previous = Current;
        var pump = new ThreadPump();
        using var queue = pump._queue;
        SetSynchronizationContext(pump);
        try
        {
            var task = work();
            task.ContinueWith(_ => pump._queue.CompleteAdding(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            foreach (var (callback, state) in pump._queue.GetConsumingEnumerable())
            {
                callback(state);
            }
            task.GetAwaiter().GetResult();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
