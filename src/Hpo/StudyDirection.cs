namespace Hpo;

/// <summary>Whether a study minimizes or maximizes an objective value.</summary>
public enum StudyDirection
{
    /// <summary>Smaller values are better (losses, errors, regret).</summary>
    Minimize = 0,

    /// <summary>Larger values are better (accuracy, AUC, reward).</summary>
    Maximize = 1,
}
