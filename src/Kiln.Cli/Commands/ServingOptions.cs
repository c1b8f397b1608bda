using System.CommandLine;
using Kiln.Core.Errors;
using Kiln.Server.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln server</c>'s and <c>kiln serve</c>'s serving options: the gRPC port and the <see cref="ServingLimits"/>.</summary>
internal sealed class ServingOptions
{
    private readonly Option<int?> _grpcPort = new("--grpc-port")
    {
        Description = "Also serve the Open Inference Protocol over gRPC (plaintext HTTP/2) on this port of the same host; 0 picks a free one. Default: no gRPC port.",
    };

    private readonly Option<int?> _maxBodyMib = new("--max-body-mib")
    {
        Description = $"Largest scoring request body or gRPC message, in MiB (1-1024; default {ServingLimits.DefaultMaxBodyBytes >> 20}); past it a 413. Env: KILN_SERVING_MAX_BODY_MIB.",
    };

    private readonly Option<int?> _maxRows = new("--max-rows")
    {
        Description = $"Most rows one scoring request may carry (default {ServingLimits.DefaultMaxRows:N0}); past it a 413. Env: KILN_SERVING_MAX_ROWS.",
    };

    private readonly Option<int?> _maxConcurrency = new("--max-concurrency")
    {
        Description = "Scoring requests served at once (default 4 per core). Env: KILN_SERVING_MAX_CONCURRENCY.",
    };

    private readonly Option<int?> _queueLimit = new("--queue-limit")
    {
        Description = $"Scoring requests that may wait for a slot (default {ServingLimits.DefaultQueueLimit}); past it a 503 with Retry-After. Env: KILN_SERVING_QUEUE_LIMIT.",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_grpcPort);
        command.Options.Add(_maxBodyMib);
        command.Options.Add(_maxRows);
        command.Options.Add(_maxConcurrency);
        command.Options.Add(_queueLimit);
    }

    /// <summary>The gRPC port, checked (0-65535, not the HTTP <paramref name="port"/>), or null for none.</summary>
    public int? GrpcPort(ParseResult parse, int port)
    {
        var grpc = parse.GetValue(_grpcPort);
        if (grpc is < 0 or > 65535)
        {
            throw KilnException.Invalid($"Invalid --grpc-port {grpc}: use a port from 1 to 65535 (0 picks a free one).");
        }
        if (grpc is > 0 && grpc == port)
        {
            throw KilnException.Invalid($"--grpc-port {grpc} is the HTTP port too: gRPC needs a port of its own (it speaks HTTP/2 only).");
        }
        return grpc;
    }

    /// <summary>Registers the limits the options and the environment give, before the server's defaults apply.</summary>
    public Action<IServiceCollection> Limits(ParseResult parse)
    {
        var limits = ServingLimits.Resolve(parse.GetValue(_maxBodyMib), parse.GetValue(_maxRows), parse.GetValue(_maxConcurrency), parse.GetValue(_queueLimit));
        return services => services.AddSingleton(limits);
    }
}
