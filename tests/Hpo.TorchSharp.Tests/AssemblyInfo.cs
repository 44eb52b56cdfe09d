// TorchSharp's random generator and thread count are process-wide: tests that seed it and then build or train a model
// must not interleave with other tests that draw from it, or the same seed would not give the same numbers.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
