using Kiln.Engine.Monitoring.Quality;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Tests.Monitoring.Quality;

public sealed class LiveQualityTests
{
    private static readonly ModelSchema Schema = new(TaskKind.BinaryClassification, "y",
        [new FeatureInfo("income", FeatureKind.Numeric, []), new FeatureInfo("region", FeatureKind.Categorical, ["east", "north"])], ["0", "1"]);

    [Fact]
    public void Missing_out_of_range_and_unseen_values_are_counted_against_the_reference()
    {
        var reference = TableProfile.Compute(new Table([
            new Float64Column("income", [.. Enumerable.Range(0, 100).Select(i => i < 10 ? double.NaN : i / 10.0)]), // 10 % missing, range 1–9.9
            CategoricalColumn.FromValues("region", [.. Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? "east" : "north")]),
        ]));
        var current = new Table([
            new Float64Column("income", [double.NaN, double.NaN, 0.5, 5, 5, 5, 5, 5, 20, 5]), // 2 missing; 0.5 and 20 out of 8 present are outside
            CategoricalColumn.FromValues("region", ["east", "west", "west", "south", null, "north", "east", "east", "east", "north"]),
        ]);

        var quality = LiveQuality.Compare(reference, current, Schema).ToDictionary(q => q.Feature);

        Assert.Equal(0.2, quality["income"].MissingShare, 12);
        Assert.Equal(0.1, quality["income"].ReferenceMissingShare, 12);
        Assert.Equal(2.0 / 8, quality["income"].OutOfRangeShare, 12);
        Assert.Equal(0, quality["income"].UnseenShare);
        Assert.True(quality["income"].HasIssue);
        Assert.Equal(0.1, quality["region"].MissingShare, 12);
        Assert.Equal(3.0 / 9, quality["region"].UnseenShare, 12);
        Assert.Equal(["west", "south"], quality["region"].Unseen);
        Assert.True(quality["region"].HasIssue);
    }

    [Fact]
    public void Inputs_like_the_training_data_have_no_issue()
    {
        var training = new Table([
            new Float64Column("income", [.. Enumerable.Range(0, 100).Select(i => i / 10.0)]),
            CategoricalColumn.FromValues("region", [.. Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? "east" : "north")]),
        ]);
        var quality = LiveQuality.Compare(TableProfile.Compute(training), training.Slice(10, 50), Schema);
        Assert.All(quality, q => Assert.False(q.HasIssue, q.Feature));
    }
}
