using Hpo.TorchSharp.Optimizers;
using Hpo.TorchSharp.SearchSpaces;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hpo.TorchSharp.Tests.Optimizers;

public class OptimizerSettingsTests
{
    [Theory]
    [InlineData("sgd", typeof(SGD))]
    [InlineData("momentum", typeof(SGD))]
    [InlineData("adam", typeof(Adam))]
    [InlineData("adamw", typeof(AdamW))]
    [InlineData("adagrad", typeof(Adagrad))]
    [InlineData("rmsprop", typeof(RMSProp))]
    public void CreateOptimizer_EachChoice_BuildsThatTorchOptimizerAndItTrains(string name, Type expected)
    {
        set_num_threads(1);
        manual_seed(1);
        var settings = OptimizerSettings.FromParameters(new Dictionary<string, object>
        {
            [OptimizerSearchSpace.Optimizer] = name,
            [OptimizerSearchSpace.LearningRate] = 0.05,
            [OptimizerSearchSpace.WeightDecay] = 1e-4,
        });
        using var model = nn.Linear(2, 1);
        using Tensor x = tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f }, [4, 2]);
        using Tensor y = tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f }, [4, 1]);

        using optim.Optimizer optimizer = settings.CreateOptimizer(model.parameters());
        double before = Loss(model, x, y);
        for (int i = 0; i < 20; i++)
        {
            optimizer.zero_grad();
            using Tensor loss = nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            optimizer.step();
        }

        Assert.IsType(expected, optimizer);
        Assert.Equal(0.05, optimizer.ParamGroups.Single().LearningRate, 12);
        Assert.True(Loss(model, x, y) < before, $"{name} did not lower the loss.");
    }

    [Fact]
    public void FromParameters_Empty_KeepsDefaults()
    {
        var settings = OptimizerSettings.FromParameters(new Dictionary<string, object>());

        Assert.Equal(new OptimizerSettings(), settings);
        Assert.NotEqual(new OptimizerSettings { PiecewiseBoundaries = [0.4] }, settings);
        Assert.Equal(OptimizerKind.Adam, settings.Optimizer);
        Assert.Null(settings.ClipNorm);
    }

    [Fact]
    public void FromParameters_EverySetting_ReadsIt()
    {
        var settings = OptimizerSettings.FromParameters(new Dictionary<string, object>
        {
            [OptimizerSearchSpace.Optimizer] = "adamw",
            [OptimizerSearchSpace.LearningRate] = 0.01,
            [OptimizerSearchSpace.WeightDecay] = 0.001,
            [OptimizerSearchSpace.ClipNorm] = 2.0,
            [OptimizerSearchSpace.Beta1] = 0.85,
            [OptimizerSearchSpace.Beta2] = 0.95,
            [OptimizerSearchSpace.Epsilon] = 1e-7,
            [OptimizerSearchSpace.Decay] = "piecewise_constant",
            [OptimizerSearchSpace.PiecewiseBoundaries] = "0.33,0.67",
            [OptimizerSearchSpace.PiecewiseFactor] = 0.2,
            [OptimizerSearchSpace.Staircase] = true,
            [OptimizerSearchSpace.BatchSize] = 64L,
        });

        Assert.Equal(OptimizerKind.AdamW, settings.Optimizer);
        Assert.Equal((0.01, 0.001, 2.0, 0.85, 0.95, 1e-7), (settings.LearningRate, settings.WeightDecay, settings.ClipNorm, settings.Beta1, settings.Beta2, settings.Epsilon));
        Assert.Equal(LearningRateDecayKind.PiecewiseConstant, settings.Decay);
        Assert.Equal([0.33, 0.67], settings.PiecewiseBoundaries);
        Assert.Equal(0.2, settings.PiecewiseFactor);
        Assert.True(settings.Staircase);
        Assert.Equal(64, settings.BatchSize);
    }

    [Theory]
    [InlineData(OptimizerSearchSpace.Optimizer, "lbfgs")]
    [InlineData(OptimizerSearchSpace.Decay, "linear")]
    [InlineData(OptimizerSearchSpace.LearningRate, "fast")]
    [InlineData(OptimizerSearchSpace.PiecewiseBoundaries, "0.9,0.1")]
    public void FromParameters_UnknownValue_Throws(string name, object value)
    {
        Assert.Throws<ArgumentException>(() => OptimizerSettings.FromParameters(new Dictionary<string, object> { [name] = value }));
    }

    private static double Loss(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        using var noGrad = no_grad();
        using Tensor loss = nn.functional.mse_loss(model.call(x), y);
        return loss.item<float>();
    }
}
