using System.Diagnostics;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests.Serving;

/// <summary>A server whose machine reads as saturated and whose log takes more than its CPU budget: requests are all
/// answered, most are not logged, and every row left out is counted in /metrics.</summary>
public sealed class LogBudgetServingTests
{
    [Fact]
    public async Task Over_budget_on_a_saturated_machine_requests_are_answered_and_the_rows_not_logged_are_counted()
    {
        long total = 0;
        var process = TimeSpan.Zero;
        // every reading: no idle jiffy, and the process used a millisecond of CPU, less than the log's writer alone
        var budget = new LogBudget(() => (0, total += 1_000), () => process += TimeSpan.FromMilliseconds(1)) { Budget = 0.05 };
        await using var server = await KilnTestServer.StartAsync(configure: services =>
            services.AddSingleton(sp => new PredictionLogWriter(sp.GetRequiredService<IPredictionLog>()) { Budget = budget }));
        await LoanDeployment.CreateAsync(server);
        var clock = Stopwatch.StartNew();
        while (budget.Keep > 0.02 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            budget.Spent(Stopwatch.Frequency / 100); // the log's time, as a busy writer would report it
            await Task.Delay(50);
        }
        Assert.True(budget.Keep <= 0.02, $"the share logged fell to {budget.Keep}");

        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(2, (await LoanDeployment.ProbabilitiesAsync(server.Http, [(0.1 * (i % 10), 0.2, "north"), (0.5, 0.1, "south")])).Length);
        }
        var writer = server.Get<PredictionLogWriter>();
        Assert.Same(budget, writer.Budget);
        clock.Restart();
        while (writer.QueuedRows > 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }
        var stored = (await server.Get<IPredictionLog>().ReadAsync("loan", 0, 1_000)).Count;
        Assert.Equal(80, stored + writer.Shed); // every row either logged or counted
        Assert.True(writer.Shed >= 60, $"{writer.Shed} of 80 rows shed at a share of {budget.Keep}");
        Assert.Equal(0, stored % 2); // whole requests

        var metrics = await server.Http.GetStringAsync("/metrics");
        Assert.Contains($"kiln_prediction_log_shed_rows_total {writer.Shed}", metrics);
        Assert.Matches(@"kiln_prediction_log_keep_ratio 0\.0[0-2]", metrics);
    }
}
