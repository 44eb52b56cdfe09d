using Hpo.Models;
using Hpo.TorchSharp.Models;
using static TorchSharp.torch;
using TorchModel = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace Hpo.Serving.Engines;

/// <summary>Loads TorchSharp engines; kept apart so that TorchSharp's types load only when a TorchSharp model does.</summary>
internal static class TorchSharpLoader
{
    private static int threadsSet;

    public static ModelEngine Load(string folder, ModelManifest manifest, int poolSize)
    {
        if (!LibTorchBesideApplication())
        {
            // Checked before touching TorchSharp: without libtorch beside the application, TorchSharp's fallback copies half a
            // gigabyte of native files out of the NuGet cache into the application's folder, then fails anyway.
            throw new InvalidOperationException(
                "This host has no libtorch beside it, so it cannot serve TorchSharp models. Serve them from an application that references a " +
                "libtorch package (for example libtorch-cpu-linux-x64, as the serving image in deploy/ does), or build the hpo tool with -p:HpoWithLibTorch=true.");
        }

        try
        {
            if (Interlocked.Exchange(ref threadsSet, 1) == 0)
            {
                // Tiny networks under many concurrent requests: one intra-op thread per request beats libtorch's default of one per core.
                set_num_threads(1);
            }

            return TorchSharpEngine.Load(folder, manifest, poolSize);
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException && e is not FormatException)
        {
            throw new InvalidOperationException(
                "TorchSharp could not load libtorch: this host does not ship it. Serve TorchSharp models from an application that references a libtorch package " +
                "(for example libtorch-cpu-linux-x64, as deploy/serving does), or build the hpo tool with -p:HpoWithLibTorch=true. " +
                (e.InnerException ?? e).Message.Split('\n', 2)[0], e);
        }
    }

    private static bool LibTorchBesideApplication()
    {
        // TorchSharp's own package brings LibTorchSharp; a libtorch package brings torch_cpu next to it (in the application's
        // folder once published, or in runtimes/RID/native when built).
        string torch = OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        string baseDirectory = AppContext.BaseDirectory;
        string native = Path.Combine(baseDirectory, "runtimes", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "native");
        return File.Exists(Path.Combine(baseDirectory, torch)) || File.Exists(Path.Combine(native, torch));
    }
}

/// <summary>A TorchSharp <see cref="SequentialArchitecture"/> with its checkpoint, in evaluation mode without gradients; a pool of module copies.</summary>
internal sealed class TorchSharpEngine : ModelEngine
{
    private readonly SequentialArchitecture architecture;
    private readonly PredictorPool<TorchModel> pool;
    private readonly float[]? mean;
    private readonly float[]? scale;

    private TorchSharpEngine(ModelManifest manifest, SequentialArchitecture architecture, PredictorPool<TorchModel> pool)
        : base(manifest, architecture.OutputSize)
    {
        this.architecture = architecture;
        this.pool = pool;
        mean = architecture.InputMean?.ToArray();
        scale = architecture.InputScale?.ToArray();
    }

    public static TorchSharpEngine Load(string folder, ModelManifest manifest, int poolSize)
    {
        // The checkpoint is kept in memory: predictors created under load later never read the folder, which may be gone by then.
        (SequentialArchitecture architecture, byte[] checkpoint) = TorchSharpModels.Read(folder);
        if (architecture.InputSize != manifest.InstanceSize)
        {
            throw new FormatException($"The architecture takes {architecture.InputSize} inputs, but the manifest's inputs hold {manifest.InstanceSize} values.");
        }

        var pool = new PredictorPool<TorchModel>(() => TorchSharpModels.Build(architecture, checkpoint), poolSize);
        pool.Return(pool.Rent()); // the first module is built (and the checkpoint checked) here, not by the first request
        return new TorchSharpEngine(manifest, architecture, pool);
    }

    public override void Predict(ReadOnlySpan<float> instances, int count, Span<float> predictions)
    {
        int size = InstanceSize;
        float[] x = new float[count * size]; // the request's own input tensor data
        instances[..(count * size)].CopyTo(x);
        if (mean is not null || scale is not null)
        {
            for (int i = 0; i < x.Length; i++)
            {
                int j = i % size;
                x[i] = (x[i] - (mean?[j] ?? 0)) / (scale?[j] ?? 1);
            }
        }

        TorchModel module = pool.Rent();
        try
        {
            using var noGrad = no_grad();
            using Tensor input = tensor(x, [count, size]);
            using Tensor output = module.call(input);
            using Tensor result = architecture.Output == "softmax" ? output.softmax(1) : output.alias();
            result.data<float>().CopyTo(predictions[..(count * OutputSize)]);
        }
        finally
        {
            pool.Return(module);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pool.Dispose();
        }
    }
}
