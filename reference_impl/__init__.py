"""backprop-spec reference implementation: neuron-level backpropagation, every number recorded.

The math core is `activations`, `losses`, `records`, `network`, `optimizer` and
`training`; they import only `math` and each other. `suite/` builds the test
vectors from it and `cli.py` is the command line.
"""

SPEC_VERSION = "1.0.0"
