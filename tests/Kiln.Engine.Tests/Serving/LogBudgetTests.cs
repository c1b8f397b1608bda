using System.Diagnostics;
using Kiln.Engine.Serving;

namespace Kiln.Engine.Tests.Serving;

/// <summary>The prediction log's CPU budget: shed on a saturated machine only, in proportion, counted, and recovered.</summary>
public sealed class LogBudgetTests
{
    [Fact]
    public void A_saturated_machine_cuts_the_share_logged_to_fit_the_budget_and_idle_cores_bring_it_back()
    {
        var budget = new LogBudget(() => null, () => TimeSpan.Zero) { Budget = 0.1 };
        budget.Adjust(idle: 0.01, share: 0.4);
        Assert.Equal(0.25, budget.Keep, 6); // the log took four times its share: a quarter of requests kept
        budget.Adjust(idle: 0.01, share: 0.09);
        Assert.Equal(0.25, budget.Keep, 6); // within budget, saturated: held
        budget.Adjust(idle: 0.01, share: 0.05);
        Assert.Equal(0.3325, budget.Keep, 6); // well under budget: grows
        budget.Adjust(idle: 0.5, share: 0.4);
        Assert.True(budget.Keep > 0.4, "idle cores: the log costs no throughput, so it grows back whatever its share");
        for (var i = 0; i < 20; i++)
        {
            budget.Adjust(idle: 0.5, share: 0.4);
        }
        Assert.Equal(1, budget.Keep);
        for (var i = 0; i < 100; i++)
        {
            budget.Adjust(idle: 0, share: 1);
        }
        Assert.Equal(0.01, budget.Keep, 6); // never nothing: monitoring keeps a sample
    }

    [Fact]
    public void Ticks_read_the_machine_and_the_process_and_compare_the_log_time_spent()
    {
        long idle = 0, total = 0;
        var process = TimeSpan.Zero;
        var budget = new LogBudget(() => (idle, total), () => process) { Budget = 0.1 };
        budget.Tick(); // the first reading
        total += 1_000; // a saturated machine: no idle jiffy
        process += TimeSpan.FromSeconds(1);
        budget.Spent(Stopwatch.Frequency / 2); // the log took half the process's CPU
        Thread.Sleep(LogBudget.Interval + TimeSpan.FromMilliseconds(20));
        budget.Tick();
        Assert.Equal(0.2, budget.Keep, 6);

        budget.Tick(); // too soon: nothing read
        Assert.Equal(0.2, budget.Keep, 6);
    }

    [Fact]
    public void A_budget_of_one_never_reads_the_machine_and_keeps_every_request()
    {
        var reads = 0;
        var budget = new LogBudget(() => { reads++; return (0, reads * 100L); }, () => TimeSpan.FromSeconds(reads)) { Budget = 1 };
        for (var i = 0; i < 3; i++)
        {
            budget.Spent(Stopwatch.Frequency);
            budget.Tick();
            Thread.Sleep(LogBudget.Interval);
        }
        Assert.Equal((0, 1.0), (reads, budget.Keep));
    }
}
