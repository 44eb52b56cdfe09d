using System.Collections.Concurrent;
using System.Reflection;
using Hpo.SearchSpaces;
using Hpo.Trials;

namespace Hpo;

/// <summary>
/// Binds a trial's parameters to a user's own class or record, so an objective reads <c>p.LearningRate</c> instead of strings.
/// </summary>
/// <remarks>
/// <para>
/// A type binds through its public constructor with the most parameters (a positional record's primary constructor) and
/// then through its public settable or init-only properties. Each member binds to the parameter named by
/// <see cref="HpoParameterAttribute"/>, or else to the parameter whose name matches the member's name ignoring case,
/// underscores and dashes (<c>LearningRate</c> binds <c>learning_rate</c>, <c>learningRate</c> or <c>lr</c> only if so named).
/// </para>
/// <para>
/// A member that matches no parameter of the space is an error (mark it <see cref="HpoIgnoreAttribute"/>); so is a value that
/// cannot be converted without loss. A conditional parameter that is inactive in the trial leaves its member at its default
/// (use a nullable type to tell). Values convert as <see cref="ITrial.Get{T}(string)"/> does, enums included.
/// </para>
/// </remarks>
public static class ParameterBinder
{
    private static readonly ConcurrentDictionary<(Type, SearchSpace), Plan> Plans = new();

    /// <summary>Binds the trial's parameters to a new <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The user's parameter class or record.</typeparam>
    /// <param name="trial">The trial.</param>
    /// <returns>The bound object.</returns>
    /// <exception cref="InvalidOperationException">A member matches no parameter, or the type cannot be constructed.</exception>
    /// <exception cref="InvalidCastException">A value cannot be converted to its member's type.</exception>
    public static T Bind<T>(this ITrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return Bind<T>(trial.Parameters, trial.SearchSpace);
    }

    /// <summary>Binds typed parameter values to a new <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The user's parameter class or record.</typeparam>
    /// <param name="parameters">The active parameters' values, by name.</param>
    /// <param name="space">The search space they come from.</param>
    /// <returns>The bound object.</returns>
    /// <exception cref="InvalidOperationException">A member matches no parameter, or the type cannot be constructed.</exception>
    /// <exception cref="InvalidCastException">A value cannot be converted to its member's type.</exception>
    public static T Bind<T>(IReadOnlyDictionary<string, object> parameters, SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(space);
        Plan plan = Plans.GetOrAdd((typeof(T), space), key => Plan.Create(key.Item1, key.Item2));
        return (T)plan.Run(parameters);
    }

    private static string Normalize(string name) => name.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    private sealed class Plan
    {
        private readonly ConstructorInfo constructor;
        private readonly (string? Name, ParameterInfo Info)[] arguments;
        private readonly (string Name, PropertyInfo Info)[] properties;

        private Plan(ConstructorInfo constructor, (string?, ParameterInfo)[] arguments, (string, PropertyInfo)[] properties)
        {
            this.constructor = constructor;
            this.arguments = arguments;
            this.properties = properties;
        }

        public static Plan Create(Type type, SearchSpace space)
        {
            ConstructorInfo ctor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance).OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
                ?? throw new InvalidOperationException($"{type.Name} has no public constructor, so parameters cannot be bound to it.");
            var byNormalized = space.Parameters.GroupBy(p => Normalize(p.Name)).ToDictionary(g => g.Key, g => g.Select(p => p.Name).ToList(), StringComparer.Ordinal);
            PropertyInfo[] allProps = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);

            string? Resolve(string memberName, HpoParameterAttribute? attr, bool ignore, bool required)
            {
                if (ignore)
                {
                    return null;
                }

                if (attr is not null)
                {
                    return space.Contains(attr.Name)
                        ? attr.Name
                        : throw new InvalidOperationException($"{type.Name}.{memberName} is bound to parameter '{attr.Name}', which is not in the search space. Its parameters are: {string.Join(", ", space.Parameters.Select(p => p.Name))}.");
                }

                if (byNormalized.TryGetValue(Normalize(memberName), out List<string>? names))
                {
                    return names.Count == 1
                        ? names[0]
                        : throw new InvalidOperationException($"{type.Name}.{memberName} matches several parameters ({string.Join(", ", names)}); name one with [HpoParameter(\"...\")].");
                }

                return required
                    ? throw new InvalidOperationException($"{type.Name}.{memberName} matches no parameter of the search space (its parameters are: {string.Join(", ", space.Parameters.Select(p => p.Name))}). Name it with [HpoParameter(\"...\")] or mark it [HpoIgnore].")
                    : null;
            }

            var args = ctor.GetParameters().Select(p =>
            {
                PropertyInfo? prop = allProps.FirstOrDefault(x => string.Equals(x.Name, p.Name, StringComparison.OrdinalIgnoreCase));
                HpoParameterAttribute? attr = p.GetCustomAttribute<HpoParameterAttribute>() ?? prop?.GetCustomAttribute<HpoParameterAttribute>();
                bool ignore = p.IsDefined(typeof(HpoIgnoreAttribute)) || (prop?.IsDefined(typeof(HpoIgnoreAttribute)) ?? false);
                return (Resolve(p.Name!, attr, ignore, required: true), p);
            }).ToArray();

            var ctorNames = new HashSet<string>(ctor.GetParameters().Select(p => p.Name!), StringComparer.OrdinalIgnoreCase);
            var props = allProps
                .Where(p => p.CanWrite && p.SetMethod!.IsPublic && !ctorNames.Contains(p.Name) && p.GetIndexParameters().Length == 0)
                .Select(p => (Name: Resolve(p.Name, p.GetCustomAttribute<HpoParameterAttribute>(), p.IsDefined(typeof(HpoIgnoreAttribute)), required: true), Info: p))
                .Where(x => x.Name is not null)
                .Select(x => (x.Name!, x.Info))
                .ToArray();
            return new Plan(ctor, args, props);
        }

        public object Run(IReadOnlyDictionary<string, object> parameters)
        {
            object?[] values = new object?[arguments.Length];
            for (int i = 0; i < arguments.Length; i++)
            {
                (string? name, ParameterInfo info) = arguments[i];
                values[i] = name is not null && parameters.TryGetValue(name, out object? v)
                    ? ParameterConverter.Convert(name, v, info.ParameterType)
                    : info.HasDefaultValue ? info.DefaultValue : DefaultOf(info.ParameterType);
            }

            object result = constructor.Invoke(values);
            foreach ((string name, PropertyInfo info) in properties)
            {
                if (parameters.TryGetValue(name, out object? v))
                {
                    info.SetValue(result, ParameterConverter.Convert(name, v, info.PropertyType));
                }
            }

            return result;
        }

        private static object? DefaultOf(Type t) => t.IsValueType ? Activator.CreateInstance(t) : null;
    }
}
