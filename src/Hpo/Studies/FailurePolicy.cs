namespace Hpo.Studies;

/// <summary>How a study reacts when an objective throws.</summary>
public enum FailurePolicy
{
    /// <summary>Record the trial as failed with the exception and go on (the default).</summary>
    Continue = 0,

    /// <summary>Record the trial as failed, stop starting trials, let running trials finish, then rethrow the exception.</summary>
    Stop = 1,
}
