// Trains a 2-2-1 network on XOR and prints the loss falling: the first sign
// that the port learns.  dart run bin/xor.dart
//
// XOR is the classic problem one layer cannot solve: the output is 1 when
// exactly one input is 1. Two sigmoid hidden neurons and one sigmoid output,
// binary cross-entropy, all four examples in every batch, plain SGD.
// Left out: random initialisation. The starting weights are written out, so
// every run prints the same numbers.

import 'package:backprop_port/backprop_port.dart';

void main() {
  final batch = [
    Example([0.0, 0.0], [0.0]),
    Example([0.0, 1.0], [1.0]),
    Example([1.0, 0.0], [1.0]),
    Example([1.0, 1.0], [0.0]),
  ];
  final layers = [
    // w[j][k]: to hidden neuron j from input k
    Layer('sigmoid', null, [
      [0.5, -0.4],
      [-0.3, 0.6],
    ], [0.1, -0.1]),
    // one output neuron, from the two hidden neurons
    Layer('sigmoid', null, [
      [0.7, -0.5],
    ], [0.2]),
  ];
  const nSteps = 3000;
  final trainingCase = Case(layers, 'binary_cross_entropy', 'mean', const Optimizer(2.0, 0.0, 0.0), nSteps, [batch]);

  final trace = train(trainingCase);

  // the loss of each step is measured before that step's update
  for (var stepIndex = 0; stepIndex < nSteps; stepIndex += 300) {
    final loss = trace.steps[stepIndex].loss;
    print('step ${stepIndex.toString().padLeft(4)}  loss ${loss.toStringAsFixed(6)}');
  }

  // the trained network: the parameters after the last step
  final last = trace.steps[nSteps - 1];
  final trained = <Layer>[];
  for (var layerIndex = 0; layerIndex < layers.length; layerIndex++) {
    final layer = layers[layerIndex];
    trained.add(Layer(layer.activation, layer.slope, last.layers[layerIndex].w, last.layers[layerIndex].b));
  }
  for (var exampleIndex = 0; exampleIndex < batch.length; exampleIndex++) {
    final example = batch[exampleIndex];
    var a = example.x;
    for (var layerIndex = 0; layerIndex < trained.length; layerIndex++) {
      a = forwardLayerA(trained[layerIndex], forwardLayerZ(trained[layerIndex], a));
    }
    print('x ${example.x}  y ${example.y[0]}  a ${a[0].toStringAsFixed(4)}');
  }
}
