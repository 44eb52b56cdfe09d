// Two namespaces that use each other on purpose: the analysis must find this cycle in the test assembly itself, which shows
// that the cycle test of the shipped assemblies can fail.
namespace Hpo.Architecture.Tests.Fixtures.CycleA
{
    using Hpo.Architecture.Tests.Fixtures.CycleB;

    internal static class Ping
    {
        public static int Count(int n) => n <= 0 ? 0 : 1 + Pong.Count(n - 1);
    }
}

namespace Hpo.Architecture.Tests.Fixtures.CycleB
{
    using Hpo.Architecture.Tests.Fixtures.CycleA;

    internal static class Pong
    {
        public static int Count(int n) => n <= 0 ? 0 : 1 + Ping.Count(n - 1);
    }
}

// A one-way dependency, which is not a cycle.
namespace Hpo.Architecture.Tests.Fixtures.Leaf
{
    internal sealed record LeafValue(int Value);
}

namespace Hpo.Architecture.Tests.Fixtures.User
{
    using Hpo.Architecture.Tests.Fixtures.Leaf;

    internal static class LeafUser
    {
        public static Func<int, LeafValue> Make => v => new LeafValue(v);
    }
}
