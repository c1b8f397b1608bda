using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Server.Http;
using Kiln.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiln.Server.Tests.Http;

/// <summary>One error model for every surface: a surface's own envelope under its prefixes, and internal errors answered with a request id that is in the log.</summary>
public sealed class ErrorHandlingTests : IAsyncLifetime
{
    private readonly LogSink _log = new();
    private KilnTestServer _server = null!;

    public async Task InitializeAsync() => _server = await KilnTestServer.StartAsync(configure: services =>
    {
        services.AddSingleton<IEndpointSurface, TestSurface>();
        services.AddSingleton<ILoggerProvider>(_log);
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_bug_is_a_500_with_a_request_id_that_the_log_has_and_no_stack_trace()
    {
        // Under MLflow's prefix, a bug in a handler (here: a store that fails underneath) is MLflow's envelope with a request id.
        using var response = await _server.Http.GetAsync("api/2.0/mlflow/test/bug");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("INTERNAL_ERROR", body.GetProperty("error_code").GetString());
        var requestId = body.GetProperty("request_id").GetString()!;
        Assert.Equal(requestId, response.Headers.GetValues(ErrorHandling.RequestIdHeader).Single());
        var message = body.GetProperty("message").GetString()!;
        Assert.Contains(requestId, message);
        // Under the test surface's prefix, the same kind of failure is written in that surface's envelope.
        using var own = await _server.Http.GetAsync("api/test/bug");
        Assert.Equal(HttpStatusCode.InternalServerError, own.StatusCode);
        Assert.Contains(own.Headers.GetValues(ErrorHandling.RequestIdHeader).Single(), await own.Content.ReadAsStringAsync());
        Assert.DoesNotContain(" at ", message);
        Assert.DoesNotContain("secret detail", message);
        Assert.Contains(_log.Entries, e => e.Contains(requestId) && e.Contains("secret detail"));
    }

    [Fact]
    public async Task Each_surface_answers_in_its_own_envelope()
    {
        using var own = await _server.Http.GetAsync("api/test/missing");
        Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
        Assert.Equal("not found: no such widget", await own.Content.ReadAsStringAsync());
        using var mlflow = await _server.Http.GetAsync("api/2.0/mlflow/experiments/get?experiment_id=999");
        Assert.Equal(HttpStatusCode.NotFound, mlflow.StatusCode);
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", JsonDocument.Parse(await mlflow.Content.ReadAsStringAsync()).RootElement.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task A_dropped_database_connection_is_a_503_with_retry_after_not_a_500()
    {
        using var response = await _server.Http.GetAsync("api/2.0/mlflow/test/dropped");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.RetryAfter!.ToString());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("TEMPORARILY_UNAVAILABLE", body.GetProperty("error_code").GetString());
    }

    private sealed class TestSurface : IEndpointSurface, IErrorEnvelope
    {
        public IReadOnlyList<PathString> Prefixes { get; } = [new("/api/test")];

        public IErrorEnvelope Errors => this;

        public void Map(IEndpointRouteBuilder app)
        {
            app.MapGet("/api/test/bug", (Func<string>)(() => throw new InvalidOperationException("secret detail")));
            app.MapGet("/api/2.0/mlflow/test/bug", (Func<string>)(() => throw new InvalidOperationException("secret detail")));
            app.MapGet("/api/2.0/mlflow/test/dropped", (Func<string>)(() => throw new Npgsql.NpgsqlException("Exception while reading from stream", new IOException("connection reset"))));
            app.MapGet("/api/test/missing", (Func<string>)(() => throw KilnException.NotFound("no such widget")));
        }

        public async Task WriteAsync(HttpContext context, ErrorCode code, string message, string? requestId)
        {
            context.Response.StatusCode = code.HttpStatus();
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(code == ErrorCode.ResourceDoesNotExist ? "not found: " + message : message);
        }
    }

    private sealed class LogSink : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue(formatter(state, exception) + " " + exception);

        public void Dispose()
        {
        }
    }
}
