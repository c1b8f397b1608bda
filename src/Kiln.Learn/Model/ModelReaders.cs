using System.Collections.Concurrent;
using Kiln.Learn.Data;
using Kiln.Learn.Forest;
using Kiln.Learn.Gbdt;
using Kiln.Learn.Linear;

namespace Kiln.Learn.Model;

/// <summary>Reads a learner's own part of a model file (after the common header: schema and properties).</summary>
/// <param name="reader">Positioned just after the header.</param>
/// <param name="schema">The model's task, target, features and classes, read from the header.</param>
/// <param name="properties">The header's string properties.</param>
public delegate TrainedModel ModelReader(BinaryReader reader, ModelSchema schema, IReadOnlyDictionary<string, string> properties);

/// <summary>
/// The model-file readers by learner name: <see cref="ModelFile.Load"/> asks here for the learner a file names. The
/// built-in learners register themselves; a new learner registers its reader once, without changing the file format.
/// </summary>
public static class ModelReaders
{
    private static readonly ConcurrentDictionary<string, ModelReader> Readers = new(StringComparer.Ordinal)
    {
        [GbdtModel.Learner] = GbdtModel.Read,
        [ForestModel.Learner] = ForestModel.Read,
        [LinearModel.Learner] = LinearModel.Read,
    };

    /// <summary>The learner names that have a reader, sorted.</summary>
    public static IReadOnlyList<string> Learners => [.. Readers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Registers (or replaces) the reader for models written by <paramref name="learner"/>.</summary>
    public static void Register(string learner, ModelReader reader)
    {
        ArgumentException.ThrowIfNullOrEmpty(learner);
        ArgumentNullException.ThrowIfNull(reader);
        Readers[learner] = reader;
    }

    /// <summary>The reader for <paramref name="learner"/>; an unknown learner is a <see cref="LearnException"/> listing the known ones.</summary>
    public static ModelReader Get(string learner) => Readers.TryGetValue(learner, out var reader)
        ? reader
        : throw new LearnException($"The model file was written by learner '{learner}', which this Kiln does not know (known: {string.Join(", ", Learners)}).");
}
