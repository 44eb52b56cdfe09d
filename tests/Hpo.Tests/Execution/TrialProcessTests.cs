using System.Collections;
using Hpo.Execution;
using Hpo.SearchSpaces;

namespace Hpo.Tests.Execution;

public sealed class TrialProcessTests
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder()
        .AddFloat("lr", 1e-5, 1, log: true)
        .AddInt("layers", 1, 8)
        .AddCategorical("optimizer", ["sgd", "adam"])
        .AddFloat("momentum", 0, 1, condition: ParameterCondition.When("optimizer", "sgd"))
        .Build();

    private static Hashtable Environment(string parameters, bool withSpace = true)
    {
        var env = new Hashtable
        {
            [TrialProtocol.TrialNumberVariable] = "12",
            [TrialProtocol.StudyNameVariable] = "s1",
            [TrialProtocol.ArtifactsDirectoryVariable] = "/tmp/a",
            [TrialProtocol.ParametersVariable] = parameters,
        };
        if (withSpace)
        {
            env[TrialProtocol.SearchSpaceVariable] = Space.ToJson();
        }

        return env;
    }

    [Fact]
    public void FromEnvironment_ProtocolVariables_ReadsIdentityAndTypedParameters()
    {
        TrialProcess trial = TrialProcess.FromEnvironment(Environment("{\"lr\":0.001,\"layers\":3,\"optimizer\":\"adam\"}"), TextWriter.Null);

        Assert.Equal(12, trial.Number);
        Assert.Equal("s1", trial.StudyName);
        Assert.Equal("/tmp/a", trial.ArtifactsDirectory);
        Assert.Equal(Space, trial.SearchSpace);
        Assert.Equal(0.001, trial.Get<double>("lr"));
        Assert.Equal(3, trial.Get<int>("layers"));
        Assert.IsType<long>(trial.Parameters["layers"]);
        Assert.Equal("adam", trial.Get<string>("optimizer"));
    }

    [Fact]
    public void Get_InactiveConditionalParameter_ThrowsNamingTheCondition()
    {
        TrialProcess trial = TrialProcess.FromEnvironment(Environment("{\"lr\":0.001,\"layers\":3,\"optimizer\":\"adam\"}"), TextWriter.Null);

        KeyNotFoundException e = Assert.Throws<KeyNotFoundException>(() => trial.Get<double>("momentum"));
        Assert.Contains("inactive", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_IntegerAsSmallerTypeThatOverflows_ThrowsInvalidCast()
    {
        TrialProcess trial = TrialProcess.FromEnvironment(Environment("{\"layers\":300}", withSpace: false), TextWriter.Null);

        Assert.Throws<InvalidCastException>(() => trial.Get<byte>("layers"));
    }

    [Fact]
    public void FromEnvironment_ParametersFileOnly_ReadsTheFile()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "{\"layers\":5}");
        Hashtable env = Environment(string.Empty);
        env[TrialProtocol.ParametersFileVariable] = file;

        TrialProcess trial = TrialProcess.FromEnvironment(env, TextWriter.Null);

        Assert.Equal(5L, trial.Parameters["layers"]);
    }

    [Fact]
    public void FromEnvironment_NotStartedByAnExecutor_ThrowsInvalidOperation()
    {
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => TrialProcess.FromEnvironment(new Hashtable(), TextWriter.Null));
        Assert.Contains(TrialProtocol.TrialNumberVariable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_BadParametersJson_ThrowsInvalidOperation()
    {
        Assert.Throws<InvalidOperationException>(() => TrialProcess.FromEnvironment(Environment("{\"layers\":"), TextWriter.Null));
    }

    [Fact]
    public void ReportCompleteAndSetUserAttribute_WriteProtocolLines()
    {
        var output = new StringWriter();
        TrialProcess trial = TrialProcess.FromEnvironment(Environment("{}"), output);

        trial.Report(1, 0.5);
        trial.Report(2, double.NaN);
        trial.SetUserAttribute("device", "cuda:0");
        trial.Complete(0.125);

        Assert.Equal("hpo:report 1 0.5\nhpo:report 2 nan\nhpo:attr device cuda:0\nhpo:result 0.125\n", output.ToString());
    }
}
