using System.Runtime.InteropServices;
using Hpo.Cli;

// Ctrl+C and SIGTERM (a container runtime, Kubernetes or systemd stopping the tool) cancel the command: most commands stop at
// once; 'hpo worker' stops claiming trials and shuts down gracefully.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

return await HpoCli.RunAsync(args, Console.Out, Console.Error, cancellation.Token).ConfigureAwait(false);
