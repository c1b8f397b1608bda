using Kiln.Core.Errors;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;

namespace Kiln.Cli.Commands;

/// <summary>Lets commands take an experiment by id or by name.</summary>
internal static class Resolve
{
    public static async Task<Experiment> ExperimentAsync(ITracking tracking, string idOrName, CancellationToken ct)
    {
        if (long.TryParse(idOrName, out _))
        {
            try
            {
                return await tracking.GetExperimentAsync(idOrName, ct);
            }
            catch (KilnException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
            {
            }
        }
        return await tracking.GetExperimentByNameAsync(idOrName, ct);
    }
}
