using System.CommandLine;
using Kiln.Core.Webhooks;
using Kiln.Engine.Registry.Webhooks;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln webhooks add|list|delete|deliveries</c>: registry events POSTed to URLs, signed, retried from a durable outbox.</summary>
internal static class WebhooksCommand
{
    public static Command Build()
    {
        var command = new Command("webhooks", $"Subscribe URLs to registry events ({string.Join(", ", WebhookEvents.All)}); the server delivers them, signed with HMAC-SHA256 and retried.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(Deliveries());
        return command;
    }

    private static Command Add()
    {
        var url = new Argument<string>("url") { Description = "Where to POST events (http or https)." };
        var events = new Option<string[]>("--event") { Description = "An event to receive (repeatable; default: all).", AllowMultipleArgumentsPerToken = true };
        var model = new Option<string?>("--model") { Description = "Only this registered model's events." };
        var secret = new Option<string?>("--secret") { Description = "The signing secret (default: a random one, printed once)." };
        var command = new Command("add", "Subscribe a URL.") { url, events, model, secret };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var hook = await kiln.Get<WebhookService>().AddAsync(parse.GetValue(url)!, parse.GetValue(events) ?? [], parse.GetValue(model), parse.GetValue(secret), Environment.UserName, ct);
            CliConsole.Current.MarkupLine($"Webhook [bold]{hook.Id}[/] → {Format.Escape(hook.Url)} for {Format.Escape(string.Join(", ", hook.Events))}.");
            CliConsole.Current.MarkupLine($"Secret (shown once): [bold]{Format.Escape(hook.Secret)}[/] — verify X-Kiln-Signature = sha256=HMAC-SHA256(secret, body).");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var output = Output.CreateOption();
        var command = new Command("list", "The subscriptions (secrets are not shown).") { output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var hooks = await kiln.Get<IWebhookStore>().ListAsync(ct);
            Output.Write(Output.Format(parse, output), ["id", "url", "events", "model", "created", "user"],
                hooks.Select(h => (IReadOnlyList<object?>)[h.Id, h.Url, string.Join(",", h.Events), h.Model, Output.Time(h.CreatedAt), h.UserId]));
            return 0;
        });
        return command;
    }

    private static Command Delete()
    {
        var id = new Argument<string>("id") { Description = "The webhook's id." };
        var command = new Command("delete", "Unsubscribe (pending deliveries are dropped).") { id };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            await kiln.Get<IWebhookStore>().DeleteAsync(parse.GetValue(id)!, ct);
            CliConsole.Current.MarkupLine($"Deleted webhook {Format.Escape(parse.GetValue(id))}.");
            return 0;
        });
        return command;
    }

    private static Command Deliveries()
    {
        var id = new Argument<string?>("id") { Description = "Only this webhook's deliveries.", Arity = ArgumentArity.ZeroOrOne };
        var output = Output.CreateOption();
        var command = new Command("deliveries", "Delivery history: each event, its attempts, the last answer, and whether it arrived.") { id, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var list = await kiln.Get<IWebhookStore>().DeliveriesAsync(parse.GetValue(id), 200, ct);
            Output.Write(Output.Format(parse, output), ["id", "webhook", "event", "created", "attempts", "status", "delivered", "next_attempt", "last_error"],
                list.Select(d => (IReadOnlyList<object?>)[d.Id, d.WebhookId, d.Event, Output.Time(d.CreatedAt), d.Attempts, d.LastStatus, Output.Time(d.DeliveredAt),
                    Output.Time(d.NextAttemptAt), d.LastError]));
            return 0;
        });
        return command;
    }
}
