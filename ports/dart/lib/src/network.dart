// Forward and backward pass of ONE example through a dense network, one neuron
// at a time (spec sections 6.1, 6.2).
//
// Nothing is updated here: every gradient uses the parameters as given.
// Left out: combining examples (training.dart) and changing parameters
// (optimizer.dart).

// layer_dL_dz, layer_dL_dw, layer_dL_db and layer_dL_dx keep the spec's symbols
// inside their names, and the locals are the spec's names (dL_da, dL_dz, ...)
// (spec Appendix C, "Names"); Dart's linter would ask for lowerCamelCase.
// ignore_for_file: non_constant_identifier_names

import 'activations.dart';
import 'losses.dart';
import 'records.dart';

/// Weighted sum of neuron j: z[j] = (sum_k w[j][k] * x[k]) + b[j], from
/// 0.0, k ascending, the bias added last  (spec eq. 6.1).
/// weightedSum(layer with w [[1.5]], b [0.5], [2.0], 0) -> 3.5
///
/// x is this layer's input: the example's x for the first layer, the a of the
/// layer below otherwise.
double weightedSum(Layer layer, List<double> x, int j) {
  var total = 0.0; // a double from the start: `var total = 0;` would be an int
  for (var k = 0; k < x.length; k++) {
    // two roundings, a product then a sum: Dart does not fuse them into an FMA (spec Appendix C)
    total = total + layer.w[j][k] * x[k];
  }
  return total + layer.b[j];
}

/// Pre-activations of every neuron of a layer (spec eq. 6.1 for every j).
List<double> forwardLayerZ(Layer layer, List<double> x) {
  final nNeurons = layer.w.length;
  final z = List<double>.filled(nNeurons, 0.0); // [n_neurons]
  for (var j = 0; j < nNeurons; j++) {
    z[j] = weightedSum(layer, x, j);
  }
  return z;
}

/// Activations of a layer, a new list beside z  (spec eq. 6.2).
/// forwardLayerA(relu layer, [-1.0, 2.0]) -> [0.0, 2.0]
List<double> forwardLayerA(Layer layer, List<double> z) {
  if (layer.activation == 'softmax') {
    return softmax(z); // eq. 4.11, the whole layer
  }
  final a = List<double>.filled(z.length, 0.0); // [n_neurons]
  for (var j = 0; j < z.length; j++) {
    a[j] = activate(layer.activation, z[j], layer.slope);
  }
  return a;
}

/// dL_dz of a layer that is not a fused cross-entropy output: the softmax
/// Jacobian for softmax (eq. 6.6), dL_da[j] * f'(z[j]) otherwise (eqs. 6.4, 6.5).
List<double> layer_dL_dz(Layer layer, List<double> z, List<double> a, List<double> dL_da) {
  if (layer.activation == 'softmax') {
    return softmax_dL_dz(a, dL_da); // eq. 4.12
  }
  final dL_dz = List<double>.filled(z.length, 0.0); // [n_neurons]
  for (var j = 0; j < z.length; j++) {
    // dL/dz = dL/da * da/dz, the derivative taken at z  (spec eq. 6.5)
    dL_dz[j] = dL_da[j] * activatePrime(layer.activation, z[j], layer.slope);
  }
  return dL_dz;
}

/// Weight gradient dL_dw[j][k] = dL_dz[j] * x[k], shaped like w  (spec eq. 6.7).
/// layer_dL_dw([-1.0], [2.0]) -> [[-2.0]]
///
/// x is this layer's input (the a of the layer below), never its own a.
List<List<double>> layer_dL_dw(List<double> dL_dz, List<double> x) {
  final dL_dw = <List<double>>[]; // [n_neurons][n_inputs]
  for (var j = 0; j < dL_dz.length; j++) {
    // a new row for every j: List.filled(n, row) would share one row n times
    final row = List<double>.filled(x.length, 0.0); // [n_inputs]
    for (var k = 0; k < x.length; k++) {
      row[k] = dL_dz[j] * x[k];
    }
    dL_dw.add(row);
  }
  return dL_dw;
}

/// Bias gradient dL_db[j] = dL_dz[j], a copy  (spec eq. 6.8).
List<double> layer_dL_db(List<double> dL_dz) {
  final dL_db = List<double>.filled(dL_dz.length, 0.0); // [n_neurons]
  for (var j = 0; j < dL_dz.length; j++) {
    dL_db[j] = dL_dz[j];
  }
  return dL_db;
}

/// Input gradient dL_dx[k] = sum_j w[j][k] * dL_dz[j], from 0.0, j ascending:
/// the transposed weights  (spec eq. 6.9).
/// layer_dL_dx(layer with w [[1.5]], [-1.0]) -> [-1.5]
List<double> layer_dL_dx(Layer layer, List<double> dL_dz) {
  final nNeurons = layer.w.length;
  final nInputs = layer.w[0].length;
  final dL_dx = List<double>.filled(nInputs, 0.0); // [n_inputs]
  for (var k = 0; k < nInputs; k++) {
    var total = 0.0;
    for (var j = 0; j < nNeurons; j++) {
      total = total + layer.w[j][k] * dL_dz[j]; // column k of w: the transpose
    }
    dL_dx[k] = total;
  }
  return dL_dx;
}

/// Forward then backward pass of one example (spec section 6.2, "the whole example").
ExampleTrace traceExample(List<Layer> layers, String loss, Example example) {
  final nLayers = layers.length;

  // forward: inputs[layerIndex] is what feeds layer layerIndex
  final inputs = <List<double>>[example.x];
  final zs = <List<double>>[];
  for (var layerIndex = 0; layerIndex < nLayers; layerIndex++) {
    final z = forwardLayerZ(layers[layerIndex], inputs[layerIndex]); // eq. 6.1
    final a = forwardLayerA(layers[layerIndex], z); // eq. 6.2
    zs.add(z);
    inputs.add(a);
  }
  final lossOfExample = lossValue(loss, zs[nLayers - 1], inputs[nLayers], example.y); // eq. 6.3

  // backward: from the output layer down to the first; records stored under their own index
  final records = List<LayerTrace?>.filled(nLayers, null);
  var dL_dx_from_above = <double>[];
  for (var layerIndex = nLayers - 1; layerIndex >= 0; layerIndex--) {
    final layer = layers[layerIndex];
    final z = zs[layerIndex];
    final a = inputs[layerIndex + 1];
    final List<double>? dL_da;
    final List<double> dL_dz;
    if (layerIndex == nLayers - 1 && isFused(loss)) {
      dL_da = null; // not defined for a fused output (spec section 5.3)
      dL_dz = fused_dL_dz(loss, a, example.y); // eqs. 5.10, 5.11
    } else if (layerIndex == nLayers - 1) {
      final output_dL_da = loss_dL_da(loss, a, example.y); // eqs. 5.7-5.9
      dL_da = output_dL_da;
      dL_dz = layer_dL_dz(layer, z, a, output_dL_da); // eqs. 6.4, 6.6
    } else {
      dL_da = dL_dx_from_above; // the dL_dx of the layer above, to the bit
      dL_dz = layer_dL_dz(layer, z, a, dL_dx_from_above); // eq. 6.5
    }
    final dL_dw = layer_dL_dw(dL_dz, inputs[layerIndex]); // eq. 6.7, this layer's inputs
    final dL_db = layer_dL_db(dL_dz); // eq. 6.8
    final dL_dx = layer_dL_dx(layer, dL_dz); // eq. 6.9
    records[layerIndex] = LayerTrace(z, a, dL_da, dL_dz, dL_dw, dL_db, dL_dx);
    dL_dx_from_above = dL_dx;
  }

  // every entry was filled by the loop above, so ! cannot fail here
  final layerTraces = <LayerTrace>[];
  for (var layerIndex = 0; layerIndex < nLayers; layerIndex++) {
    layerTraces.add(records[layerIndex]!);
  }
  return ExampleTrace(lossOfExample, layerTraces);
}
