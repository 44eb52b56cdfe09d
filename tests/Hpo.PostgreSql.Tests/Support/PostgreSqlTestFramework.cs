using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Hpo.PostgreSql.Tests.Support.PostgreSqlTestFramework", "Hpo.PostgreSql.Tests")]

namespace Hpo.PostgreSql.Tests.Support;

/// <summary>
/// xunit's framework, except that the tests of classes marked <see cref="RequiresPostgreSqlAttribute"/> are discovered as skipped
/// (with the reason) when no server is configured outside CI. xunit 2 has no runtime skip, and the conformance suite's inherited
/// <c>[Fact]</c>s cannot carry a skip of their own.
/// </summary>
public sealed class PostgreSqlTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            if (PostgreSqlTestServer.SkipReason is string reason
                && testMethod.TestClass.Class.ToRuntimeType()?.GetCustomAttribute<RequiresPostgreSqlAttribute>(inherit: true) is not null
                && testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any())
            {
                var skipped = new XunitSkippedDataRowTestCase(
                    DiagnosticMessageSink,
                    discoveryOptions.MethodDisplayOrDefault(),
                    discoveryOptions.MethodDisplayOptionsOrDefault(),
                    testMethod,
                    reason);
                return ReportDiscoveredTestCase(skipped, includeSourceInformation, messageBus);
            }

            return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
        }
    }
}
