"""Arithmetic other than the core's binary64: the binary32 tier's run, and the perturbed runs of
correct ports (another libm, another order of sums) that tolerances are sized and checked by."""
