using System.Diagnostics;
using System.Text;

namespace Kiln.Engine.Pipelines.Execution;

/// <summary>
/// Runs a <c>run:</c> step: the command line through <c>/bin/sh -c</c> (<c>cmd /c</c> on Windows) in the worker's working
/// folder, with the worker's environment plus the step's <c>env:</c> and Kiln's own variables — <c>KILN_PIPELINE</c>,
/// <c>KILN_PIPELINE_RUN_ID</c>, <c>KILN_PIPELINE_STEP</c>, <c>KILN_RUN_ID</c>/<c>MLFLOW_RUN_ID</c> (the step's tracking run, for
/// the SDK or MLflow's client to log into), <c>KILN_INPUT_i</c> (its inputs, <c>datasets:/</c> ones as local files),
/// <c>KILN_OUTPUT_NAME</c> (each declared output's path) and <c>KILN_OUTPUTS</c> (a file where it may write <c>name=value</c>
/// lines, as GitHub Actions' GITHUB_OUTPUT; an output declared without a path must be given there). Its stdout and stderr go to the step's log, line by line.
/// </summary>
public static class CommandStep
{
    private const string Setsid = "/usr/bin/setsid";

    /// <summary>
    /// Runs the command in a process group of its own beside a watchdog that kills the whole group once the worker is gone,
    /// so a worker killed with SIGKILL leaves no command running on: when its lease lapses and another worker runs the step,
    /// the step never runs twice at once.
    /// </summary>
    private const string Watchdog = """
        worker=$1; shift
        /bin/sh -c "$1" & child=$!
        (while kill -0 "$worker" 2>/dev/null; do sleep 0.2; done; kill -KILL 0) >/dev/null 2>&1 </dev/null & watch=$!
        wait "$child"; rc=$?
        kill "$watch" 2>/dev/null
        exit "$rc"
        """;

    /// <summary>Runs <paramref name="command"/>; returns its outputs, or throws when it exits non-zero or misses a declared output.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, string command, IReadOnlyList<string> inputPaths, CancellationToken ct)
    {
        var outputsFile = Path.Combine(Path.GetTempPath(), $"kiln-outputs-{Guid.NewGuid():N}.txt");
        var info = OperatingSystem.IsWindows() ? new ProcessStartInfo("cmd", ["/c", command])
            : File.Exists(Setsid) ? new ProcessStartInfo(Setsid, ["/bin/sh", "-c", Watchdog, "kiln-step", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), command])
            : new ProcessStartInfo("/bin/sh", ["-c", command]);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        foreach (var (name, value) in step.With)
        {
            info.Environment[name] = value;
        }
        info.Environment["KILN_PIPELINE"] = step.Run.Pipeline;
        info.Environment["KILN_PIPELINE_RUN_ID"] = step.Run.Id;
        info.Environment["KILN_PIPELINE_STEP"] = step.Definition.Name;
        info.Environment["KILN_OUTPUTS"] = outputsFile;
        if (step.TrackingRunId is { } runId)
        {
            info.Environment["KILN_RUN_ID"] = runId;
            info.Environment["MLFLOW_RUN_ID"] = runId;
        }
        for (var i = 0; i < inputPaths.Count; i++)
        {
            info.Environment[$"KILN_INPUT_{i}"] = inputPaths[i];
        }
        foreach (var (name, path) in step.Outputs.Where(o => o.Value.Length > 0))
        {
            info.Environment[$"KILN_OUTPUT_{name.ToUpperInvariant().Replace('-', '_')}"] = path;
        }
        try
        {
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}.");
            var gate = new object();
            void Line(string? line)
            {
                if (line is not null)
                {
                    lock (gate)
                    {
                        step.Log.WriteLine(line);
                    }
                }
            }
            process.OutputDataReceived += (_, e) => Line(e.Data);
            process.ErrorDataReceived += (_, e) => Line(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            process.WaitForExit(); // drains the output events
            if (process.ExitCode != 0)
            {
                throw new CommandFailedException($"the command exited with code {process.ExitCode} (its output is in the step's log).");
            }
            var outputs = step.Outputs.Where(o => o.Value.Length > 0).ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);
            foreach (var (name, path) in outputs)
            {
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    throw new StepRejectedException($"the command succeeded but did not write its declared output '{name}' ({path}).");
                }
            }
            if (File.Exists(outputsFile))
            {
                foreach (var line in await File.ReadAllLinesAsync(outputsFile, Encoding.UTF8, ct))
                {
                    var eq = line.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0)
                    {
                        outputs[line[..eq].Trim()] = line[(eq + 1)..].Trim();
                    }
                }
            }
            if (step.Outputs.Keys.FirstOrDefault(o => !outputs.ContainsKey(o)) is { } missing)
            {
                throw new StepRejectedException($"the command succeeded but gave no value for its declared output '{missing}': write {missing}=VALUE to the file $KILN_OUTPUTS names.");
            }
            return outputs;
        }
        finally
        {
            File.Delete(outputsFile);
        }
    }
}

/// <summary>A command that exited with a non-zero code: retried when the step allows, logged without a stack trace.</summary>
/// <param name="message">The exit code and where the output is.</param>
public sealed class CommandFailedException(string message) : Exception(message);
