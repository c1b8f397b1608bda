using Kiln.Core.Artifacts;
using Kiln.Core.Registry;

namespace Kiln.Engine.Registry;

/// <summary>Finds the files of the model version a <c>models:/</c> URI names: locally (<see cref="RegistryService"/>) or through a server (<see cref="RemoteModelFiles"/>).</summary>
public interface IModelFiles
{
    /// <summary>The version a <c>models:/NAME/VERSION</c>, <c>models:/NAME@ALIAS</c>, <c>models:/NAME/latest</c> or <c>models:/NAME/STAGE</c> URI names, and the store and path holding its files.</summary>
    Task<(ModelVersion Version, IArtifactStore Store, string Path)> LocateAsync(string modelsUri, CancellationToken ct = default);
}
