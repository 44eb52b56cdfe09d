// TorchSharp's thread count is process-wide, and the swap-under-load test wants the cores: the test classes run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
