namespace Hpo.Execution.Container;

/// <summary>When the container CLI pulls the trial image from its registry (<c>--pull</c>).</summary>
public enum ContainerPullPolicy
{
    /// <summary>Pull only when the image is not in local storage (<c>--pull=missing</c>, the CLIs' default).</summary>
    Missing,

    /// <summary>Never pull: the image must already be in local storage, or the trial fails (<c>--pull=never</c>).</summary>
    Never,

    /// <summary>Pull before every trial, so that a moved tag is followed (<c>--pull=always</c>).</summary>
    Always,
}
