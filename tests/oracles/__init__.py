"""Independent truths the tests hold the reference against: a numpy matrix form, finite
differences of the loss, a PyTorch cross-check, and a buggy port built on the numpy form.
None of them imports reference_impl."""
