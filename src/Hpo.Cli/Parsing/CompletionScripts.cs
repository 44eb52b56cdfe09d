namespace Hpo.Cli.Parsing;

/// <summary>
/// The shell scripts <c>hpo completion SHELL</c> prints. Each hands the line being typed and the cursor's position to
/// <c>hpo [suggest:POSITION] "LINE"</c> (System.CommandLine's suggest directive, answered by <see cref="CommandLineSyntax.Complete"/>)
/// and offers the words it prints; when there are none (a file, a URL) the shell completes file names.
/// </summary>
internal static class CompletionScripts
{
    /// <summary>The completion command's one line of help.</summary>
    public const string Summary = "Print the tab-completion script of a shell: bash, zsh or pwsh.";

    /// <summary>The shells, in help order.</summary>
    public static readonly IReadOnlyList<string> Shells = ["bash", "zsh", "pwsh"];

    /// <summary>Gets the help of <c>hpo completion</c>.</summary>
    /// <returns>The text.</returns>
    public static string Help() =>
        """
        Usage: hpo completion bash|zsh|pwsh

        Prints a script that makes the shell complete hpo's commands, options and choices (--format, --direction, plot kinds...)
        with the Tab key; where hpo offers nothing (a file, a URL) the shell completes file names. Install it once:
          bash: echo 'source <(hpo completion bash)' >> ~/.bashrc
          zsh:  echo 'source <(hpo completion zsh)' >> ~/.zshrc        (after compinit)
          pwsh: hpo completion pwsh >> $PROFILE
        The script calls hpo itself on each Tab (hpo "[suggest:POSITION]" "LINE"), so it follows the installed version.

        Options:
          -h, --help  Show this help.

        Exit codes: 0 ok, 2 usage error (no shell or an unknown one).

        """;

    /// <summary>Gets the script of one shell.</summary>
    /// <param name="shell">bash, zsh or pwsh (case-insensitive; <c>powershell</c> is pwsh).</param>
    /// <returns>The script.</returns>
    /// <exception cref="UsageException">The shell is none of these.</exception>
    public static string For(string? shell) => shell?.ToUpperInvariant() switch
    {
        "BASH" => Bash,
        "ZSH" => Zsh,
        "PWSH" or "POWERSHELL" => PowerShell,
        null => throw new UsageException($"Argument 'SHELL' is required: one of {string.Join(", ", Shells)}."),
        _ => throw new UsageException($"Argument 'SHELL' must be one of {string.Join(", ", Shells)}, but got '{shell}'.{CommandLineSyntax.Suggest(shell, Shells)}"),
    };

    private const string Bash =
        """
        # hpo tab completion for bash. Install: echo 'source <(hpo completion bash)' >> ~/.bashrc
        _hpo_complete() {
            local IFS=$'\n'
            local candidates
            candidates=$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) || return 0
            COMPREPLY=($(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -o bashdefault -F _hpo_complete hpo

        """;

    private const string Zsh =
        """
        # hpo tab completion for zsh. Install: echo 'source <(hpo completion zsh)' >> ~/.zshrc (after compinit)
        _hpo() {
            local -a candidates
            candidates=("${(@f)$("${words[1]}" "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
            candidates=(${candidates:#})
            if (( ${#candidates} )); then
                compadd -a -- candidates
            else
                _files
            fi
        }
        compdef _hpo hpo

        """;

    private const string PowerShell =
        """
        # hpo tab completion for PowerShell. Install: hpo completion pwsh >> $PROFILE
        Register-ArgumentCompleter -Native -CommandName hpo -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $line = $commandAst.ToString()
            $position = $cursorPosition - $commandAst.Extent.StartOffset
            $candidates = @(& hpo "[suggest:$position]" "$line" 2>$null)
            foreach ($candidate in $candidates) {
                if ($candidate -like "$wordToComplete*") {
                    [System.Management.Automation.CompletionResult]::new($candidate, $candidate, 'ParameterValue', $candidate)
                }
            }
        }

        """;
}
