using Kiln.Engine.Flavors;
using Kiln.Engine.Packaging;
using Kiln.Learn;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Flavors;

public sealed class ModelImportTests
{
    [Theory]
    [InlineData("xgb_binary.ubj", "xgboost")]
    [InlineData("xgb_binary.json", "xgboost")]
    [InlineData("lgb_multi.txt", "lightgbm")]
    public void A_model_file_is_recognised_and_packaged_so_the_package_loads_as_the_same_model(string file, string flavor)
    {
        using var dir = new TempDirectory();
        var package = dir.File("package");

        using var imported = ModelImport.Package(FlavorCatalog.Builtin, FlavorFixtures.PathOf(file), null,
            new ModelHints(Target: "outcome"), package, DateTimeOffset.UnixEpoch);
        using var loaded = FlavorCatalog.Builtin.Load(package);

        Assert.Equal(flavor, loaded.Flavor);
        Assert.Equal("outcome", loaded.Schema.Target);
        Assert.Equal(imported.Schema.Features.Select(f => f.Name), loaded.Schema.Features.Select(f => f.Name));
        var mlmodel = File.ReadAllText(Path.Combine(package, MLmodelFile.FileName));
        Assert.Contains($"{flavor}:", mlmodel, StringComparison.Ordinal);
        Assert.Contains("signature:", mlmodel, StringComparison.Ordinal);
        var rows = FlavorFixtures.Rows();
        Assert.Equal(imported.Predict(rows), loaded.Predict(rows));
    }

    [Fact]
    public void An_unknown_file_or_flavor_is_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var notes = dir.File("notes.csv");
        File.WriteAllText(notes, "a,b\n1,2\n");

        var unknown = Assert.Throws<LearnException>(() => ModelImport.Package(FlavorCatalog.Builtin, notes, null, ModelHints.None, dir.File("p1"), DateTimeOffset.UnixEpoch));
        Assert.Contains("--flavor", unknown.Message, StringComparison.Ordinal);
        var flavor = Assert.Throws<LearnException>(() => ModelImport.Package(FlavorCatalog.Builtin, notes, "pytorch", ModelHints.None, dir.File("p2"), DateTimeOffset.UnixEpoch));
        Assert.Contains("Unknown flavor 'pytorch'", flavor.Message, StringComparison.Ordinal);
        var wrong = Assert.Throws<LearnException>(() => ModelImport.Package(FlavorCatalog.Builtin, notes, "lightgbm", ModelHints.None, dir.File("p3"), DateTimeOffset.UnixEpoch));
        Assert.Contains("LightGBM", wrong.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.File("p3"), MLmodelFile.FileName)));
    }

    [Fact]
    public void A_package_with_an_mlflow_xgboost_flavor_and_signature_loads_with_the_signature_names()
    {
        using var dir = new TempDirectory();
        File.Copy(FlavorFixtures.PathOf("xgb_binary.json"), dir.File("model.xgb"));
        File.WriteAllText(dir.File("MLmodel"), """
            artifact_path: model
            flavors:
              python_function:
                loader_module: mlflow.xgboost
                data: model.xgb
              xgboost:
                code: null
                data: model.xgb
                model_class: xgboost.core.Booster
                model_format: json
                xgb_version: 1.7.4
            signature:
              inputs: '[{"type": "double", "name": "income"}, {"type": "double", "name": "debt"}, {"type": "double", "name": "c"}, {"type": "double", "name": "d"}, {"type": "double", "name": "e"}, {"type": "double", "name": "f"}, {"type": "double", "name": "g"}, {"type": "double", "name": "h"}]'
              outputs: null
            """);

        using var model = FlavorCatalog.Builtin.Load(dir.Path);

        Assert.Equal("xgboost", model.Flavor);
        Assert.Equal("income", model.Schema.Features[0].Name);
    }
}
