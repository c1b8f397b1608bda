using Kiln.Core.Errors;
using Kiln.Engine.Training;

namespace Kiln.Engine.Tests.Training;

public sealed class SearchSpaceTests
{
    [Fact]
    public void Grid_is_the_cartesian_product()
    {
        var grid = SearchSpace.Parse(["max_depth=3,4", "learning_rate=0.1,0.2,0.3"]).Grid().ToList();
        Assert.Equal(6, grid.Count);
        Assert.Equal(6, grid.Select(g => $"{g["max_depth"]}/{g["learning_rate"]}").Distinct().Count());
    }

    [Fact]
    public void Random_draws_stay_in_range_and_repeat_for_a_seed()
    {
        var space = SearchSpace.Parse(["max_depth=2:8", "learning_rate=0.01:0.3", "loss=squared_error,huber"]);
        var a = space.Random(20, 7).ToList();
        Assert.Equal(a.Select(d => string.Join(",", d.Values)), space.Random(20, 7).Select(d => string.Join(",", d.Values)));
        Assert.All(a, d =>
        {
            Assert.InRange(int.Parse(d["max_depth"]), 2, 8);
            Assert.InRange(double.Parse(d["learning_rate"], System.Globalization.CultureInfo.InvariantCulture), 0.01, 0.3);
        });
    }

    [Fact]
    public void Bad_specs_are_clear_errors()
    {
        Assert.Throws<KilnException>(() => SearchSpace.Parse(["max_depth"]));
        Assert.Throws<KilnException>(() => SearchSpace.Parse(["lr=0.3:0.1"]));
        Assert.Throws<KilnException>(() => SearchSpace.Parse([]));
        Assert.Contains("random", Assert.Throws<KilnException>(() => SearchSpace.Parse(["lr=0.1:0.3"]).Grid().ToList()).Message);
    }
}
