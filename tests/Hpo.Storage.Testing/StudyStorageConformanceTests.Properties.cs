using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.Storage;
using Hpo.Trials;
using Microsoft.Extensions.Time.Testing;

namespace Hpo.Storage.Testing;

public abstract partial class StudyStorageConformanceTests
{
    public enum OperationKind
    {
        Start,
        Enqueue,
        SetParameters,
        Report,
        UserAttribute,
        SystemAttribute,
        Complete,
        Prune,
        Fail,
        Abandon,
        LeaseExpires,
    }

    /// <summary>One step of a random history: what to do, to which existing trial (modulo their count), with which value.</summary>
    public sealed record StorageOperation(OperationKind Kind, int Target, double Value)
    {
        public override string ToString() => FormattableString.Invariant($"{Kind}#{Target}({Value})");
    }

    /// <summary>
    /// Whatever sequence of writes happens, a finished trial never changes again: every write to it throws
    /// <see cref="TrialAlreadyFinishedException"/> (or, for an abandoned-trial sweep, does nothing), and its record stays equal
    /// to the one read when it finished.
    /// </summary>
    [Property(MaxTest = 25, Arbitrary = [typeof(Arbitraries)])]
    public async Task FinishedTrials_AnySequenceOfWrites_NeverChange(StorageOperation[] operations)
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        var ids = new List<long>();
        var frozen = new Dictionary<int, TrialRecord>();

        foreach (StorageOperation op in operations)
        {
            clock.Advance(TimeSpan.FromMilliseconds(250));
            if (op.Kind == OperationKind.Start)
            {
                if (await storage.StartTrialAsync(study.Id, op.Target % 2 == 0 ? "even" : "odd", CancellationToken.None) is { } started && started.Number == ids.Count)
                {
                    ids.Add(started.Id);
                }

                continue;
            }

            if (op.Kind == OperationKind.Enqueue)
            {
                ids.Add((await storage.EnqueueTrialAsync(study.Id, Params(Math.Clamp(op.Value, -5, 5)), CancellationToken.None)).Id);
                continue;
            }

            if (op.Kind == OperationKind.LeaseExpires)
            {
                clock.Advance(TestLease + TimeSpan.FromSeconds(1));
                await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None);
                continue;
            }

            if (ids.Count == 0)
            {
                continue;
            }

            int number = op.Target % ids.Count;
            TrialRecord before = await GetTrialAsync(storage, study.Id, number);
            Exception? thrown = await Record.ExceptionAsync(() => ApplyAsync(storage, ids[number], op, before));
            if (before.IsFinished && op.Kind != OperationKind.Abandon)
            {
                Assert.IsType<TrialAlreadyFinishedException>(thrown);
            }
            else if (thrown is not null)
            {
                // The only legitimate refusal of an unfinished trial: its parameters are already set.
                Assert.IsType<InvalidOperationException>(thrown);
                Assert.Equal(OperationKind.SetParameters, op.Kind);
                Assert.NotEmpty(before.Parameters);
            }

            foreach (TrialRecord t in await storage.GetTrialsAsync(study.Id, CancellationToken.None))
            {
                if (frozen.TryGetValue(t.Number, out TrialRecord? finished))
                {
                    AssertSameTrial(finished, t);
                }
                else if (t.IsFinished)
                {
                    frozen[t.Number] = t;
                }
            }
        }
    }

    private static async Task ApplyAsync(IStudyStorage storage, long trialId, StorageOperation op, TrialRecord before)
    {
        switch (op.Kind)
        {
            case OperationKind.SetParameters:
                await storage.SetTrialParametersAsync(trialId, Params(Math.Clamp(op.Value, -5, 5)), CancellationToken.None);
                break;
            case OperationKind.Report:
                await storage.ReportIntermediateValueAsync(trialId, op.Target % 4, op.Value, CancellationToken.None);
                break;
            case OperationKind.UserAttribute:
                await storage.SetTrialUserAttributeAsync(trialId, "u" + (op.Target % 3), op.ToString(), CancellationToken.None);
                break;
            case OperationKind.SystemAttribute:
                await storage.SetTrialSystemAttributeAsync(trialId, "s" + (op.Target % 3), op.ToString(), CancellationToken.None);
                break;
            case OperationKind.Complete:
                await storage.FinishTrialAsync(trialId, new TrialFinish(TrialState.Complete, [op.Value]), CancellationToken.None);
                break;
            case OperationKind.Prune:
                await storage.FinishTrialAsync(trialId, new TrialFinish(TrialState.Pruned, op.Target % 2 == 0 ? [] : [op.Value]), CancellationToken.None);
                break;
            case OperationKind.Fail:
                await storage.FinishTrialAsync(trialId, new TrialFinish(TrialState.Failed, [], "failed by " + op, "System.Exception"), CancellationToken.None);
                break;
            case OperationKind.Abandon:
                TrialRecord? abandoned = await storage.FailAbandonedTrialAsync(trialId, before.Owner ?? "nobody", "abandoned by " + op, CancellationToken.None);
                Assert.Equal(before.State == TrialState.Running, abandoned is not null);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, null);
        }
    }

    public static class Arbitraries
    {
        public static Arbitrary<StorageOperation[]> Operations()
        {
            Gen<OperationKind> kind = Gen.Frequency(
                (4, Gen.Constant(OperationKind.Start)),
                (1, Gen.Constant(OperationKind.Enqueue)),
                (1, Gen.Constant(OperationKind.LeaseExpires)),
                (10, Gen.Elements(
                    OperationKind.SetParameters,
                    OperationKind.Report,
                    OperationKind.UserAttribute,
                    OperationKind.SystemAttribute,
                    OperationKind.Complete,
                    OperationKind.Prune,
                    OperationKind.Fail,
                    OperationKind.Abandon)));
            Gen<StorageOperation> operation =
                from k in kind
                from target in Gen.Choose(0, 1000)
                from eighths in Gen.Choose(-80, 80)
                select new StorageOperation(k, target, eighths / 8.0);
            return Arb.From(
                from count in Gen.Choose(1, 40)
                from ops in Gen.ArrayOf(operation, count)
                select ops);
        }
    }
}
