using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Storage.Testing;

namespace Hpo.Tests.Storage.InMemory;

public sealed class InMemoryStudyStorageTests : StudyStorageConformanceTests
{
    protected override IStudyStorage CreateStorage() => new InMemoryStudyStorage();

    protected override IStudyStorage CreateStorage(TimeProvider timeProvider) => new InMemoryStudyStorage(timeProvider);
}
