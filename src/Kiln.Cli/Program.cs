using Kiln.Cli;

return await KilnCli.RunAsync(args);
