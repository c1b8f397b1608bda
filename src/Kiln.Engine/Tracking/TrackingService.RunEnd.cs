using Kiln.Core.Tracking;

namespace Kiln.Engine.Tracking;

public sealed partial class TrackingService
{
    /// <summary>The tag a failed run carries its error message in.</summary>
    public const string ErrorTag = "kiln.error";

    /// <summary>An error message cut to fit a tag value.</summary>
    internal static string Truncate(string message) =>
        message.Length <= TrackingLimits.MaxTagValueLength ? message : message[..(TrackingLimits.MaxTagValueLength - 3)] + "...";

    /// <summary>
    /// Ends a run that did not finish: KILLED when <paramref name="cancelled"/> (Ctrl+C, SIGTERM), else FAILED with
    /// the error's message recorded as the <see cref="ErrorTag"/> tag. Always writes, even if the caller's token is cancelled;
    /// a failure to record is swallowed so that the original error is the one the user sees.
    /// </summary>
    public async Task EndUnfinishedRunAsync(string runId, Exception error, bool cancelled)
    {
        try
        {
            if (!cancelled)
            {
                await SetTagAsync(runId, new Tag(ErrorTag, Truncate(error.Message)), CancellationToken.None);
            }
            await UpdateRunAsync(runId, (cancelled ? RunStatus.Killed : RunStatus.Failed).WireName(), NowMs(), null, CancellationToken.None);
        }
        catch (Exception recording) when (recording is Core.Errors.KilnException or IOException)
        {
            // The store itself may be what failed; the caller rethrows the original error.
        }
    }
}
