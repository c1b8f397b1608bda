using Kiln.Engine.Pipelines.Spec;

namespace Kiln.Engine.Tests.Pipelines.Spec;

/// <summary>Pipeline files read and checked before anything runs: each problem names its file, line and step.</summary>
public sealed class PipelineSpecReaderTests
{
    private const string Loan = """
        name: retrain-loan
        description: the closed loop
        params:
          data: {type: dataset, default: "datasets:/applicants"}
          rounds: 200
          min_auc: {type: float, default: 0.8}
          notify: {type: bool}
        steps:
          validate:
            uses: data.validate
            with: {dataset: "${{ params.data }}"}
          train-gbdt:
            uses: train
            needs: validate
            with:
              data: ${{ params.data }}
              target: approved
              learner: gbdt
              params: {rounds: "${{ params.rounds }}", max_depth: 6}
            retries: 2
            backoff: 5s
            timeout: 30m
          train-linear:
            uses: train
            needs: [validate]
            with: {data: "${{ params.data }}", target: approved, learner: logistic}
          gate:
            uses: gate
            needs: [train-gbdt, train-linear]
            with: {model: "${{ steps.train-gbdt.outputs.model }}", name: loan}
          report:
            run: python3 report.py --model ${{ steps.train-gbdt.outputs.model }} --out report.html
            needs: gate
            inputs: [report.py]
            outputs: {report: report.html}
            env: {MIN_AUC: "${{ params.min_auc }}"}
            labels: [highmem]
          promote:
            uses: promote
            needs: [gate, report]
            when: steps.gate.outputs.passed == true
            with: {name: loan, version: "${{ steps.gate.outputs.verdict }}"}
        """;

    private static IReadOnlyList<SpecError> Errors(string yaml) => PipelineSpecReader.Read(yaml, "pipelines/p.yaml").Errors;

    [Fact]
    public void A_valid_pipeline_reads_whole_with_its_params_typed_and_its_stages_in_order()
    {
        var (spec, errors) = PipelineSpecReader.Read(Loan, "pipelines/retrain.yaml");
        Assert.Empty(errors);
        Assert.NotNull(spec);
        Assert.Equal("retrain-loan", spec.Name);
        Assert.Equal([("data", ParamType.Dataset, "datasets:/applicants"), ("rounds", ParamType.Int, "200"), ("min_auc", ParamType.Float, "0.8"), ("notify", ParamType.Bool, null)],
            spec.Params.Select(p => (p.Name, p.Type, p.Default)));
        var train = spec.Step("train-gbdt")!;
        Assert.Equal(("train", 2, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(30)), (train.Uses, train.Retries, train.Backoff, train.Timeout));
        Assert.Equal("${{ params.rounds }}", train.With["params.rounds"]);
        Assert.Equal(12, train.Line);
        Assert.Contains("model", train.Outputs.Keys);
        var report = spec.Step("report")!;
        Assert.Equal(["report.py"], report.Inputs);
        Assert.Equal(["highmem"], report.Labels);
        Assert.Equal("report.html", report.Outputs["report"]);
        Assert.Equal("${{ params.min_auc }}", report.With["MIN_AUC"]);
        Assert.Equal([["validate"], ["train-gbdt", "train-linear"], ["gate"], ["report"], ["promote"]], PipelineValidator.Layers(spec).Select(l => l.ToArray()));
    }

    [Fact]
    public void A_cycle_is_named_with_its_steps()
    {
        var errors = Errors("""
            steps:
              a: {run: "true", needs: c}
              b: {run: "true", needs: a}
              c: {run: "true", needs: b}
              d: {run: "true"}
            """);
        var error = Assert.Single(errors);
        Assert.Equal(("pipelines/p.yaml", 2, "a"), (error.File, error.Line, error.Step));
        Assert.Contains("a → c → b → a", error.Message);
        Assert.StartsWith("pipelines/p.yaml:2: step 'a': the steps", error.ToString());
    }

    [Theory]
    [InlineData("steps:\n  train: {uses: trian, with: {data: x, target: y}}", 2, "train", "unknown operation 'trian' (did you mean 'train'?)")]
    [InlineData("steps:\n  train: {uses: train, with: {data: x}}", 2, "train", "train needs with: target")]
    [InlineData("steps:\n  train: {uses: train, with: {data: x, target: y, lerner: gbdt}}", 2, "train", "takes no input 'lerner'")]
    [InlineData("steps:\n  train: {uses: train, with: {data: x, target: y, learner: xgboost}}", 2, "train", "unknown learner 'xgboost' (learners: gbdt, forest")]
    [InlineData("steps:\n  a: {run: \"true\"}\n  b: {run: \"true\", needs: [c]}", 3, "b", "needs 'c', which is not a step")]
    [InlineData("steps:\n  a: {run: \"true\", uses: train}", 2, "a", "not both")]
    [InlineData("steps:\n  a: {with: {x: 1}}", 2, "a", "give either uses:")]
    [InlineData("params:\n  rounds: {type: int, default: many}\nsteps:\n  a: {run: \"true\"}", 2, null, "param 'rounds' is a int but its default 'many' is not a whole number")]
    [InlineData("params:\n  x: {type: tensor}\nsteps:\n  a: {run: \"true\"}", 2, null, "unknown type 'tensor'")]
    [InlineData("steps:\n  a: {run: \"echo ${{ params.rounds }}\"}", 2, "a", "reads params.rounds, which is not declared")]
    [InlineData("steps:\n  a: {run: \"true\", outputs: {o: o.txt}}\n  b: {run: \"cat ${{ steps.a.outputs.o }}\"}", 3, "b", "does not need a: add needs: [a]")]
    [InlineData("steps:\n  a: {run: \"true\", outputs: {o: o.txt}}\n  b: {run: \"cat ${{ steps.a.outputs.x }}\", needs: a}", 3, "b", "reads output 'x' of a, which gives o")]
    [InlineData("steps:\n  a: {run: \"echo ${{ secrets.token }}\"}", 2, "a", "neither ${{ params.NAME }}")]
    [InlineData("steps:\n  a: {run: \"true\", when: \"gate passed\"}", 2, "a", "is not a condition")]
    [InlineData("steps:\n  a: {run: \"true\", retries: 50}", 2, "a", "retries: '50' must be a whole number from 0 to 10")]
    [InlineData("steps:\n  a: {run: \"true\", timeout: soon}", 2, "a", "timeout: 'soon' must be a number and a unit")]
    [InlineData("steps:\n  a: {run: \"true\", retry: 2}", 2, "a", "unknown field 'retry'")]
    [InlineData("stages:\n  a: {run: \"true\"}", 1, null, "unknown field 'stages'")]
    [InlineData("steps: [a, b]", 1, null, "a pipeline needs steps:")]
    [InlineData("steps:\n  a: {run: \"true\"\n", 3, null, "not valid YAML")]
    public void Each_problem_names_its_line_step_and_what_to_do(string yaml, int line, string? step, string message)
    {
        var errors = Errors(yaml);
        Assert.Contains(errors, e => e.Line == line && e.Step == step && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_loan_examples_pipeline_is_valid()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "examples", "loan-approval", "pipelines", "retrain-loan.yaml");
        var (spec, errors) = PipelineSpecReader.ReadFile(file);
        Assert.Empty(errors);
        Assert.Equal(["train-gbdt", "train-forest", "train-logistic"], PipelineValidator.Layers(spec!)[2]);
    }

    [Fact]
    public void Every_problem_of_a_file_is_reported_at_once()
    {
        var errors = Errors("""
            steps:
              train: {uses: trian}
              gate: {uses: gate, needs: [trainn]}
              x: {run: "true", retries: -1}
            """);
        Assert.Equal(["train", "gate", "gate", "x"], errors.Select(e => e.Step));
        Assert.Null(PipelineSpecReader.Read("steps:\n  train: {uses: trian}", "p.yaml").Spec);
    }
}
