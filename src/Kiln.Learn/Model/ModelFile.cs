using Kiln.Learn.Data;

namespace Kiln.Learn.Model;

/// <summary>The Kiln model file: little-endian binary, self-describing.</summary>
/// <remarks>Layout: the 8 bytes "KILNMDL\0"; int32 format version; learner name; task (byte); target name; classes;
/// features (name, kind, categories); since version 2 a key/value property list; then the learner's payload
/// (tree ensembles: transform, base scores, roots, flat nodes, leaf values, category bitsets; linear models:
/// coefficients and the standardisation/one-hot layout); since version 3 tree ensembles end with their node and leaf
/// covers (what TreeSHAP needs). Strings are length-prefixed UTF-8.
/// Versions 1 to 3 are read; a newer version is refused with a message to upgrade.</remarks>
public static class ModelFile
{
    /// <summary>The file's first bytes.</summary>
    public static ReadOnlySpan<byte> Magic => "KILNMDL\0"u8;

    /// <summary>The format version this build writes.</summary>
    public const int CurrentVersion = 3;

    /// <summary>The oldest format version this build reads.</summary>
    public const int OldestVersion = 1;

    /// <summary>Writes <paramref name="model"/> to <paramref name="stream"/> in the current format.</summary>
    public static void Save(TrainedModel model, Stream stream) => Save(model, stream, CurrentVersion);

    internal static void Save(TrainedModel model, Stream stream, int version)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new ModelFileWriter(stream, version);
        writer.Write(Magic);
        writer.Write(version);
        writer.Write(model.LearnerName);
        var schema = model.Schema;
        writer.Write((byte)schema.Task);
        writer.Write(schema.Target);
        WriteStrings(writer, schema.Classes);
        writer.Write(schema.Features.Count);
        foreach (var feature in schema.Features)
        {
            writer.Write(feature.Name);
            writer.Write((byte)feature.Kind);
            WriteStrings(writer, feature.Categories);
        }
        if (version >= 2)
        {
            writer.Write(model.Properties.Count);
            foreach (var (key, value) in model.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.Write(key);
                writer.Write(value);
            }
        }
        model.WritePayloadTo(writer);
    }

    /// <summary>Reads a model written by <see cref="Save(TrainedModel, Stream)"/>.</summary>
    /// <exception cref="LearnException">The stream is not a Kiln model, is truncated or corrupt, or was written by a newer
    /// format version; the message says which.</exception>
    public static TrainedModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new ModelFileReader(stream);
        try
        {
            Span<byte> magic = stackalloc byte[8];
            stream.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic))
            {
                throw new LearnException("This is not a Kiln model file (it does not start with \"KILNMDL\").");
            }
            var version = reader.ReadInt32();
            reader.Version = version;
            if (version > CurrentVersion)
            {
                throw new LearnException($"The model file has format version {version}, newer than this Kiln reads ({OldestVersion}-{CurrentVersion}); upgrade Kiln to load it.");
            }
            if (version < OldestVersion)
            {
                throw new LearnException($"The model file has format version {version}, which is not valid (known versions: {OldestVersion}-{CurrentVersion}).");
            }
            var learner = reader.ReadString();
            var task = (TaskKind)reader.ReadByte();
            var target = reader.ReadString();
            var classes = ReadStrings(reader);
            var features = new FeatureInfo[ReadCount(reader)];
            for (var i = 0; i < features.Length; i++)
            {
                features[i] = new FeatureInfo(reader.ReadString(), (FeatureKind)reader.ReadByte(), ReadStrings(reader));
            }
            var properties = new Dictionary<string, string>(StringComparer.Ordinal);
            if (version >= 2)
            {
                var count = ReadCount(reader);
                for (var i = 0; i < count; i++)
                {
                    properties[reader.ReadString()] = reader.ReadString();
                }
            }
            if (!Enum.IsDefined(task))
            {
                throw new LearnException($"The model file is corrupt: task {(int)task} is unknown.");
            }
            var schema = new ModelSchema(task, target, features, classes);
            if (properties.TryGetValue(TrainedModel.DecisionThresholdProperty, out var threshold)
                && double.TryParse(threshold, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var t) && t is > 0 and < 1)
            {
                schema = schema with { DecisionThreshold = t };
            }
            var model = ModelReaders.Get(learner)(reader, schema, properties);
            model.ReadCalibration();
            return model;
        }
        catch (EndOfStreamException e)
        {
            throw new LearnException("The model file is truncated.", e);
        }
    }

    internal static void WriteStrings(BinaryWriter writer, IReadOnlyList<string> values)
    {
        writer.Write(values.Count);
        foreach (var v in values)
        {
            writer.Write(v);
        }
    }

    internal static string[] ReadStrings(BinaryReader reader)
    {
        var result = new string[ReadCount(reader)];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = reader.ReadString();
        }
        return result;
    }

    internal static void WriteArray(BinaryWriter writer, double[] values)
    {
        writer.Write(values.Length);
        foreach (var v in values)
        {
            writer.Write(v);
        }
    }

    internal static void WriteArray(BinaryWriter writer, int[] values)
    {
        writer.Write(values.Length);
        foreach (var v in values)
        {
            writer.Write(v);
        }
    }

    internal static double[] ReadDoubles(BinaryReader reader)
    {
        var result = new double[ReadCount(reader)];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = reader.ReadDouble();
        }
        return result;
    }

    internal static int[] ReadInts(BinaryReader reader)
    {
        var result = new int[ReadCount(reader)];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = reader.ReadInt32();
        }
        return result;
    }

    internal static int ReadCount(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > 1 << 28)
        {
            throw new LearnException($"The model file is corrupt: a length of {count}.");
        }
        return count;
    }
}
