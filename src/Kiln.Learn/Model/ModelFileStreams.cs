using System.Text;

namespace Kiln.Learn.Model;

/// <summary>A model file being read: knows the file's format version, so a payload can read the parts a version added.</summary>
internal sealed class ModelFileReader(Stream stream) : BinaryReader(stream, Encoding.UTF8, leaveOpen: true)
{
    public int Version { get; set; }
}

/// <summary>A model file being written in <see cref="Version"/>: a payload writes only what that version has.</summary>
internal sealed class ModelFileWriter(Stream stream, int version) : BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)
{
    public int Version { get; } = version;
}
