using Kiln.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Kiln.Server.Tests.Console;

/// <summary>
/// A real server and Playwright driving Debian's Chromium (which ./test.sh installs), per test class; subclasses seed the
/// server through the real services. Screenshots are kept in $KILN_SCREENSHOTS (test.sh: the results folder).
/// </summary>
public abstract class ConsoleBrowserTest : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private IPlaywright _playwright = null!;

    /// <summary>The server the browser talks to.</summary>
    protected KilnTestServer Server { get; private set; } = null!;

    /// <summary>The headless browser.</summary>
    protected IBrowser Browser { get; private set; } = null!;

    /// <summary>Fills the server with what the tests look at.</summary>
    protected abstract Task SeedAsync();

    /// <summary>Services to add or replace before the server is built (a faster heartbeat, say).</summary>
    protected virtual void Configure(IServiceCollection services)
    {
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Server = await KilnTestServer.StartAsync(configure: Configure);
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"Browser tests need Debian's Chromium at {Chromium}: run ./test.sh, which installs it (apt-get install chromium).");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        await SeedAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>A full-page screenshot named <c>console-NAME.png</c>.</summary>
    protected static async Task ShotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("KILN_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "kiln-screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"console-{name}.png"), FullPage = true });
    }
}
