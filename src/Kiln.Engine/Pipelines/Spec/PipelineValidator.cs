namespace Kiln.Engine.Pipelines.Spec;

/// <summary>The checks across a pipeline's steps: operations and their inputs, needs, cycles and references.</summary>
public static class PipelineValidator
{
    /// <summary>Adds every problem of <paramref name="spec"/> to <paramref name="errors"/>.</summary>
    public static void Check(PipelineSpec spec, List<SpecError> errors)
    {
        void Error(PipelineStep step, string message) => errors.Add(new SpecError(spec.File, step.Line, step.Name, message));
        var names = spec.Steps.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var step in spec.Steps)
        {
            if (step.Uses is { } uses)
            {
                if (!PipelineOperations.All.TryGetValue(uses, out var operation))
                {
                    var near = Nearest(uses, PipelineOperations.All.Keys);
                    Error(step, $"unknown operation '{uses}'{(near is null ? "" : $" (did you mean '{near}'?)")}; operations: {string.Join(", ", PipelineOperations.All.Keys)}.");
                }
                else
                {
                    var given = step.With.Keys.Select(k => k.Split('.')[0]).ToHashSet(StringComparer.Ordinal);
                    foreach (var missing in operation.Required.Where(r => !given.Contains(r)))
                    {
                        Error(step, $"{uses} needs with: {missing} ({operation.Summary}; it takes {string.Join(", ", operation.Required.Concat(operation.Optional))}).");
                    }
                    foreach (var unknown in given.Where(g => !operation.Required.Contains(g) && !operation.Optional.Contains(g)))
                    {
                        Error(step, $"{uses} takes no input '{unknown}' (it takes {string.Join(", ", operation.Required.Concat(operation.Optional))}).");
                    }
                    if (uses is "train" or "tune" && step.With.TryGetValue("learner", out var learner) && !learner.Contains("${{", StringComparison.Ordinal)
                        && !Training.LearnerCatalog.Names.Contains(learner))
                    {
                        Error(step, $"unknown learner '{learner}' (learners: {string.Join(", ", Training.LearnerCatalog.Names)}).");
                    }
                }
            }
            foreach (var need in step.Needs)
            {
                if (need == step.Name)
                {
                    Error(step, "a step cannot need itself.");
                }
                else if (!names.Contains(need))
                {
                    var near = Nearest(need, names);
                    Error(step, $"needs '{need}', which is not a step{(near is null ? "" : $" (did you mean '{near}'?)")}; steps: {string.Join(", ", names)}.");
                }
            }
        }
        var cycle = Cycle(spec);
        if (cycle is not null)
        {
            errors.Add(new SpecError(spec.File, spec.Step(cycle[0])!.Line, cycle[0], $"the steps {string.Join(" → ", cycle)} need each other in a cycle; a pipeline is a DAG."));
            return; // ancestry is not defined on a cycle
        }
        var parameters = spec.Params.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var step in spec.Steps)
        {
            var ancestors = Ancestors(spec, step);
            void Check(SpecReference reference, string where)
            {
                if (reference.Param is { } param && !parameters.Contains(param))
                {
                    Error(step, $"{where} reads params.{param}, which is not declared under params: ({(parameters.Count == 0 ? "none are" : string.Join(", ", parameters))}).");
                }
                else if (reference.Step is { } other)
                {
                    if (spec.Step(other) is not { } source)
                    {
                        Error(step, $"{where} reads steps.{other}, which is not a step.");
                    }
                    else if (!ancestors.Contains(other))
                    {
                        Error(step, $"{where} reads steps.{other}.outputs.{reference.Output} but does not need {other}: add needs: [{other}] so it runs first.");
                    }
                    else if (!source.Outputs.ContainsKey(reference.Output!))
                    {
                        Error(step, $"{where} reads output '{reference.Output}' of {other}, which gives {(source.Outputs.Count == 0 ? "none" : string.Join(", ", source.Outputs.Keys))}.");
                    }
                }
            }
            var texts = step.With.Select(w => (w.Value, $"with: {w.Key}")).Concat(step.Inputs.Select(i => (i, "inputs:"))).Concat(step.Outputs.Select(o => (o.Value, $"outputs: {o.Key}")));
            if (step.Run is { } run)
            {
                texts = texts.Append((run, "run:"));
            }
            foreach (var (text, where) in texts)
            {
                var (references, unknown) = SpecReferences.In(text);
                foreach (var reference in references)
                {
                    Check(reference, where);
                }
                foreach (var expression in unknown)
                {
                    Error(step, $"{where} holds {expression}, which is neither ${{{{ params.NAME }}}} nor ${{{{ steps.STEP.outputs.NAME }}}}.");
                }
            }
            if (step.When is { } when)
            {
                if (SpecReferences.InCondition(when) is { } reference)
                {
                    Check(reference, "when:");
                }
                else
                {
                    Error(step, $"when: '{when}' is not a condition: write a reference, !reference, or reference == value, e.g. when: steps.gate.outputs.passed == true.");
                }
            }
        }
    }

    /// <summary>The steps in an order that runs each after everything it needs (file order among ready steps).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Layers(PipelineSpec spec)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var layers = new List<IReadOnlyList<string>>();
        while (done.Count < spec.Steps.Count)
        {
            var ready = spec.Steps.Where(s => !done.Contains(s.Name) && s.Needs.All(done.Contains)).Select(s => s.Name).ToList();
            if (ready.Count == 0)
            {
                throw new InvalidOperationException("The pipeline has a cycle; check it with PipelineSpecReader first.");
            }
            layers.Add(ready);
            done.UnionWith(ready);
        }
        return layers;
    }

    private static HashSet<string> Ancestors(PipelineSpec spec, PipelineStep step)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(step.Needs);
        while (stack.TryPop(out var name))
        {
            if (seen.Add(name) && spec.Step(name) is { } s)
            {
                foreach (var need in s.Needs)
                {
                    stack.Push(need);
                }
            }
        }
        return seen;
    }

    /// <summary>A cycle of needs (first step repeated at the end), or null.</summary>
    private static List<string>? Cycle(PipelineSpec spec)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the path, 2: done
        var path = new List<string>();
        List<string>? Visit(string name)
        {
            if (state.GetValueOrDefault(name) == 1)
            {
                return [.. path[path.IndexOf(name)..], name];
            }
            if (state.GetValueOrDefault(name) == 2 || spec.Step(name) is not { } step)
            {
                return null;
            }
            state[name] = 1;
            path.Add(name);
            foreach (var need in step.Needs.Where(n => n != name))
            {
                if (Visit(need) is { } found)
                {
                    return found;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[name] = 2;
            return null;
        }
        foreach (var step in spec.Steps)
        {
            if (Visit(step.Name) is { } cycle)
            {
                return cycle;
            }
        }
        return null;
    }

    /// <summary>The candidate within two edits of <paramref name="word"/>, for "did you mean".</summary>
    private static string? Nearest(string word, IEnumerable<string> candidates) =>
        candidates.Select(c => (c, d: Distance(word, c))).Where(x => x.d <= 2).OrderBy(x => x.d).Select(x => x.c).FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var (previous, row0) = (row[0], i);
            row[0] = row0;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }
}
