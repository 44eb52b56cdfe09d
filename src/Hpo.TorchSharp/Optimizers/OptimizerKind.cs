namespace Hpo.TorchSharp.Optimizers;

/// <summary>The optimizers of the optimizer search space, with the names they take as categorical choices.</summary>
/// <remarks>Added in 0.1.</remarks>
public enum OptimizerKind
{
    /// <summary>Plain stochastic gradient descent (<c>sgd</c>): <c>torch.optim.SGD</c> without momentum.</summary>
    Sgd,

    /// <summary>Stochastic gradient descent with momentum (<c>momentum</c>): <c>torch.optim.SGD</c> with the <c>momentum</c> parameter.</summary>
    Momentum,

    /// <summary>Adam (<c>adam</c>): <c>torch.optim.Adam</c>, weight decay added to the gradient (L2).</summary>
    Adam,

    /// <summary>AdamW (<c>adamw</c>): <c>torch.optim.AdamW</c>, weight decay decoupled from the gradient.</summary>
    AdamW,

    /// <summary>Adagrad (<c>adagrad</c>): <c>torch.optim.Adagrad</c>.</summary>
    Adagrad,

    /// <summary>RMSprop (<c>rmsprop</c>): <c>torch.optim.RMSProp</c>.</summary>
    RmsProp,
}
