using Kiln.Core.Errors;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Training;

/// <summary>The tables a run trains on, after the user's column choices, checked before any run is created.</summary>
/// <param name="Train">The training table: the target and the chosen features.</param>
/// <param name="Valid">The validation table with the same columns, or null.</param>
/// <param name="Warnings">What the user should know (a feature that looks like a row counter).</param>
/// <param name="Groups">Each training row's group (the <c>--group</c> column's value) for grouped cross-validation, or null.</param>
public sealed record TrainingColumns(Table Train, Table? Valid, IReadOnlyList<string> Warnings, IReadOnlyList<string>? Groups = null)
{
    /// <summary>
    /// Applies <c>--features</c> or <c>--drop</c>, then checks: the target exists; the validation file has every
    /// training column with a compatible type (errors name the validation file); no feature is text with a different
    /// value in every row (an identifier: refused, with the <c>--drop</c> to use). A numeric feature that counts rows
    /// (0, 1, 2, … or 1, 2, 3, …) is a warning.
    /// </summary>
    public static TrainingColumns Prepare(TrainRequest request, Table train, Table? valid)
    {
        if (!train.TryGetColumn(request.Target, out _))
        {
            throw KilnException.Invalid(
                $"--target '{request.Target}' is not a column of {request.DataPath}. Its columns: {string.Join(", ", train.ColumnNames)}.");
        }
        IReadOnlyList<string>? groups = null;
        if (request.CvGroup is { } group)
        {
            // The group column is read before --features/--drop choose the model's columns: it may well not be a feature.
            var column = train.TryGetColumn(group, out var c) ? c
                : throw KilnException.Invalid($"--group '{group}' is not a column of {request.DataPath}. Its columns: {string.Join(", ", train.ColumnNames)}.");
            groups = [.. Enumerable.Range(0, train.RowCount).Select(r => column.FormatValue(r) ?? "(missing)")];
        }
        if (request.Weight is { } weight && !train.TryGetColumn(weight, out _))
        {
            throw KilnException.Invalid($"--weight '{weight}' is not a column of {request.DataPath}. Its columns: {string.Join(", ", train.ColumnNames)}.");
        }
        train = Choose(train, request);
        if (valid is not null)
        {
            valid = CheckValidation(train, valid, request.ValidPath ?? "the validation set");
        }
        var warnings = new List<string>();
        foreach (var column in train.Columns)
        {
            if (NumericExceptTokens(column) is { } tokens)
            {
                warnings.Add($"Column '{column.Name}' is numeric except for {string.Join(", ", tokens.Select(t => $"'{t.Token}' ({t.Rows} rows)"))}, so it was read as " +
                    $"{(column is CategoricalColumn ? "categories" : "text")}. If those mean missing, pass --na-values {string.Join(",", tokens.Select(t => t.Token))}.");
            }
        }
        foreach (var column in train.Columns.Where(c => c.Name != request.Target))
        {
            if (column is TextColumn && column.Length > 1 && AllDistinct(column))
            {
                throw KilnException.Invalid(
                    $"Column '{column.Name}' is text with a different value in every row: it looks like an identifier, and text cannot be a feature. " +
                    $"Leave it out with --drop {column.Name}.");
            }
            if (column is NumericColumn numeric && column.Length > 2 && IsRowCounter(numeric))
            {
                warnings.Add($"Column '{column.Name}' counts the rows (it looks like an identifier): a model cannot generalise from it. Leave it out with --drop {column.Name}.");
            }
        }
        return new TrainingColumns(train, valid, warnings, groups);
    }

    private static Table Choose(Table train, TrainRequest request)
    {
        if (request.Features is { Count: > 0 } && request.Drop is { Count: > 0 })
        {
            throw KilnException.Invalid("Give either --features or --drop, not both.");
        }
        if (request.Features is { Count: > 0 } features)
        {
            Known(train, features, "--features", request.DataPath);
            // the weight column rides along (the learner reads it and leaves it out of the features)
            var weight = request.Weight is { } w ? (IEnumerable<string>)[w] : [];
            return train.Select([.. features.Where(f => f != request.Target && f != request.Weight), .. weight, request.Target]);
        }
        if (request.Drop is { Count: > 0 } drop)
        {
            Known(train, drop, "--drop", request.DataPath);
            if (request.Weight is { } w && drop.Contains(w))
            {
                throw KilnException.Invalid($"--drop names the weight column '{w}'; it is not a feature already, and --weight needs it.");
            }
            if (drop.Contains(request.Target))
            {
                throw KilnException.Invalid($"--drop names the target '{request.Target}': the target is what the model predicts, so it stays.");
            }
            return train.Drop(drop);
        }
        return train;
    }

    private static void Known(Table table, IReadOnlyList<string> names, string flag, string path)
    {
        var unknown = names.Where(n => !table.TryGetColumn(n, out _)).ToList();
        if (unknown.Count > 0)
        {
            throw KilnException.Invalid($"{flag} names {string.Join(", ", unknown.Select(u => $"'{u}'"))}, not columns of {path}. Its columns: {string.Join(", ", table.ColumnNames)}.");
        }
    }

    private static Table CheckValidation(Table train, Table valid, string path)
    {
        var missing = train.ColumnNames.Where(n => !valid.TryGetColumn(n, out _)).ToList();
        if (missing.Count > 0)
        {
            throw KilnException.Invalid(
                $"The validation file {path} (--valid) has no column {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the training data has. Its columns: {string.Join(", ", valid.ColumnNames)}.");
        }
        foreach (var column in train.Columns)
        {
            var other = valid[column.Name];
            if ((column is NumericColumn) != (other is NumericColumn) && other.Length > 0 && column.Length > 0 && !AllMissing(other))
            {
                throw KilnException.Invalid(
                    $"The validation file {path} (--valid) has column '{column.Name}' as {other.Kind}, but the training data has it as {column.Kind}: " +
                    "a value in one of the files is probably not what the column should hold.");
            }
        }
        return valid.Select(train.ColumnNames);
    }

    /// <summary>For a text or categorical column whose values are numbers but for at most five tokens (≥ 90 % numbers): those tokens and their counts.</summary>
    private static List<(string Token, int Rows)>? NumericExceptTokens(Column column)
    {
        var numbers = 0;
        var tokens = new Dictionary<string, int>(StringComparer.Ordinal);
        bool Count(string value, int rows)
        {
            if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                numbers += rows;
                return true;
            }
            tokens[value] = tokens.GetValueOrDefault(value) + rows;
            return tokens.Count <= 5;
        }

        switch (column)
        {
            case NumericColumn:
                return null;
            case CategoricalColumn categorical:
                // Each category once, weighted by its rows: no string per row.
                var perCode = new int[categorical.CategoryCount];
                foreach (var code in categorical.Codes)
                {
                    if (code >= 0)
                    {
                        perCode[code]++;
                    }
                }
                for (var c = 0; c < perCode.Length; c++)
                {
                    if (perCode[c] > 0 && !Count(categorical.Categories[c], perCode[c]))
                    {
                        return null;
                    }
                }
                break;
            default:
                for (var row = 0; row < column.Length; row++)
                {
                    if (!column.IsMissing(row) && !Count(column.FormatValue(row) ?? "", 1))
                    {
                        return null;
                    }
                }
                break;
        }
        var total = numbers + tokens.Values.Sum();
        return tokens.Count > 0 && numbers > 0 && numbers >= 0.9 * total
            ? [.. tokens.OrderByDescending(t => t.Value).Select(t => (t.Key, t.Value))]
            : null;
    }

    private static bool AllMissing(Column column)
    {
        for (var row = 0; row < column.Length; row++)
        {
            if (!column.IsMissing(row))
            {
                return false;
            }
        }
        return true;
    }

    private static bool AllDistinct(Column column)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var row = 0; row < column.Length; row++)
        {
            if (column.IsMissing(row) || !seen.Add(column.FormatValue(row) ?? ""))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsRowCounter(NumericColumn column)
    {
        var first = column.GetValue(0);
        if (first is not (0 or 1))
        {
            return false;
        }
        for (var row = 1; row < column.Length; row++)
        {
            if (column.GetValue(row) != first + row)
            {
                return false;
            }
        }
        return true;
    }
}
