using Kiln.Engine.Serving;

namespace Kiln.Engine.Tests.Serving;

/// <summary>The pump that keeps the prediction log's inserts on the writer's own thread.</summary>
public sealed class ThreadPumpTests
{
    [Fact]
    public void Work_that_waits_for_a_held_lock_finishes_on_the_calling_thread()
    {
        using var gate = new SemaphoreSlim(0, 1);
        var caller = Environment.CurrentManagedThreadId;
        var context = SynchronizationContext.Current;
        var threads = new List<int>();
        // the lock is released by a thread-pool thread a moment later: without the pump the rest would run there
        _ = Task.Run(async () =>
        {
            await Task.Delay(50);
            gate.Release();
        });
        ThreadPump.Run(async () =>
        {
            threads.Add(Environment.CurrentManagedThreadId);
            await gate.WaitAsync();
            threads.Add(Environment.CurrentManagedThreadId);
            await Task.Delay(10);
            threads.Add(Environment.CurrentManagedThreadId);
        });
        Assert.Equal([caller, caller, caller], threads);
        Assert.Same(context, SynchronizationContext.Current); // the caller's context is put back
    }

    [Fact]
    public void A_failure_after_a_wait_is_thrown_to_the_caller()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ThreadPump.Run(async () =>
        {
            await Task.Delay(10);
            throw new InvalidOperationException("the store refused the batch");
        }));
        Assert.Equal("the store refused the batch", e.Message);
    }

    [Fact]
    public async Task A_continuation_posted_after_the_work_ended_runs_on_the_thread_pool()
    {
        using var late = new SemaphoreSlim(0, 1);
        var ran = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        ThreadPump.Run(() =>
        {
            // started inside the pump and not waited for: its continuation is posted once the pump has stopped
            _ = ContinueLater(late, ran);
            return Task.CompletedTask;
        });
        late.Release();
        Assert.NotEqual(0, await ran.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task ContinueLater(SemaphoreSlim late, TaskCompletionSource<int> ran)
    {
        await late.WaitAsync(); // captured the pump's context; resumes after Run returned
        ran.SetResult(Environment.CurrentManagedThreadId);
    }
}
