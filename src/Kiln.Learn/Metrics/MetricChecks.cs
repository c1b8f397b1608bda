namespace Kiln.Learn.Metrics;

internal static class MetricChecks
{
    public static void SameLength(int a, int b)
    {
        if (a != b)
        {
            throw new ArgumentException($"The inputs differ in length ({a} and {b}).");
        }
        if (a == 0)
        {
            throw new ArgumentException("The inputs are empty.");
        }
    }
}
