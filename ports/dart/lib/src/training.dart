// Batch reduction and the training loop (spec sections 6.3, 6.5).
//
// Every example of a step is traced with the parameters from before the step;
// only then is any layer updated. Left out: shuffling, random initialisation,
// early stopping, evaluation on held-out data.

// reduce_dL_dw and reduce_dL_db keep the spec's symbols inside their names
// (spec Appendix C, "Names"); Dart's linter would ask for lowerCamelCase.
// ignore_for_file: non_constant_identifier_names

import 'network.dart';
import 'optimizer.dart';
import 'records.dart';

/// Batch loss: the example losses added in batch order from 0.0, divided once
/// by m for 'mean'  (spec eq. 6.10).
/// reduceLoss([loss 1.0, loss 2.0], 'mean') -> 1.5
double reduceLoss(List<ExampleTrace> examples, String reduction) {
  final m = examples.length; // an int; total / m converts it to binary64 exactly
  var total = 0.0;
  for (var exampleIndex = 0; exampleIndex < m; exampleIndex++) {
    total = total + examples[exampleIndex].loss;
  }
  if (reduction == 'mean') {
    total = total / m;
  }
  return total;
}

/// Batch weight gradient of one layer: for every j, k the examples' dL_dw[j][k]
/// added in batch order from 0.0, divided once by m for 'mean'  (spec eq. 6.11).
List<List<double>> reduce_dL_dw(List<ExampleTrace> examples, int layerIndex, String reduction) {
  final m = examples.length;
  final first = examples[0].layers[layerIndex].dL_dw;
  final nNeurons = first.length;
  final nInputs = first[0].length;
  final dL_dw = <List<double>>[]; // [n_neurons][n_inputs]
  for (var j = 0; j < nNeurons; j++) {
    final row = List<double>.filled(nInputs, 0.0); // [n_inputs]
    for (var k = 0; k < nInputs; k++) {
      var total = 0.0;
      for (var exampleIndex = 0; exampleIndex < m; exampleIndex++) {
        total = total + examples[exampleIndex].layers[layerIndex].dL_dw[j][k];
      }
      if (reduction == 'mean') {
        total = total / m;
      }
      row[k] = total;
    }
    dL_dw.add(row);
  }
  return dL_dw;
}

/// Batch bias gradient of one layer, reduced exactly like the weights  (spec eq. 6.12).
List<double> reduce_dL_db(List<ExampleTrace> examples, int layerIndex, String reduction) {
  final m = examples.length;
  final nNeurons = examples[0].layers[layerIndex].dL_db.length;
  final dL_db = List<double>.filled(nNeurons, 0.0); // [n_neurons]
  for (var j = 0; j < nNeurons; j++) {
    var total = 0.0;
    for (var exampleIndex = 0; exampleIndex < m; exampleIndex++) {
      total = total + examples[exampleIndex].layers[layerIndex].dL_db[j];
    }
    if (reduction == 'mean') {
      total = total / m;
    }
    dL_db[j] = total;
  }
  return dL_db;
}

/// Runs a case for n_steps steps and records every number  (spec section 6.5).
/// Step s trains on batches[s mod B]; step s + 1 starts from the parameters and
/// momentum buffers that step s produced. The case is not changed.
/// (`case` is a Dart keyword, hence trainingCase.)
Trace train(Case trainingCase) {
  var layers = trainingCase.layers;
  final nLayers = layers.length;
  var previousUpdates = List<LayerUpdate?>.filled(nLayers, null);
  final steps = <StepTrace>[];
  for (var stepIndex = 0; stepIndex < trainingCase.n_steps; stepIndex++) {
    final batch = trainingCase.batches[stepIndex % trainingCase.batches.length];

    // 1. every example sees the same, not yet updated, parameters
    final examples = <ExampleTrace>[];
    for (var exampleIndex = 0; exampleIndex < batch.length; exampleIndex++) {
      examples.add(traceExample(layers, trainingCase.loss, batch[exampleIndex]));
    }

    // 2. reduce over the batch, then 3. update each layer
    final updates = <LayerUpdate>[];
    for (var layerIndex = 0; layerIndex < nLayers; layerIndex++) {
      final dL_dw = reduce_dL_dw(examples, layerIndex, trainingCase.reduction); // eq. 6.11
      final dL_db = reduce_dL_db(examples, layerIndex, trainingCase.reduction); // eq. 6.12
      // SGD (spec section 6.4), or Adam and AdamW (spec section 6.4.1)
      final update = trainingCase.optimizer.algorithm == 'sgd' ? updateLayer : adamUpdateLayer;
      updates.add(update(
        layers[layerIndex],
        dL_dw,
        dL_db,
        previousUpdates[layerIndex],
        trainingCase.optimizer,
      ));
    }
    final stepLoss = reduceLoss(examples, trainingCase.reduction); // eq. 6.10
    steps.add(StepTrace(examples, stepLoss, updates));

    // the new parameters; activations and slopes unchanged
    final newLayers = <Layer>[];
    for (var layerIndex = 0; layerIndex < nLayers; layerIndex++) {
      final layer = layers[layerIndex];
      newLayers.add(Layer(layer.activation, layer.slope, updates[layerIndex].w, updates[layerIndex].b));
    }
    layers = newLayers;
    previousUpdates = List<LayerUpdate?>.of(updates);
  }
  return Trace(steps);
}
