namespace Terminus.Config.Cli;

/// <summary>
/// Shell completion: the shell hands the line and the cursor to <c>terminus "[suggest:N]" "LINE"</c> (System.CommandLine's
/// suggest directive), which prints the commands, options and values that fit there.
/// </summary>
public static class CompletionScripts
{
    public const string Bash = """
        # bash completion for terminus (terminus completion bash)
        _terminus_complete() {
          local IFS=$'\n'
          COMPREPLY=($(command terminus "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
        }
        complete -o default -F _terminus_complete terminus

        """;
}
