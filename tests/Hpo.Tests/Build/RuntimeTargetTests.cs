using System.Reflection;
using System.Runtime.Versioning;

namespace Hpo.Tests.Build;

/// <summary>
/// The libraries' tests run once per target. Under CI each build must run on the runtime it targets (the net8.0 build on .NET 8),
/// or the .NET 8 leg would quietly test on .NET 10; elsewhere the net8.0 build may roll forward to a newer runtime.
/// </summary>
public class RuntimeTargetTests
{
    [Fact]
    public void TestRun_UnderCi_RunsOnTheRuntimeOfItsTarget()
    {
        // The test assembly's own target (AppContext.TargetFrameworkName is the test host's).
        string? target = typeof(RuntimeTargetTests).Assembly.GetCustomAttributes(typeof(TargetFrameworkAttribute), false)
            .OfType<TargetFrameworkAttribute>().SingleOrDefault()?.FrameworkName;
        Assert.NotNull(target);
        var name = new FrameworkName(target);
        Assert.Equal(".NETCoreApp", name.Identifier);
        Assert.True(Environment.Version.Major >= name.Version.Major, $"running on {Environment.Version} for {target}");

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.True(
                Environment.Version.Major == name.Version.Major,
                $"The {target} build ran on .NET {Environment.Version}: install the .NET {name.Version.Major} runtime (.ci/dotnet8.sh lays it out).");
        }
    }
}
