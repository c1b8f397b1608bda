namespace Kiln.Learn.Model;

internal sealed partial class TreeEnsemble
{
    public void Write(BinaryWriter writer)
    {
        writer.Write((byte)Transform);
        writer.Write(Scale);
        ModelFile.WriteArray(writer, BaseScores);
        ModelFile.WriteArray(writer, Roots);
        ModelFile.WriteArray(writer, TreeOutputs);
        writer.Write(Nodes.Length);
        foreach (var n in Nodes)
        {
            writer.Write(n.Feature);
            writer.Write(n.Threshold);
            writer.Write(n.Left);
            writer.Write(n.Right);
            writer.Write(n.Info);
        }
        ModelFile.WriteArray(writer, Leaves);
        writer.Write(CategoryBits.Length);
        foreach (var w in CategoryBits)
        {
            writer.Write(w);
        }
        if (writer is ModelFileWriter { Version: < 3 })
        {
            return;
        }
        ModelFile.WriteArray(writer, Covers?.Nodes ?? []);
        ModelFile.WriteArray(writer, Covers?.Leaves ?? []);
    }

    public static TreeEnsemble Read(BinaryReader reader, int featureCount)
    {
        var transform = (OutputTransform)reader.ReadByte();
        var scale = reader.ReadDouble();
        var baseScores = ModelFile.ReadDoubles(reader);
        var roots = ModelFile.ReadInts(reader);
        var outputs = ModelFile.ReadInts(reader);
        var nodes = new FlatNode[ModelFile.ReadCount(reader)];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = new FlatNode
            {
                Feature = reader.ReadInt32(), Threshold = reader.ReadDouble(), Left = reader.ReadInt32(),
                Right = reader.ReadInt32(), Info = reader.ReadInt32(),
            };
        }
        var leaves = ModelFile.ReadDoubles(reader);
        var bits = new uint[ModelFile.ReadCount(reader)];
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = reader.ReadUInt32();
        }
        TreeCovers? covers = null;
        if (reader is ModelFileReader { Version: >= 3 })
        {
            var nodeCovers = ModelFile.ReadDoubles(reader);
            var leafCovers = ModelFile.ReadDoubles(reader);
            if (nodeCovers.Length == nodes.Length && leafCovers.Length == leaves.Length && (nodes.Length > 0 || leaves.Length > 0))
            {
                covers = new TreeCovers(nodeCovers, leafCovers);
            }
            else if (nodeCovers.Length + leafCovers.Length > 0)
            {
                throw new LearnException("The model file is corrupt: its node covers do not match its trees.");
            }
        }
        var ensemble = new TreeEnsemble(nodes, leaves, bits, roots, outputs, baseScores, transform, scale) { Covers = covers };
        ensemble.Check(featureCount);
        return ensemble;
    }

    /// <summary>Rejects a corrupt file up front, so prediction can index without bounds worries.</summary>
    private void Check(int featureCount)
    {
        if (!Enum.IsDefined(Transform) || Roots.Length != TreeOutputs.Length)
        {
            throw new LearnException("The model file is corrupt: bad tree header.");
        }
        foreach (var o in TreeOutputs)
        {
            Require((uint)o < (uint)OutputCount);
        }
        foreach (var r in Roots)
        {
            CheckChild(r);
        }
        foreach (var n in Nodes)
        {
            Require((uint)n.Feature < (uint)featureCount);
            CheckChild(n.Left);
            CheckChild(n.Right);
            if ((n.Info & FlatNode.CategoricalFlag) != 0)
            {
                Require((n.Info >> 2) >= 0 && (n.Info >> 2) + FlatNode.CategoryWords <= CategoryBits.Length);
            }
        }

        void CheckChild(int child) => Require(child < 0 ? ~child < Leaves.Length : child < Nodes.Length);

        static void Require(bool ok)
        {
            if (!ok)
            {
                throw new LearnException("The model file is corrupt: a tree refers to a node, leaf or feature that does not exist.");
            }
        }
    }
}
