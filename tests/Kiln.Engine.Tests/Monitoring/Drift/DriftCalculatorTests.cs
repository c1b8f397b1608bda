using System.Text.Json;
using Kiln.Engine.Monitoring.Drift;
using Kiln.Engine.Tables;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Tests.Monitoring.Drift;

/// <summary>Drift from profiles, checked against scipy's statistics on the same data (tests/fixtures/drift/make_drift.py).</summary>
public sealed class DriftCalculatorTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "drift", name);

    private static (TableProfile Reference, TableProfile Current) Profiles(string size)
    {
        var reference = TableFiles.Read(Fixture($"{size}_ref.csv"));
        var current = TableFiles.Read(Fixture($"{size}_cur.csv"), reference.Columns.ToDictionary(c => c.Name, c => c.Kind));
        return (TableProfile.Compute(reference), TableProfile.Compute(current));
    }

    private static JsonElement Expected(string size, string column) =>
        JsonDocument.Parse(File.ReadAllText(Fixture("expected.json"))).RootElement.GetProperty(size).GetProperty(column);

    [Fact]
    public void A_small_reference_uses_ks_chisquare_and_z_and_flags_exactly_the_changed_columns()
    {
        var (reference, current) = Profiles("small");

        var report = DriftCalculator.Compare(reference, current);

        var byColumn = report.Columns.ToDictionary(c => c.Column);
        Assert.Equal(DriftMethod.Ks, byColumn["shifted"].Method);
        Assert.Equal(DriftMethod.ChiSquare, byColumn["plan"].Method);
        Assert.Equal(DriftMethod.ZTest, byColumn["flag"].Method);
        // the columns scipy's p-values put below 0.05 (channel's shares did not change, but chi-square against the
        // reference's shares as if they were exact flags its sampling noise at 800 rows, in scipy as here)
        var scipy = new[] { ("shifted", "ks_p"), ("same", "ks_p"), ("scaled", "ks_p"), ("plan", "chisquare_p"), ("channel", "chisquare_p"), ("flag", "z_p") }
            .Where(x => Expected("small", x.Item1).GetProperty(x.Item2).GetDouble() < 0.05).Select(x => x.Item1).Order();
        Assert.Equal(scipy, report.Columns.Where(c => c.Drifted).Select(c => c.Column).Order());
        Assert.True(report.DatasetDrifted);
        // the same p-values as scipy where it matters: far below 0.05 for the changed columns, well above for the unchanged number
        Assert.True(byColumn["shifted"].Score < 1e-10 && Expected("small", "shifted").GetProperty("ks_p").GetDouble() < 1e-10);
        Assert.InRange(byColumn["same"].Score, Expected("small", "same").GetProperty("ks_p").GetDouble() - 0.15, Expected("small", "same").GetProperty("ks_p").GetDouble() + 0.15);
        Assert.InRange(byColumn["channel"].Score, Expected("small", "channel").GetProperty("chisquare_p").GetDouble() * 0.5, Expected("small", "channel").GetProperty("chisquare_p").GetDouble() * 2);
        Assert.True(byColumn["flag"].Score < 1e-10);
    }

    [Fact]
    public void A_large_reference_uses_normed_wasserstein_and_jensen_shannon_equal_to_scipys()
    {
        var (reference, current) = Profiles("large");

        var report = DriftCalculator.Compare(reference, current);

        var byColumn = report.Columns.ToDictionary(c => c.Column);
        foreach (var column in new[] { "shifted", "same", "scaled" })
        {
            Assert.Equal(DriftMethod.Wasserstein, byColumn[column].Method);
            Assert.Equal(Expected("large", column).GetProperty("wasserstein_normed").GetDouble(), byColumn[column].Score, 0.02);
        }
        foreach (var column in new[] { "plan", "channel", "flag" })
        {
            Assert.Equal(DriftMethod.JensenShannon, byColumn[column].Method);
            Assert.Equal(Expected("large", column).GetProperty("jensenshannon").GetDouble(), byColumn[column].Score, 1e-9); // exact: category counts
        }
        Assert.Equal(["flag", "plan", "scaled", "shifted"], report.Columns.Where(c => c.Drifted).Select(c => c.Column).Order());
    }

    [Theory]
    [InlineData("shifted")]
    [InlineData("same")]
    [InlineData("scaled")]
    [InlineData("plan")]
    [InlineData("channel")]
    public void Psi_and_ks_statistics_agree_with_scipy_on_any_column(string column)
    {
        var (reference, current) = Profiles("large");
        var options = new DriftOptions(Method: DriftMethod.Psi);

        var psi = DriftCalculator.Compare(reference, current, options).Columns.Single(c => c.Column == column);

        Assert.Equal(Expected("large", column).GetProperty("psi").GetDouble(), psi.Score, column is "plan" or "channel" ? 1e-9 : 0.02);
        if (column is "shifted" or "same" or "scaled")
        {
            var d = DriftCalculator.KolmogorovSmirnov(reference.GetColumn(column).Numeric!.Sketch!, current.GetColumn(column).Numeric!.Sketch!);
            Assert.Equal(Expected("large", column).GetProperty("ks_d").GetDouble(), d, 0.01); // the sketches' rank error is 1/200
        }
    }

    [Fact]
    public void Windows_merged_from_profiles_give_the_drift_of_all_their_rows()
    {
        var reference = TableFiles.Read(Fixture("large_ref.csv"));
        var current = TableFiles.Read(Fixture("large_cur.csv"), reference.Columns.ToDictionary(c => c.Name, c => c.Kind));
        var whole = TableProfile.Compute(current);
        var merged = TableProfile.Compute(current.Slice(0, 2000)).Merge(TableProfile.Compute(current.Slice(2000, current.RowCount - 2000)));
        var referenceProfile = TableProfile.Compute(reference);

        var fromWhole = DriftCalculator.Compare(referenceProfile, whole).Columns.ToDictionary(c => c.Column, c => c.Score);
        var fromMerged = DriftCalculator.Compare(referenceProfile, merged).Columns.ToDictionary(c => c.Column, c => c.Score);

        foreach (var (column, score) in fromWhole)
        {
            Assert.Equal(score, fromMerged[column], 0.02);
        }
    }

    [Fact]
    public void Overrides_pick_the_method_and_threshold_and_a_wrong_method_for_the_kind_is_a_clear_error()
    {
        var (reference, current) = Profiles("large");
        var options = new DriftOptions(Methods: new Dictionary<string, DriftMethod> { ["same"] = DriftMethod.Hellinger, ["shifted"] = DriftMethod.AndersonDarling },
            Thresholds: new Dictionary<string, double> { ["scaled"] = 0.5 });

        var report = DriftCalculator.Compare(reference, current, options);

        var byColumn = report.Columns.ToDictionary(c => c.Column);
        Assert.Equal(DriftMethod.Hellinger, byColumn["same"].Method);
        Assert.False(byColumn["same"].Drifted);
        Assert.Equal(DriftMethod.AndersonDarling, byColumn["shifted"].Method);
        Assert.True(byColumn["shifted"].Drifted && byColumn["shifted"].Score < 1e-3);
        Assert.False(byColumn["scaled"].Drifted); // 0.40 is under the column's own 0.5
        var wrong = Assert.Throws<Kiln.Core.Errors.KilnException>(() => DriftCalculator.Compare(reference, current,
            new DriftOptions(Methods: new Dictionary<string, DriftMethod> { ["plan"] = DriftMethod.Ks })));
        Assert.Contains("'plan' is categorical", wrong.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3.841458820694124, 1, 0.05)]
    [InlineData(11.070497693516351, 5, 0.05)]
    [InlineData(0.5, 2, 0.7788007830714049)]
    [InlineData(30, 10, 0.000856641210775301)]
    public void Chi_square_tails_match_scipy(double x, int freedom, double expected) =>
        Assert.Equal(expected, Probability.ChiSquareSurvival(x, freedom), 1e-7);

    [Fact]
    public void Normal_and_kolmogorov_tails_match_scipy()
    {
        Assert.Equal(0.05, Probability.NormalTwoSided(1.959963984540054), 1e-6);
        Assert.Equal(1.0, Probability.KolmogorovSmirnovP(0, 100, 100), 9);
        // scipy.stats.kstwobign.sf(1.36) = 0.0494 (the asymptotic 5% point)
        Assert.Equal(0.0494, Probability.KolmogorovSmirnovP(1.36 / Math.Sqrt(5000), 10_000, 10_000), 3);
    }
}
