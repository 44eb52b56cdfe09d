// A study's trials run by a BackgroundService inside a generic host: the storage and the worker come from appsettings.json
// (or Hpo__Storage / HPO_STORAGE and Hpo__Worker__* environment variables), the objective from dependency injection.
// Ctrl+C or SIGTERM stops it gracefully: no new trial starts, running trials finish within Hpo:Worker:GracePeriod, and any
// still running then are handed back (recorded stale) for another worker to run again. Run it again to continue the study.
using HostedWorker;
using Hpo.Hosting;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// appsettings.json is found next to the program wherever it is started from; sqlite:///hosted-worker.db is relative to the current folder.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

// The host waits this long for the worker on stop: longer than the grace period plus the time handed-back trials get to stop.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
builder.Services.AddHpo().AddWorker<BraninObjective>();

using IHost host = builder.Build();

// The worker runs an existing study: create it on first run (a second run, or a second copy of this program, resumes it).
SearchSpace space = SearchSpace.CreateBuilder().AddFloat("x", -5, 10).AddFloat("y", 0, 15).Build();
string studyName = builder.Configuration["Hpo:Worker:Study"] ?? "hosted-demo";
Study study = await host.Services.GetRequiredService<HpoStudies>().CreateOrLoadAsync(
    studyName, space, new StudyOptions { Budget = builder.Configuration.GetValue("Sample:Budget", 30), Seed = 1 });

// Run until the budget is spent (Hpo:Worker:StopApplicationWhenDone) or Ctrl+C / SIGTERM; the storage stays open for the summary.
await host.StartAsync();
await host.WaitForShutdownAsync();

// A worker that failed (bad configuration, storage unreachable) has been logged by the host; the exit code says so too.
if (host.Services.GetRequiredService<HpoWorkerService>().ExecuteTask is { IsFaulted: true })
{
    return 1;
}

TrialCounts counts = await study.GetTrialCountsAsync();
TrialRecord? best = await study.GetBestTrialAsync();
Console.WriteLine($"study {study.Name}: {counts.Complete} complete, {counts.Failed} failed, {counts.Stale} stale, {counts.Running} running");
if (best is not null)
{
    Console.WriteLine($"best: trial {best.Number}, value {best.Value:0.######}, x={best.Parameters["x"]:0.####}, y={best.Parameters["y"]:0.####}");
}

return 0;
