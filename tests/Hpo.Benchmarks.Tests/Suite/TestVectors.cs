using System.Globalization;
using System.Text.Json;
using Hpo.Benchmarks.Suite;
using Hpo.SearchSpaces;

namespace Hpo.Benchmarks.Tests.Suite;

/// <summary>Reads Suite/test_vectors.json (copied next to the test assembly): per function, points and their exact values.</summary>
internal static class TestVectors
{
    private static readonly Lazy<IReadOnlyList<Vector>> All = new(Load);

    public static IEnumerable<Vector> For(string function) => All.Value.Where(v => v.Function == function);

    public static int Count => All.Value.Count;

    private static List<Vector> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Suite", "test_vectors.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        var list = new List<Vector>();
        foreach (JsonElement e in doc.RootElement.EnumerateArray())
        {
            string function = e.GetProperty("function").GetString()!;
            SearchSpace space = TestFunctions.Get(function).SearchSpace;
            var parameters = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (JsonProperty p in e.GetProperty("params").EnumerateObject())
            {
                parameters[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString()!,
                    JsonValueKind.Number when space.Distributions[p.Name] is IntDistribution => p.Value.GetInt64(),
                    JsonValueKind.Number => double.Parse(p.Value.GetRawText(), CultureInfo.InvariantCulture),
                    _ => throw new FormatException($"Unexpected parameter {p.Name} = {p.Value} in {path}."),
                };
            }

            string repr = e.GetProperty("value_repr").GetString()!;
            list.Add(new Vector(function, parameters, double.Parse(repr, CultureInfo.InvariantCulture), repr));
        }

        return list;
    }

    internal sealed record Vector(string Function, IReadOnlyDictionary<string, object> Parameters, double Expected, string ExpectedRepr);
}
