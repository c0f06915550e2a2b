"""The math core: what a porter ports, file by file (spec Appendix E).

records      the plain records of a case and a trace
activations  each activation right above its derivative
losses       each loss right above its dL/da (or the fused dL/dz of cross-entropy)
network      forward and backward pass of one example, one neuron at a time
optimizer    SGD with momentum and weight decay, one parameter at a time
training     batches, reductions and steps

Imports only `math`, `dataclasses` and itself; nothing outside core/ is needed to port it.
"""
