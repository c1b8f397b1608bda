using Kiln.Core.Serving;
using Kiln.Engine.Flavors;
using Kiln.Engine.Serving;
using Kiln.Flavors.Onnx;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Serving;

public sealed class ModelBatcherTests
{
    private static readonly string[] Names = ["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"];

    private static Table Row(Table rows, int r) => rows.Slice(r, 1);

    [Fact]
    public async Task Merged_requests_get_exactly_their_own_rows_and_calls_are_fewer_than_requests()
    {
        using var model = new OnnxPredictor(FlavorFixtures.PathOf("onnx_binary.onnx"), new ModelHints(Names));
        var batcher = new ModelBatcher(model, new RouteBatching(MaxRows: 32, MaxWaitMs: 20), workers: 1);
        var rows = FlavorFixtures.Rows();
        var want = model.Predict(rows);

        var answers = await Task.WhenAll(Enumerable.Range(0, 300).Select(r => Task.Run(async () => (r, await batcher.PredictAsync(Row(rows, r), CancellationToken.None)))));

        Assert.All(answers, a => Assert.Equal(want[a.r], Assert.Single(a.Item2), 6));
        var (scored, calls) = batcher.Counters;
        Assert.Equal(300, scored);
        Assert.True(calls < 300 && calls >= 300 / 32, $"{calls} calls");
    }

    [Fact]
    public async Task A_request_the_model_rejects_fails_alone()
    {
        using var model = new OnnxPredictor(FlavorFixtures.PathOf("onnx_binary.onnx"), new ModelHints(Names));
        var batcher = new ModelBatcher(model, new RouteBatching(MaxRows: 64, MaxWaitMs: 50), workers: 1);
        var rows = FlavorFixtures.Rows();
        var bad = new Table([new TextColumn("x0", ["not a number"])]);

        var good = Enumerable.Range(1, 10).Select(r => batcher.PredictAsync(Row(rows, r), CancellationToken.None)).ToList();
        var failing = batcher.PredictAsync(bad, CancellationToken.None);

        await Assert.ThrowsAnyAsync<Exception>(() => failing);
        foreach (var task in good)
        {
            Assert.Single(await task);
        }
    }

    [Fact]
    public void Concatenated_requests_keep_numbers_missing_values_and_categories()
    {
        var schema = new Kiln.Learn.Data.ModelSchema(Kiln.Learn.TaskKind.Regression, "y",
            [new("n", Kiln.Learn.Data.FeatureKind.Numeric, []), new("c", Kiln.Learn.Data.FeatureKind.Categorical, ["a", "b"])], []);
        var first = new Table([new Float64Column("n", [1, double.NaN]), CategoricalColumn.FromValues("c", ["a", null])]);
        var second = new Table([new Float64Column("n", [3]), CategoricalColumn.FromValues("c", ["b"])]);

        var both = ModelBatcher.Concat([first, second], schema);

        Assert.Equal(3, both.RowCount);
        Assert.True(both["n"].IsMissing(1));
        Assert.Equal(3, ((NumericColumn)both["n"]).GetValue(2));
        Assert.Equal(["a", null, "b"], Enumerable.Range(0, 3).Select(r => both["c"].IsMissing(r) ? null : both["c"].FormatValue(r)));
    }
}
