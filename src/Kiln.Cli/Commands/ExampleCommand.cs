using System.CommandLine;
using Kiln.Core.Errors;
using Kiln.Engine.Examples;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln example loan-data</c>: synthetic loan applications for the loan-approval example, with a drift knob.</summary>
internal static class ExampleCommand
{
    public static Command Build()
    {
        var command = new Command("example", "Data for the examples in examples/.");
        var output = new Option<string?>("--output", "-o") { Description = "The CSV to write (default: standard output)." };
        var rows = new Option<int>("--rows") { Description = "How many applications.", DefaultValueFactory = _ => 5000 };
        var drift = new Option<double>("--drift") { Description = "0 = the reference population, 1 = strongly drifted (lower credit scores, more debt, bigger loans, younger, more renters; same approval rule).", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Random seed (same options → same file).", DefaultValueFactory = _ => 1 };
        var noLabels = new Option<bool>("--no-labels") { Description = "Leave out the approved column (traffic to score)." };
        var loan = new Command("loan-data", "Synthetic loan applications: age, income, loan_amount, term_months, credit_score, debt_to_income, employment_years, home_ownership, purpose, region and approved.")
        {
            output, rows, drift, seed, noLabels,
        };
        loan.SetAction(parse =>
        {
            var options = new LoanApplicantOptions(parse.GetValue(rows), parse.GetValue(drift), parse.GetValue(seed), !parse.GetValue(noLabels));
            if (parse.GetValue(output) is { } path)
            {
                LoanApplicants.WriteFile(path, options);
                CliConsole.Current.MarkupLine($"Wrote {options.Rows:N0} applications (drift {options.Drift:0.##}) to [bold]{Format.Escape(path)}[/].");
            }
            else
            {
                LoanApplicants.Write(Console.Out, options);
            }
            return ExitCodes.Success;
        });
        command.Subcommands.Add(loan);
        return command;
    }
}
