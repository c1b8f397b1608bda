namespace Kiln.Core.Tracking;

/// <summary>Readable default run names such as <c>amber-kiln-417</c>, as MLflow gives runs without a name.</summary>
public static class RunNameGenerator
{
    /// <summary>The tag MLflow keeps a run's name in.</summary>
    public const string RunNameTag = "mlflow.runName";

    private static readonly string[] Adjectives =
    [
        "amber", "bold", "brisk", "calm", "clever", "crisp", "dapper", "eager", "fierce", "gentle", "glowing", "honest",
        "jolly", "keen", "lively", "lucid", "mellow", "nimble", "placid", "quiet", "rapid", "serene", "shiny", "steady",
        "sturdy", "sunny", "swift", "tidy", "valiant", "vivid", "warm", "witty",
    ];

    private static readonly string[] Nouns =
    [
        "anvil", "badger", "beacon", "brick", "cedar", "comet", "crane", "ember", "falcon", "fern", "forge", "glaze",
        "harbor", "heron", "kiln", "lantern", "maple", "meadow", "otter", "pebble", "quartz", "raven", "river", "sparrow",
        "stone", "thistle", "tiger", "trout", "willow", "wren", "yak", "zephyr",
    ];

    /// <summary>A new random name: adjective-noun-number, the number 0–999.</summary>
    public static string Generate() =>
        $"{Adjectives[Random.Shared.Next(Adjectives.Length)]}-{Nouns[Random.Shared.Next(Nouns.Length)]}-{Random.Shared.Next(1000)}";
}
