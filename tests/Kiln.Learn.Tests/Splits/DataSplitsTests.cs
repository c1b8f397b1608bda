using Kiln.Learn.Splits;
using Kiln.Tabular.Columns;
using Kiln.Testing;

namespace Kiln.Learn.Tests.Splits;

public sealed class DataSplitsTests
{
    [Fact]
    public void Stratified_split_keeps_class_shares_and_is_deterministic()
    {
        var table = Synthetic.Step(1000);
        var (train, test) = DataSplits.TrainTest(table, 0.2, seed: 1, stratifyBy: "y");
        Assert.Equal(1000, train.RowCount + test.RowCount);
        double Share(Kiln.Tabular.Table t) => ((Float64Column)t["y"]).Values.ToArray().Average();
        Assert.Equal(Share(table), Share(test), 2);
        var again = DataSplits.TrainTest(table, 0.2, seed: 1, stratifyBy: "y");
        Assert.Equal(((Float64Column)test["x"]).Values.ToArray(), ((Float64Column)again.Test["x"]).Values.ToArray());
    }

    [Fact]
    public void K_fold_uses_every_row_once_as_test()
    {
        var table = Synthetic.Step(103);
        var folds = DataSplits.KFold(table, 5, seed: 2, stratifyBy: "y");
        Assert.Equal(5, folds.Count);
        Assert.Equal(103, folds.Sum(f => f.Test.RowCount));
        Assert.All(folds, f => Assert.Equal(103, f.Train.RowCount + f.Test.RowCount));
        var xs = folds.SelectMany(f => ((Float64Column)f.Test["x"]).Values.ToArray()).Order().ToArray();
        Assert.Equal(((Float64Column)table["x"]).Values.ToArray().Order().ToArray(), xs);
    }

    [Fact]
    public void Group_k_fold_keeps_each_group_in_one_test_fold_and_balances_rows()
    {
        var table = Synthetic.Step(300);
        var groups = Enumerable.Range(0, 300).Select(i => $"g{i % 37}").ToArray(); // 37 groups of 8 or 9 rows
        var folds = DataSplits.GroupKFold(table, groups, 5, seed: 3);
        Assert.Equal(300, folds.Sum(f => f.Test.RowCount));
        var xs = ((Float64Column)table["x"]).Values.ToArray();
        var groupOf = Enumerable.Range(0, 300).ToDictionary(i => xs[i], i => groups[i]);
        var foldOfGroup = new Dictionary<string, int>();
        for (var f = 0; f < folds.Count; f++)
        {
            foreach (var x in ((Float64Column)folds[f].Test["x"]).Values.ToArray())
            {
                Assert.Equal(f, foldOfGroup.TryGetValue(groupOf[x], out var seen) ? seen : foldOfGroup[groupOf[x]] = f); // never in two test folds
            }
        }
        Assert.InRange(folds.Max(f => f.Test.RowCount) - folds.Min(f => f.Test.RowCount), 0, 9);
        Assert.Throws<LearnException>(() => DataSplits.GroupKFold(table, [.. Enumerable.Range(0, 300).Select(i => $"g{i % 3}")], 5));
    }
}
