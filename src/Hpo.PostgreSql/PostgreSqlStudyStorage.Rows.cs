using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Trials;
using Npgsql;

namespace Hpo.PostgreSql;

/// <summary>The row mapping: studies, trials and the locked study row, read from and written to the database.</summary>
public sealed partial class PostgreSqlStudyStorage
{
    /// <summary>Reads a study row's counters (after a leading study id column) from the current result.</summary>
    private static async Task<StudyRow?> ReadStudyRowAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        if (!await r.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        var row = new StudyRow(r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), new TrialCounts(r.GetInt32(3), r.GetInt32(4), r.GetInt32(5), r.GetInt32(6), r.GetInt32(7)) { Stale = r.GetInt32(8) });

        // Drain the result so that the reader can move to the next one.
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
        }

        return row;
    }

    private static StudyRecord ReadStudy(NpgsqlDataReader r) =>
        new(r.GetInt64(0), StudyDefinition.FromJson(r.GetString(1)), r.GetFieldValue<DateTimeOffset>(2));

    private static TrialRecord ReadTrial(NpgsqlDataReader r, SearchSpace space, int offset = 0)
    {
        var t = new TrialRecord
        {
            Id = r.GetInt64(offset),
            Number = r.GetInt32(offset + 1),
            State = (TrialState)r.GetInt16(offset + 2),
            Parameters = StudyDefinitionJson.ReadParameters(space, r.GetString(offset + 3)),
            Values = r.GetFieldValue<double[]>(offset + 4),
            UserAttributes = StudyDefinitionJson.ReadAttributes(r.GetString(offset + 5)),
            SystemAttributes = StudyDefinitionJson.ReadAttributes(r.GetString(offset + 6)),
            CreatedAt = r.GetFieldValue<DateTimeOffset>(offset + 7),
            StartedAt = Time(r, offset + 8),
            FinishedAt = Time(r, offset + 9),
            Owner = Text(r, offset + 10),
            Heartbeat = Time(r, offset + 11),
            FailReason = Text(r, offset + 12),
            ExceptionType = Text(r, offset + 13),
        };

        if (r.FieldCount >= offset + 16 && !r.IsDBNull(offset + 14))
        {
            long[] steps = r.GetFieldValue<long[]>(offset + 14);
            double[] values = r.GetFieldValue<double[]>(offset + 15);
            ImmutableSortedDictionary<long, double>.Builder b = ImmutableSortedDictionary.CreateBuilder<long, double>();
            for (int i = 0; i < steps.Length; i++)
            {
                b[steps[i]] = values[i];
            }

            t = t with { IntermediateValues = b.ToImmutable() };
        }

        return t;
    }

    private static DateTimeOffset? Time(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private async Task<TrialRecord?> ReadTrialAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, StudyRecord study, string where, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        using NpgsqlCommand cmd = Command(conn, tx, $"{TrialSelect} WHERE {where}", parameters);
        NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false) ? ReadTrial(r, study.Definition.SearchSpace) : null;
    }

    private async Task<StudyRecord?> ReadStudyAsync(NpgsqlConnection conn, string where, NpgsqlParameter parameter, CancellationToken ct)
    {
        using NpgsqlCommand cmd = Command(conn, null, $"SELECT id, definition, created_at FROM hpo_studies WHERE {where}", parameter);
        NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        StudyRecord study = ReadStudy(r);
        studies[study.Id] = study;
        return study;
    }

    private static bool SameParameters(IReadOnlyDictionary<string, object> stored, IReadOnlyDictionary<string, object> wanted) =>
        stored.Count == wanted.Count && wanted.All(kv => stored.TryGetValue(kv.Key, out object? v) && Equals(v, kv.Value));

    private static bool SameFinish(TrialRecord stored, TrialFinish finish) =>
        stored.State == finish.State && stored.Values.SequenceEqual(finish.Values) && stored.FailReason == finish.FailReason && stored.ExceptionType == finish.ExceptionType;

    /// <summary>A study row as locked by a transaction: the counters the transaction updates and writes back before it commits.</summary>
    private sealed class StudyRow(long studyId, long version, int nextNumber, TrialCounts counts)
    {
        private readonly long originalVersion = version;

        public long StudyId { get; } = studyId;

        public long Version { get; set; } = version;

        public int NextNumber { get; set; } = nextNumber;

        public TrialCounts Counts { get; set; } = counts;

        public bool Changed => Version != originalVersion;
    }

}
