// One trial of the distributed sample, as a program of its own: reads x and y from the trial protocol's environment
// (TrialProcess.Current), "trains" for a few epochs reporting the loss after each, and prints the final loss. A worker
// runs it as a child process or in a container; run on its own it explains that and exits.

using Hpo.Execution;
using Hpo.Samples.Distributed;

if (!TrialProcess.IsAvailable)
{
    Console.Error.WriteLine("This program runs one trial for an Hpo worker (see samples/Distributed/README.md); it reads its parameters from HPO_* variables.");
    return 2;
}

TrialProcess trial = TrialProcess.Current;
double x = trial.Get<double>("x");
double y = trial.Get<double>("y");
Console.WriteLine($"trial {trial.Number} of {trial.StudyName}: x={x}, y={y}");

double loss = double.NaN;
for (int epoch = 1; epoch <= SyntheticTraining.Epochs; epoch++)
{
    if (trial.StopRequested.IsCancellationRequested)
    {
        Console.WriteLine("stopped by the worker");
        return 0;
    }

    await Task.Delay(SyntheticTraining.EpochDelay);
    loss = SyntheticTraining.Loss(x, y, epoch);
    trial.Report(epoch, loss);
}

trial.SetUserAttribute("host", Environment.MachineName);
trial.Complete(loss);
return 0;
