using System.Text;

namespace Hpo.Execution.ChildProcess;

/// <summary>Expands the placeholders of a command element: <c>{trial_number}</c>, <c>{param:NAME}</c>, <c>{{</c> and <c>}}</c>.</summary>
internal static class CommandTemplate
{
    private static readonly string[] Names = ["trial_number", "study_name", "artifacts_dir", "parameters_file", "search_space_file"];

    /// <summary>Returns why a template is invalid, or <see langword="null"/> when it is valid.</summary>
    public static string? Check(string template)
    {
        try
        {
            Expand(template, name => name.StartsWith("param:", StringComparison.Ordinal) || Names.Contains(name) ? string.Empty : null);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    /// <summary>Adds a problem for each null or invalid element of a command (the options' validation).</summary>
    public static void Validate(IEnumerable<string> command, List<string> problems)
    {
        foreach (string part in command)
        {
            if (part is null)
            {
                problems.Add("Command cannot hold null elements.");
            }
            else if (Check(part) is { } error)
            {
                problems.Add($"Command element \"{part}\": {error}");
            }
        }
    }

    /// <summary>Expands a template; <paramref name="resolve"/> returns <see langword="null"/> for an unknown placeholder.</summary>
    public static string Expand(string template, Func<string, string?> resolve)
    {
        var text = new StringBuilder(template.Length);
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                text.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                text.Append('}');
                i++;
            }
            else if (c == '{')
            {
                int end = template.IndexOf('}', i + 1);
                if (end < 0)
                {
                    throw new FormatException($"the '{{' at position {i} is not closed; write '{{{{' for a literal brace.");
                }

                string name = template[(i + 1)..end];
                string? value = name == "param:" ? null : resolve(name);
                text.Append(value ?? throw new FormatException($"unknown placeholder '{{{name}}}'; the placeholders are {{trial_number}}, {{study_name}}, {{artifacts_dir}}, {{parameters_file}}, {{search_space_file}} and {{param:NAME}}."));
                i = end;
            }
            else if (c == '}')
            {
                throw new FormatException($"the '}}' at position {i} closes nothing; write '}}}}' for a literal brace.");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
