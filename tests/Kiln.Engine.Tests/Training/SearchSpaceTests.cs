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
    public void Random_search_never_repeats_a_trial_and_stops_when_the_space_is_exhausted()
    {
        var small = SearchSpace.Parse(["max_depth=3,4", "loss=squared_error,huber"]).Random(10, 1).ToList();
        Assert.Equal(4, small.Count);
        Assert.Equal(4, small.Select(d => $"{d["max_depth"]}/{d["loss"]}").Distinct().Count());
        var ranged = SearchSpace.Parse(["max_depth=2:4"]).Random(10, 1).ToList();
        Assert.Equal(3, ranged.Count);
        var many = SearchSpace.Parse(["max_depth=2:8", "lr=0.01:0.3"]).Random(50, 3).ToList();
        Assert.Equal(50, many.Select(d => $"{d["max_depth"]}/{d["lr"]}").Distinct().Count());
    }

    [Fact]
    public void Log_ranges_draw_log_uniformly()
    {
        var draws = SearchSpace.Parse(["learning_rate=log:0.001:1"]).Random(400, 5)
            .Select(d => double.Parse(d["learning_rate"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(draws, v => Assert.InRange(v, 0.001, 1));
        // Log-uniform over three decades: about a third below 0.01; uniform would put 1 % there.
        var belowHundredth = draws.Count(v => v < 0.01) / (double)draws.Count;
        Assert.InRange(belowHundredth, 0.2, 0.45);
        Assert.Contains("log:", SearchSpace.Parse(["learning_rate=log:0.001:1"]).ToString());
        Assert.Throws<KilnException>(() => SearchSpace.Parse(["learning_rate=log:0:1"]));
        Assert.Throws<KilnException>(() => SearchSpace.Parse(["learning_rate=log:0.1,0.2"]));
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
