// The README's SDK quickstart, compiled with the solution so that it never rots.
// Run it against a server started with `./kiln server`: dotnet run --project samples/Quickstart
using Kiln.Client;

using var kiln = KilnClient.FromEnvironment(); // KILN_TRACKING_URI, MLFLOW_TRACKING_URI or http://127.0.0.1:5000
var experimentId = await kiln.GetOrCreateExperimentAsync("loan-approval");

await using (var run = await kiln.StartRunAsync(experimentId, runName: "gbdt-baseline"))
{
    run.LogParam("learner", "gbdt");
    run.LogParam("max_depth", "6");
    for (var step = 0; step < 200; step++)
    {
        run.LogMetric("train_loss", 0.7 * Math.Exp(-step / 50.0), step); // returns at once; sent in background batches
    }
    run.LogMetric("valid_auc", 0.871);
} // flushes everything, then marks the run FINISHED (throws if anything was not stored)

var best = await kiln.SearchRunsAsync([experimentId], "metrics.valid_auc > 0.85", ["metrics.valid_auc DESC"], maxResults: 5);
foreach (var run in best.Items)
{
    Console.WriteLine($"{run.Info.RunName}: valid_auc={run.Data.Metrics.Single(m => m.Key == "valid_auc").Value}");
}
