using System.Text;
using Kiln.Learn.Data;
using Kiln.Learn.Linear;
using Kiln.Learn.Model;

namespace Kiln.Learn.Tests.Linear;

/// <summary>Reads a saved linear model through <see cref="LinearModel.Read"/>, standing in for ModelFile.Load until
/// ModelFile dispatches learner "linear" itself.</summary>
internal static class LinearModelFile
{
    public static LinearModel RoundTrip(LinearModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        Assert.Equal(ModelFile.Magic.ToArray(), reader.ReadBytes(8));
        Assert.Equal(ModelFile.CurrentVersion, reader.ReadInt32());
        Assert.Equal("linear", reader.ReadString());
        var task = (TaskKind)reader.ReadByte();
        var target = reader.ReadString();
        var classes = ModelFile.ReadStrings(reader);
        var features = new FeatureInfo[reader.ReadInt32()];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = new FeatureInfo(reader.ReadString(), (FeatureKind)reader.ReadByte(), ModelFile.ReadStrings(reader));
        }
        var properties = new Dictionary<string, string>();
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            properties[reader.ReadString()] = reader.ReadString();
        }
        return LinearModel.Read(reader, new ModelSchema(task, target, features, classes), properties);
    }
}
