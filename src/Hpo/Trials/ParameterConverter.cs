using System.Globalization;
using Hpo.Internal;
using Hpo.SearchSpaces;

namespace Hpo.Trials;

/// <summary>Converts a parameter's typed value to the type a caller asks for, without loss, or explains why it cannot.</summary>
internal static class ParameterConverter
{
    public static object? Convert(string name, object value, Type target)
    {
        Type effective = Nullable.GetUnderlyingType(target) ?? target;
        if (effective == typeof(object) || effective.IsInstanceOfType(value))
        {
            return value;
        }

        switch (value)
        {
            case double d:
                if (effective == typeof(float))
                {
                    return (float)d;
                }

                if (effective == typeof(decimal))
                {
                    return (decimal)d;
                }

                break;
            case long l:
                if (effective == typeof(int) && l is >= int.MinValue and <= int.MaxValue)
                {
                    return (int)l;
                }

                if (effective == typeof(short) && l is >= short.MinValue and <= short.MaxValue)
                {
                    return (short)l;
                }

                if (effective == typeof(byte) && l is >= byte.MinValue and <= byte.MaxValue)
                {
                    return (byte)l;
                }

                if (effective == typeof(double))
                {
                    return (double)l;
                }

                if (effective == typeof(float))
                {
                    return (float)l;
                }

                if (effective == typeof(decimal))
                {
                    return (decimal)l;
                }

                if (effective == typeof(int) || effective == typeof(short) || effective == typeof(byte))
                {
                    throw new InvalidCastException($"Parameter '{name}' has the value {l}, which does not fit in {effective.Name}.");
                }

                break;
            case string s when effective.IsEnum:
                // Names only: Enum.TryParse would also read "1" or "sgd, adam" as members.
                string? member = Array.Find(Enum.GetNames(effective), n => string.Equals(n, s, StringComparison.OrdinalIgnoreCase));
                if (member is not null)
                {
                    return Enum.Parse(effective, member);
                }

                throw new InvalidCastException($"Parameter '{name}' has the value \"{s}\", which is not a member of the enum {effective.Name} ({string.Join(", ", Enum.GetNames(effective))}).");
            case string s when effective == typeof(char) && s.Length == 1:
                return s[0];
            default:
                break;
        }

        throw new InvalidCastException($"Parameter '{name}' holds {Describe(value)}, which cannot be read as {effective.Name}. {Hint(value)}");
    }

    public static T Convert<T>(string name, object value) => (T)Convert(name, value, typeof(T))!;

    public static KeyNotFoundException Missing(SearchSpace space, string name, IReadOnlyDictionary<string, object> parameters)
    {
        if (!space.Contains(name))
        {
            return new KeyNotFoundException($"The search space has no parameter '{name}'. Its parameters are: {string.Join(", ", space.Parameters.Select(p => p.Name))}.");
        }

        ParameterCondition condition = space[name].Condition!;
        string actual = parameters.TryGetValue(condition.Parent, out object? v) ? $"'{condition.Parent}' is {Format.Value(v)}" : $"'{condition.Parent}' is itself inactive";
        return new KeyNotFoundException($"Parameter '{name}' is inactive in this trial: it exists only when {condition}, and {actual}. Check trial.Parameters.ContainsKey(\"{name}\") or bind it to a nullable property.");
    }

    private static string Describe(object value) => value switch
    {
        double d => "the float " + d.ToString("R", CultureInfo.InvariantCulture) + " (Double)",
        long l => "the integer " + l.ToString(CultureInfo.InvariantCulture) + " (Int64)",
        string s => "the string \"" + s + "\"",
        bool b => "the boolean " + (b ? "true" : "false"),
        _ => Format.Value(value) + " (" + value.GetType().Name + ")",
    };

    private static string Hint(object value) => value switch
    {
        double => "Read floats as double, float or decimal.",
        long => "Read integers as int, long, short, byte, double, float or decimal.",
        string => "Read string choices as string, object or an enum.",
        bool => "Read boolean choices as bool or object.",
        _ => string.Empty,
    };
}
