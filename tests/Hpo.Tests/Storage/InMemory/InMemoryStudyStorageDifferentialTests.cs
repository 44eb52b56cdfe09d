using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Storage.Testing;

namespace Hpo.Tests.Storage.InMemory;

/// <summary>The trial rules of the in-memory storage against the pure life cycle, on random operation sequences.</summary>
public sealed class InMemoryStudyStorageDifferentialTests : StudyStorageDifferentialTests
{
    protected override IStudyStorage CreateStorage(TimeProvider timeProvider) => new InMemoryStudyStorage(timeProvider);
}
