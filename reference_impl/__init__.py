"""backprop-spec reference implementation: neuron-level backpropagation, every number recorded.

Its folders are its layers, each importing only the ones before it:

    core/         the math a porter ports: records, activations, losses, network,
                  optimizer, training (imports only `math` and itself)
    format/       the vector format: vocabulary, schemas, strict JSON, JSON paths,
                  case files, canonical JSON, the vector loader
    explain/      the walk-through that `backprop-spec explain` and the docs print
    suite/        the case catalogue and the generator that writes vectors/
    conformance/  the runner: compare, diagnose, drive a program, report

`adapter.py` (the reference behind the runner's protocol) and `cli.py` (the
command line) sit on top.
"""

from reference_impl.format.vocabulary import SPEC_VERSION

__all__ = ["SPEC_VERSION"]
