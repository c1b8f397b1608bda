using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Kiln.Core.Errors;
using Kiln.Engine.Registry.Webhooks;
using Kiln.Testing;

namespace Kiln.Client.Tests.Registry;

/// <summary>
/// Webhooks against a real receiver on loopback: signed payloads, a failing receiver retried, and an event queued before
/// a server stops delivered by the next server on the same store (the outbox is durable).
/// </summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Event, string Signature, byte[] Body)> _received = new();
    private int _failuresLeft;
    private string _url = "";

    public Task InitializeAsync()
    {
        var port = FreePort();
        _url = $"http://127.0.0.1:{port}/hook/";
        _listener.Prefixes.Add(_url);
        _listener.Start();
        _ = Task.Run(ReceiveAsync);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _listener.Close();
        _dir.Dispose();
        return Task.CompletedTask;
    }

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                context.Response.StatusCode = 503;
            }
            else
            {
                _received.Enqueue((context.Request.Headers["X-Kiln-Event"] ?? "", context.Request.Headers["X-Kiln-Signature"] ?? "", body.ToArray()));
                context.Response.StatusCode = 204;
            }
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out; received {_received.Count}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Events_arrive_signed_and_a_failing_receiver_gets_them_after_a_retry_even_across_a_restart()
    {
        var store = "sqlite:///" + Path.Combine(_dir.Path, "kiln.db");
        string secret;
        await using (var first = await KilnTestServer.StartAsync(store))
        {
            using var client = new KilnClient(first.BaseUri);
            var bad = await Assert.ThrowsAsync<KilnException>(() => client.AddWebhookAsync("ftp://example.com/x"));
            Assert.Contains("is not an http(s) URL", bad.Message);
            (_, secret) = await client.AddWebhookAsync(_url, ["model_version.created", "alias.moved"]);
            await client.CreateRegisteredModelAsync("loans");
            await client.CreateModelVersionAsync("loans", "runs:/abc/model");
            await client.SetModelAliasAsync("loans", "champion", 1);
            await WaitForAsync(() => _received.Count == 2, TimeSpan.FromSeconds(20));
            var events = _received.ToArray();
            Assert.Equal(["model_version.created", "alias.moved"], events.Select(e => e.Event));
            Assert.All(events, e => Assert.Equal(WebhookService.Sign(secret, e.Body), e.Signature));
            Assert.Contains("\"alias\":\"champion\"", System.Text.Encoding.UTF8.GetString(events[1].Body));

            // the receiver fails: the event waits in the outbox and the server stops before the retry
            _failuresLeft = 1;
            await client.SetModelAliasAsync("loans", "challenger", 1);
            await WaitForAsync(() => Volatile.Read(ref _failuresLeft) == 0, TimeSpan.FromSeconds(20));
            var failed = (await client.GetWebhookDeliveriesAsync()).First();
            for (var i = 0; i < 50 && failed.Attempts == 0; i++)
            {
                await Task.Delay(50); // the attempt is recorded just after the answer
                failed = (await client.GetWebhookDeliveriesAsync()).First();
            }
            Assert.Equal((1, 503, false), (failed.Attempts, failed.LastStatus, failed.Delivered));
        }
        await using (var second = await KilnTestServer.StartAsync(store))
        {
            await WaitForAsync(() => _received.Count == 3, TimeSpan.FromSeconds(30)); // the 5 s backoff, then delivered by the new server
            Assert.Contains("challenger", System.Text.Encoding.UTF8.GetString(_received.ToArray()[2].Body));
            using var client = new KilnClient(second.BaseUri);
            var delivered = (await client.GetWebhookDeliveriesAsync()).First();
            Assert.Equal((2, 204, true), (delivered.Attempts, delivered.LastStatus, delivered.Delivered));
        }
    }
}
