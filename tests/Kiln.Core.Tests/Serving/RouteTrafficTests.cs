using Kiln.Core.Serving;

namespace Kiln.Core.Tests.Serving;

public sealed class RouteTrafficTests
{
    private static RouteTraffic Of(params double[] latencies)
    {
        var buckets = new long[RouteTraffic.BoundsMs.Count + 1];
        foreach (var ms in latencies)
        {
            buckets[RouteTraffic.Bucket(ms)]++;
        }
        return new RouteTraffic(latencies.Length, 0, latencies.Sum(), buckets);
    }

    [Fact]
    public void Latencies_fall_in_doubling_buckets_with_one_for_the_slowest()
    {
        Assert.Equal(0, RouteTraffic.Bucket(0));
        Assert.Equal(0, RouteTraffic.Bucket(0.25));
        Assert.Equal(1, RouteTraffic.Bucket(0.26));
        Assert.Equal(4, RouteTraffic.Bucket(3)); // (2, 4]
        Assert.Equal(RouteTraffic.BoundsMs.Count, RouteTraffic.Bucket(60_000));
        Assert.Equal(4096, RouteTraffic.BoundsMs[^1]);
    }

    [Fact]
    public void Percentiles_interpolate_within_the_bucket_as_prometheus_does()
    {
        Assert.Null(RouteTraffic.None.PercentileMs(0.5));
        var traffic = Of([.. Enumerable.Repeat(3.0, 90), .. Enumerable.Repeat(100.0, 10)]); // 90 in (2, 4], 10 in (64, 128]
        Assert.Equal(2 + 2 * 50 / 90.0, traffic.PercentileMs(0.5)!.Value, 9);
        Assert.Equal(64 + 64 * 5 / 10.0, traffic.PercentileMs(0.95)!.Value, 9);
        Assert.Equal(4096, Of(10_000).PercentileMs(0.99)); // beyond the last bound: its lower edge
    }

    [Fact]
    public void Windows_subtract_and_replicas_add()
    {
        var earlier = Of(1, 1, 3) with { Errors = 1 };
        var later = Of(1, 1, 3, 3, 100) with { Errors = 3 };
        var window = later.Minus(earlier);
        Assert.Equal((2L, 2L, 103.0), (window.Requests, window.Errors, window.LatencySumMs));
        Assert.Equal(later.Buckets, window.Plus(earlier).Buckets);
        Assert.Equal(earlier, earlier.Minus(later)); // counters that went back (a restart) count from zero
    }
}
