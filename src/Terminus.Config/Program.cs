using Terminus.Config.Cli;

// The operator's command, one binary with subcommands (terminus_config and terminus_datasource_cfg are installed as
// aliases of `terminus config` and `terminus datasource`, for habit). The command line: Cli/TerminusCli.cs.
return await TerminusCli.RunAsync(CommandIo.FromConsole(), args);
