using Kiln.Learn.Gbdt;
using Kiln.Learn.Model;
using Kiln.Testing;

namespace Kiln.Learn.Tests.Model;

public sealed class ModelFileTests
{
    private static TrainedModel RoundTrip(TrainedModel model, int version = ModelFile.CurrentVersion)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream, version);
        stream.Position = 0;
        return TrainedModel.Load(stream);
    }

    [Fact]
    public void Predictions_are_identical_after_save_and_load()
    {
        var model = new GbdtLearner().Fit(Synthetic.ThreeClasses(1000), "y", new GbdtOptions { Task = TaskKind.MulticlassClassification, Rounds = 10 });
        var loaded = Assert.IsType<GbdtModel>(RoundTrip(model));
        var test = Synthetic.ThreeClasses(200, seed: 5);
        Assert.Equal(model.Predict(test), loaded.Predict(test));
        Assert.Equal(model.Schema.Classes, loaded.Schema.Classes);
        Assert.Equal(model.Properties["best_round"], loaded.Properties["best_round"]);
        Assert.Equal(model.Importance, loaded.Importance);
    }

    [Fact]
    public void Categorical_model_round_trips()
    {
        var model = new GbdtLearner().Fit(Synthetic.Categories(500), "y", new GbdtOptions { Rounds = 5 });
        var test = Synthetic.Categories(100, seed: 2);
        Assert.Equal(model.Predict(test), RoundTrip(model).Predict(test));
    }

    [Fact]
    public void Version_one_files_still_load()
    {
        var model = new GbdtLearner().Fit(Synthetic.Step(300), "y", new GbdtOptions { Rounds = 5 });
        var loaded = RoundTrip(model, version: 1);
        Assert.Empty(loaded.Properties);
        Assert.Equal(model.Predict(Synthetic.Step(50)), loaded.Predict(Synthetic.Step(50)));
    }

    [Fact]
    public void Newer_versions_and_other_files_are_refused_clearly()
    {
        var model = new GbdtLearner().Fit(Synthetic.Step(300), "y", new GbdtOptions { Rounds = 2 });
        using var stream = new MemoryStream();
        model.Save(stream);
        var bytes = stream.ToArray();
        bytes[8] = 99;
        var e = Assert.Throws<LearnException>(() => TrainedModel.Load(new MemoryStream(bytes)));
        Assert.Contains("version 99", e.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a Kiln model", Assert.Throws<LearnException>(() => TrainedModel.Load(new MemoryStream("hello world"u8.ToArray()))).Message, StringComparison.Ordinal);
        Assert.Contains("truncated", Assert.Throws<LearnException>(() => TrainedModel.Load(new MemoryStream(stream.ToArray()[..40]))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_starts_with_magic_and_version()
    {
        var model = new GbdtLearner().Fit(Synthetic.Step(300), "y", new GbdtOptions { Rounds = 2 });
        using var stream = new MemoryStream();
        model.Save(stream);
        var bytes = stream.ToArray();
        Assert.Equal("KILNMDL\0"u8.ToArray(), bytes[..8]);
        Assert.Equal(ModelFile.CurrentVersion, BitConverter.ToInt32(bytes, 8));
    }
}
