using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.Providers;
using Hpo.Storage.Sqlite;
using Hpo.Trials;

namespace Hpo.Tests.Storage.Queries;

/// <summary>The dialect-parameterised trial query builder: its parameters, placeholders and errors (the SQL itself is checked against both databases by the random-query comparisons).</summary>
public sealed class TrialQuerySqlTests
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder()
        .AddFloat("x0", 0, 1).AddFloat("x1", 0, 1).AddFloat("x2", 0, 1).AddFloat("x3", 0, 1).AddFloat("x4", 0, 1)
        .AddFloat("x5", 0, 1).AddFloat("x6", 0, 1).AddFloat("x7", 0, 1).AddFloat("x8", 0, 1).AddFloat("x9", 0, 1)
        .AddFloat("x10", 0, 1)
        .AddCategorical("kind", "a", "b")
        .Build();

    [Fact]
    public void Build_EmptyQuery_FiltersNothingAndOrdersByNumber()
    {
        var sql = TrialQuerySql.Build(new TrialQuery(), Space, SqliteTrialQueryDialect.Instance);

        Assert.Equal(string.Empty, sql.Filter);
        Assert.Equal("number ASC", sql.OrderBy);
        Assert.Empty(sql.Parameters);
    }

    [Fact]
    public void Build_EveryFilter_BindsEachValueOnceUnderAQName()
    {
        var query = new TrialQuery
        {
            Filter = new TrialFilter
            {
                States = new HashSet<TrialState> { TrialState.Complete, TrialState.Pruned },
                Value = new ValueRange(0, 1),
                DurationSeconds = new ValueRange(null, 5),
                Parameters = new Dictionary<string, ValueRange> { ["x1"] = new(0.25, null) },
                Choices = new Dictionary<string, IReadOnlyList<object>> { ["kind"] = ["b"] },
                Text = "W_1",
            },
            Sort = TrialSortColumn.Parameter,
            SortParameter = "x1",
            Descending = true,
        };

        var sql = TrialQuerySql.Build(query, Space, SqliteTrialQueryDialect.Instance);

        Assert.All(sql.Parameters, p => Assert.StartsWith("q", p.Key, StringComparison.Ordinal));
        Assert.Equal(sql.Parameters.Count, sql.Parameters.Select(p => p.Key).Distinct().Count());
        Assert.Equal((1L << (int)TrialState.Complete) | (1L << (int)TrialState.Pruned), sql.Parameters.Single(p => p.Key == "qstates").Value);
        Assert.Equal("%w\\_1%", sql.Parameters.Single(p => p.Key == "qtext").Value);
        Assert.Equal("[1]", sql.Parameters.Single(p => p.Key == "qc11").Value);
        Assert.Equal("$.\"x1\"", sql.Parameters.Single(p => p.Key == "qp1").Value);
        Assert.StartsWith("(json_extract(params, $qp1)) IS NULL, json_extract(params, $qp1) DESC", sql.OrderBy, StringComparison.Ordinal);

        // Every parameter the SQL names is bound, and every bound one is used.
        Assert.Equal(sql.Parameters.Count, sql.ParametersIn(sql.Filter + " " + sql.OrderBy).Count());
    }

    [Fact]
    public void ParametersIn_APlaceholderThatPrefixesAnother_IsNotTakenForIt()
    {
        var query = new TrialQuery { Filter = new TrialFilter { Parameters = new Dictionary<string, ValueRange> { ["x1"] = new(0, 1), ["x10"] = new(0, 1) } } };
        var sql = TrialQuerySql.Build(query, Space, SqliteTrialQueryDialect.Instance);

        Assert.Equal(["qp10"], sql.ParametersIn("SELECT json_extract(params, $qp10)").Select(p => p.Key));
        Assert.Equal(["qp1"], sql.ParametersIn("SELECT json_extract(params, $qp1)").Select(p => p.Key));
    }

    [Fact]
    public void Build_UnknownParameter_NamesIt()
    {
        var query = new TrialQuery { Sort = TrialSortColumn.Parameter, SortParameter = "nope" };

        ArgumentException e = Assert.Throws<ArgumentException>(() => TrialQuerySql.Build(query, Space, SqliteTrialQueryDialect.Instance));

        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => TrialQuerySql.Build(null!, Space, SqliteTrialQueryDialect.Instance));
        Assert.Throws<ArgumentNullException>(() => TrialQuerySql.Build(new TrialQuery(), null!, SqliteTrialQueryDialect.Instance));
        Assert.Throws<ArgumentNullException>(() => TrialQuerySql.Build(new TrialQuery(), Space, null!));
    }
}
