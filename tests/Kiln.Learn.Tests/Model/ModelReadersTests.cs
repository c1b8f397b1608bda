using Kiln.Learn.Model;

namespace Kiln.Learn.Tests.Model;

/// <summary>Model-file readers are found by learner name; an unknown learner is a clear error listing the known ones.</summary>
public sealed class ModelReadersTests
{
    [Fact]
    public void Built_in_learners_are_registered_and_unknown_ones_are_named()
    {
        Assert.Subset(ModelReaders.Learners.ToHashSet(), new HashSet<string> { "gbdt", "forest", "linear" });
        var e = Assert.Throws<LearnException>(() => ModelReaders.Get("catboost"));
        Assert.Contains("'catboost'", e.Message);
        Assert.Contains("gbdt", e.Message);
        Assert.Equal(Kiln.Core.Errors.ErrorCode.InvalidParameterValue, e.Code);
    }

    [Fact]
    public void A_new_learner_registers_its_reader()
    {
        ModelReader reader = (_, _, _) => throw new NotSupportedException();
        ModelReaders.Register("test-learner", reader);
        Assert.Same(reader, ModelReaders.Get("test-learner"));
        Assert.Contains("test-learner", ModelReaders.Learners);
    }
}
