using Kiln.Tabular;

namespace Kiln.Learn.Splits;

/// <summary>Train/test splits and k-fold cross-validation, deterministic for a seed.</summary>
public static class DataSplits
{
    /// <summary>Splits rows into train and test, keeping each class's share in both when <paramref name="stratifyBy"/> names
    /// a column (its distinct values are the strata; missing values form one stratum).</summary>
    /// <param name="table">The rows to split.</param>
    /// <param name="testFraction">The share of rows (of each stratum) that go to test. Range (0, 1).</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <param name="stratifyBy">A column to stratify by, usually the classification target; null for a plain shuffle.</param>
    public static (Table Train, Table Test) TrainTest(Table table, double testFraction = 0.2, int seed = 42, string? stratifyBy = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentException($"testFraction is {testFraction}; it must be between 0 and 1 (exclusive).", nameof(testFraction));
        }
        var rng = new Random(seed);
        var train = new List<int>();
        var test = new List<int>();
        foreach (var stratum in Strata(table, stratifyBy))
        {
            Shuffle(stratum, rng);
            var testCount = (int)Math.Round(stratum.Length * testFraction);
            test.AddRange(stratum[..testCount]);
            train.AddRange(stratum[testCount..]);
        }
        train.Sort();
        test.Sort();
        return (table.Take(train.ToArray()), table.Take(test.ToArray()));
    }

    /// <summary>The rows of each of <paramref name="folds"/> folds (stratified when <paramref name="stratifyBy"/> is given):
    /// fold i is the test set of round i and the other folds its training set.</summary>
    public static IReadOnlyList<(Table Train, Table Test)> KFold(Table table, int folds = 5, int seed = 42, string? stratifyBy = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (folds < 2 || folds > table.RowCount)
        {
            throw new ArgumentException($"folds is {folds}; it must be between 2 and the row count ({table.RowCount}).", nameof(folds));
        }
        var rng = new Random(seed);
        var assignment = new int[table.RowCount];
        var next = 0;
        foreach (var stratum in Strata(table, stratifyBy))
        {
            Shuffle(stratum, rng);
            foreach (var row in stratum)
            {
                assignment[row] = next++ % folds;
            }
        }
        return Folds(table, assignment, folds);
    }

    /// <summary>
    /// K folds that keep each group whole (all rows of one applicant, say, on one side): groups are dealt, largest first, to
    /// the fold with the fewest rows so far, ties broken by a seeded shuffle; <paramref name="groups"/> holds each row's group.
    /// </summary>
    public static IReadOnlyList<(Table Train, Table Test)> GroupKFold(Table table, IReadOnlyList<string> groups, int folds = 5, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count != table.RowCount)
        {
            throw new ArgumentException($"groups has {groups.Count} values for {table.RowCount} rows.", nameof(groups));
        }
        var byGroup = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < groups.Count; i++)
        {
            (byGroup.TryGetValue(groups[i], out var list) ? list : byGroup[groups[i]] = []).Add(i);
        }
        if (folds < 2 || folds > byGroup.Count)
        {
            throw new LearnException($"folds is {folds}; with groups it must be between 2 and the number of groups ({byGroup.Count}).");
        }
        var rng = new Random(seed);
        var ordered = byGroup.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (Key: g.Key, Rows: g.Value, Tie: rng.Next())).OrderByDescending(g => g.Rows.Count).ThenBy(g => g.Tie).ToList();
        var sizes = new int[folds];
        var assignment = new int[table.RowCount];
        foreach (var group in ordered)
        {
            var fold = Array.IndexOf(sizes, sizes.Min());
            sizes[fold] += group.Rows.Count;
            foreach (var row in group.Rows)
            {
                assignment[row] = fold;
            }
        }
        return Folds(table, assignment, folds);
    }

    /// <summary>Fold f's test rows are those assigned f; its training rows the rest.</summary>
    private static List<(Table Train, Table Test)> Folds(Table table, int[] assignment, int folds)
    {
        var result = new List<(Table, Table)>(folds);
        for (var f = 0; f < folds; f++)
        {
            var trainRows = new List<int>();
            var testRows = new List<int>();
            for (var i = 0; i < assignment.Length; i++)
            {
                (assignment[i] == f ? testRows : trainRows).Add(i);
            }
            result.Add((table.Take(trainRows.ToArray()), table.Take(testRows.ToArray())));
        }
        return result;
    }

    private static List<int[]> Strata(Table table, string? column)
    {
        if (column is null)
        {
            return [Enumerable.Range(0, table.RowCount).ToArray()];
        }
        if (!table.TryGetColumn(column, out var c))
        {
            throw new LearnException($"Stratify column '{column}' is not in the table.");
        }
        var groups = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < table.RowCount; i++)
        {
            var key = c.FormatValue(i) ?? "\0missing";
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }
            list.Add(i);
        }
        return [.. groups.Values.Select(g => g.ToArray())];
    }

    private static void Shuffle(int[] rows, Random rng)
    {
        for (var i = rows.Length - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }
    }
}
