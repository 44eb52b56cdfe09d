using Hpo.Objectives;
using Hpo.Trials;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace HostedWorker;

/// <summary>
/// The Branin function (minimum 0.397887 at three points) standing in for a training job: it takes Sample:TrialMilliseconds, honours
/// cancellation, and gets its logger from the host like any other service.
/// </summary>
internal sealed partial class BraninObjective(IConfiguration configuration, ILogger<BraninObjective> logger) : IObjective
{
    private readonly TimeSpan work = TimeSpan.FromMilliseconds(configuration.GetValue("Sample:TrialMilliseconds", 200));

    public async ValueTask<ObjectiveResult> EvaluateAsync(ITrial trial, CancellationToken cancellationToken)
    {
        double x = trial.Get<double>("x");
        double y = trial.Get<double>("y");
        await Task.Delay(work, cancellationToken);
        double value = Math.Pow(y - (5.1 / (4 * Math.PI * Math.PI) * x * x) + (5 / Math.PI * x) - 6, 2) + (10 * (1 - (1 / (8 * Math.PI))) * Math.Cos(x)) + 10;
        LogTrial(trial.Number, x, y, value);
        return value;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "trial {Number}: x={X:0.###} y={Y:0.###} -> {Value:0.#####}")]
    private partial void LogTrial(int number, double x, double y, double value);
}
