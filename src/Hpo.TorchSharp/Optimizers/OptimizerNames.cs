namespace Hpo.TorchSharp.Optimizers;

/// <summary>
/// The categorical names of the optimizers and learning-rate decays, beside their enums: the search space writes them and the
/// settings read them back (<c>OptimizerSearchSpace.NameOf</c> is the public face).
/// </summary>
internal static class OptimizerNames
{
    public static string Of(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => "sgd",
        OptimizerKind.Momentum => "momentum",
        OptimizerKind.Adam => "adam",
        OptimizerKind.AdamW => "adamw",
        OptimizerKind.Adagrad => "adagrad",
        OptimizerKind.RmsProp => "rmsprop",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"'{kind}' is not an OptimizerKind."),
    };

    public static string Of(LearningRateDecayKind kind) => kind switch
    {
        LearningRateDecayKind.None => "none",
        LearningRateDecayKind.Exponential => "exponential",
        LearningRateDecayKind.Polynomial => "polynomial",
        LearningRateDecayKind.PiecewiseConstant => "piecewise_constant",
        LearningRateDecayKind.Cosine => "cosine",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"'{kind}' is not a LearningRateDecayKind."),
    };
}
