// Reading a case from JSON data, checking it, naming its features, and
// writing a trace as JSON data (spec sections 3.5, 3.6, 7.1, 7.2, 8.3).
//
// caseFromJson turns the parsed JSON of a case (what jsonDecode returns) into
// records, fills in the defaults and reports every problem with its path, e.g.
// "at batches[0][0].x: expected 1 inputs (the first layer's weight columns), got 2".
// traceToJson turns a trace back into plain data for jsonEncode.
// Left out: duplicate keys. jsonDecode keeps the last of two equal keys and
// cannot tell; spec section 3.5 makes such a file invalid, so do not write one.

// n_steps and weight_decay are the JSON keys, and FEATURES mirrors the
// JavaScript port's name; Dart's linter would ask for lowerCamelCase.
// ignore_for_file: non_constant_identifier_names, constant_identifier_names

import 'dart:convert';

import 'records.dart';

/// Every feature name of spec section 8.3; this port supports them all.
const List<String> FEATURES = [
  'identity',
  'sigmoid',
  'tanh',
  'relu',
  'leaky_relu',
  'softmax',
  'sse',
  'half_sse',
  'mse',
  'binary_cross_entropy',
  'categorical_cross_entropy',
  'mini_batch',
  'reduction_sum',
  'multi_step',
  'momentum',
  'weight_decay',
  'adam', // since spec 1.1
  'adamw',
];

const List<String> _activations = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softmax'];
const List<String> _losses = ['sse', 'half_sse', 'mse', 'binary_cross_entropy', 'categorical_cross_entropy'];
const List<String> _reductions = ['mean', 'sum'];
const List<String> _algorithms = ['sgd', 'adam', 'adamw'];

/// A case that breaks spec section 7.1; [problems] lists every broken rule.
class CaseError implements Exception {
  final List<String> problems; // "at <path>: <what was expected>" each

  const CaseError(this.problems);

  @override
  String toString() => problems.join('; ');
}

/// The JSON text of a value for a message; never throws (an infinity is not JSON).
String _shown(Object? value) {
  try {
    return jsonEncode(value);
  } catch (_) {
    return '$value';
  }
}

/// Records "at path: problem" for every key of [value] that is not allowed.
void _checkKeys(Map<Object?, Object?> value, List<String> allowed, String path, List<String> problems) {
  for (final key in value.keys) {
    if (!allowed.contains(key)) {
      problems.add('at $path: unknown key "$key"');
    }
  }
}

/// A finite binary64 from JSON, or null after recording a problem.
/// _readNumber(2, 'lr', problems) -> 2.0
///
/// jsonDecode gives an int for `2` and a double for `2.0` (spec section 3.5):
/// `value as double` would throw on the int, so every number goes through
/// `num` and toDouble(). On the web, where ints and doubles are one type, the
/// same code works. jsonDecode refuses the tokens NaN and Infinity, but a
/// number too large for binary64 (`1e400`) can arrive as double.infinity:
/// the finiteness check refuses it with its path.
double? _readNumber(Object? value, String path, List<String> problems) {
  if (value is! num) {
    problems.add('at $path: expected a number, got ${_shown(value)}');
    return null;
  }
  final number = value.toDouble(); // -0.0 stays -0.0
  if (!number.isFinite) {
    problems.add('at $path: $number is not a finite binary64 number');
    return null;
  }
  return number;
}

/// A list of at least one number: [n].
List<double>? _readVector(Object? value, String path, List<String> problems) {
  if (value is! List || value.isEmpty) {
    problems.add('at $path: expected a list of at least one number');
    return null;
  }
  final vector = <double>[];
  var ok = true;
  for (var index = 0; index < value.length; index++) {
    final number = _readNumber(value[index], '$path[$index]', problems);
    if (number == null) {
      ok = false;
    } else {
      vector.add(number);
    }
  }
  return ok ? vector : null;
}

/// A list of at least one row of numbers: [n_neurons][n_inputs].
List<List<double>>? _readMatrix(Object? value, String path, List<String> problems) {
  if (value is! List || value.isEmpty) {
    problems.add('at $path: expected a list of at least one row');
    return null;
  }
  final matrix = <List<double>>[];
  var ok = true;
  for (var j = 0; j < value.length; j++) {
    final row = _readVector(value[j], '$path[$j]', problems);
    if (row == null) {
      ok = false;
    } else {
      matrix.add(row);
    }
  }
  return ok ? matrix : null;
}

/// One of a fixed set of strings.
String? _readChoice(Object? value, List<String> allowed, String path, List<String> problems) {
  if (value is! String || !allowed.contains(value)) {
    problems.add('at $path: expected one of ${allowed.join(', ')}, got ${_shown(value)}');
    return null;
  }
  return value;
}

/// Reads one layer object (spec section 7.1).
Layer? _readLayer(Object? value, String path, List<String> problems) {
  if (value is! Map) {
    problems.add('at $path: expected a layer object');
    return null;
  }
  _checkKeys(value, ['activation', 'slope', 'w', 'b'], path, problems);
  final activation = _readChoice(value['activation'], _activations, '$path.activation', problems);
  double? slope;
  if (activation == 'leaky_relu') {
    if (!value.containsKey('slope')) {
      problems.add('at $path: leaky_relu needs a "slope"');
    } else {
      slope = _readNumber(value['slope'], '$path.slope', problems);
    }
  } else if (activation != null && value.containsKey('slope')) {
    problems.add('at $path.slope: only leaky_relu has a slope, this layer is $activation');
  }
  final w = _readMatrix(value['w'], '$path.w', problems);
  final b = _readVector(value['b'], '$path.b', problems);
  if (activation == null || w == null || b == null) return null;
  if (activation == 'leaky_relu' && slope == null) return null;
  return Layer(activation, slope, w, b);
}

/// Reads the optimizer object, filling in algorithm 'sgd', momentum 0.0 and
/// weight_decay 0.0 (and for Adam betas [0.9, 0.999] and eps 1e-8).
Optimizer? _readOptimizer(Object? value, List<String> problems) {
  if (value is! Map) {
    problems.add('at optimizer: expected an object with "lr"');
    return null;
  }
  _checkKeys(value, ['algorithm', 'lr', 'momentum', 'weight_decay', 'betas', 'eps'], 'optimizer', problems);
  var algorithm = 'sgd';
  if (value.containsKey('algorithm')) {
    final given = value['algorithm'];
    if (given is String && _algorithms.contains(given)) {
      algorithm = given;
    } else {
      problems.add('at optimizer.algorithm: expected one of ${_algorithms.join(', ')}, got ${jsonEncode(given)}');
    }
  }
  final lr = _readNumber(value['lr'], 'optimizer.lr', problems);
  if (lr != null && !(lr > 0.0)) {
    problems.add('at optimizer.lr: expected a number > 0, got $lr');
  }
  double? momentum = 0.0;
  if (value.containsKey('momentum')) {
    momentum = _readNumber(value['momentum'], 'optimizer.momentum', problems);
    if (momentum != null && !(momentum >= 0.0 && momentum < 1.0)) {
      problems.add('at optimizer.momentum: expected 0 <= momentum < 1, got $momentum');
    }
  }
  double? weight_decay = 0.0;
  if (value.containsKey('weight_decay')) {
    weight_decay = _readNumber(value['weight_decay'], 'optimizer.weight_decay', problems);
    if (weight_decay != null && !(weight_decay >= 0.0)) {
      problems.add('at optimizer.weight_decay: expected a number >= 0, got $weight_decay');
    }
  }
  if (algorithm != 'sgd' && momentum != 0.0) {
    problems.add("at optimizer.momentum: momentum is SGD's; $algorithm keeps its own moving averages (betas)");
  }
  double? beta1 = 0.9;
  double? beta2 = 0.999;
  if (value.containsKey('betas')) {
    final betas = value['betas'];
    if (betas is! List || betas.length != 2) {
      problems.add('at optimizer.betas: expected a list of two numbers [beta1, beta2]');
      beta1 = null;
    } else {
      beta1 = _readNumber(betas[0], 'optimizer.betas[0]', problems);
      beta2 = _readNumber(betas[1], 'optimizer.betas[1]', problems);
      if (beta1 != null && !(beta1 >= 0.0 && beta1 < 1.0)) {
        problems.add('at optimizer.betas[0]: expected 0 <= beta < 1, got $beta1');
      }
      if (beta2 != null && !(beta2 >= 0.0 && beta2 < 1.0)) {
        problems.add('at optimizer.betas[1]: expected 0 <= beta < 1, got $beta2');
      }
    }
  }
  double? eps = 1e-8;
  if (value.containsKey('eps')) {
    eps = _readNumber(value['eps'], 'optimizer.eps', problems);
    if (eps != null && !(eps > 0.0)) {
      problems.add('at optimizer.eps: expected a number > 0, got $eps');
    }
  }
  if (lr == null || momentum == null || weight_decay == null) return null;
  if (beta1 == null || beta2 == null || eps == null) return null;
  return Optimizer(lr, momentum, weight_decay, algorithm, [beta1, beta2], eps);
}

/// Reads one example object {"x": [...], "y": [...]}.
Example? _readExample(Object? value, String path, List<String> problems) {
  if (value is! Map) {
    problems.add('at $path: expected an example object with "x" and "y"');
    return null;
  }
  _checkKeys(value, ['x', 'y'], path, problems);
  final x = _readVector(value['x'], '$path.x', problems);
  final y = _readVector(value['y'], '$path.y', problems);
  if (x == null || y == null) return null;
  return Example(x, y);
}

/// The n_steps of a case: an integer from 1 to 10000, or null after recording a problem.
///
/// jsonDecode gives an int for `2` and a double for `2.0`; both are the
/// integer 2 (spec section 7.1), and the count is kept as an int.
int? _readSteps(Object? value, List<String> problems) {
  if (value is num && value.isFinite && value == value.roundToDouble() && value >= 1 && value <= 10000) {
    return value.toInt();
  }
  problems.add('at n_steps: expected an integer from 1 to 10000, got ${_shown(value)}');
  return null;
}

/// The parsed JSON of a case as a Case record, defaults filled in
/// (reduction 'mean', momentum 0.0, weight_decay 0.0, n_steps 1), after checking
/// the schema and the eight rules of spec section 7.1.
/// Throws a CaseError listing every problem.
/// caseFromJson({'layers': [{'activation': 'identity', 'w': [[1.5]], 'b': [0.5]}],
///   'loss': 'sse', 'optimizer': {'lr': 0.1}, 'batches': [[{'x': [2], 'y': [4]}]]})
///   -> Case with reduction 'mean', n_steps 1, x [2.0]
Case caseFromJson(Object? json) {
  final problems = <String>[];
  if (json is! Map) {
    throw const CaseError(['at the top: expected a case object']);
  }
  _checkKeys(json, ['layers', 'loss', 'reduction', 'optimizer', 'n_steps', 'batches'], 'the top', problems);
  for (final key in ['layers', 'loss', 'optimizer', 'batches']) {
    if (!json.containsKey(key)) problems.add('at the top: missing required key "$key"');
  }

  // layers
  final layers = <Layer>[];
  final layersJson = json['layers'];
  var layersOk = layersJson is List && layersJson.isNotEmpty;
  if (!layersOk && json.containsKey('layers')) {
    problems.add('at layers: expected a list of at least one layer');
  }
  if (layersJson is List && layersOk) {
    for (var layerIndex = 0; layerIndex < layersJson.length; layerIndex++) {
      final layer = _readLayer(layersJson[layerIndex], 'layers[$layerIndex]', problems);
      if (layer == null) {
        layersOk = false;
      } else {
        layers.add(layer);
      }
    }
  }

  final loss = json.containsKey('loss') ? _readChoice(json['loss'], _losses, 'loss', problems) : null;
  String? reduction = 'mean';
  if (json.containsKey('reduction')) {
    reduction = _readChoice(json['reduction'], _reductions, 'reduction', problems);
  }
  final optimizer = json.containsKey('optimizer') ? _readOptimizer(json['optimizer'], problems) : null;
  int? n_steps = 1;
  if (json.containsKey('n_steps')) {
    n_steps = _readSteps(json['n_steps'], problems);
  }

  // batches
  final batches = <List<Example>>[];
  final batchesJson = json['batches'];
  var batchesOk = batchesJson is List && batchesJson.isNotEmpty;
  if (!batchesOk && json.containsKey('batches')) {
    problems.add('at batches: expected a list of at least one batch');
  }
  if (batchesJson is List && batchesOk) {
    for (var batchIndex = 0; batchIndex < batchesJson.length; batchIndex++) {
      final value = batchesJson[batchIndex];
      if (value is! List || value.isEmpty) {
        problems.add('at batches[$batchIndex]: expected a list of at least one example');
        batchesOk = false;
        continue;
      }
      final batch = <Example>[];
      for (var exampleIndex = 0; exampleIndex < value.length; exampleIndex++) {
        final example = _readExample(value[exampleIndex], 'batches[$batchIndex][$exampleIndex]', problems);
        if (example == null) {
          batchesOk = false;
        } else {
          batch.add(example);
        }
      }
      batches.add(batch);
    }
  }

  // the rules a schema cannot express (spec section 7.1, rules 1-8)
  if (layersOk) {
    _checkLayerShapes(layers, problems);
    if (loss != null) _checkLossNeeds(layers, loss, problems);
  }
  if (layersOk && batchesOk) {
    _checkExamples(layers, loss, batches, problems);
  }

  if (problems.isNotEmpty || loss == null || reduction == null || optimizer == null || n_steps == null) {
    throw CaseError(problems);
  }
  return Case(layers, loss, reduction, optimizer, n_steps, batches);
}

/// Rules 1 (rows), 2 (biases) and 3 (softmax only at the output).
void _checkLayerShapes(List<Layer> layers, List<String> problems) {
  final nLayers = layers.length;
  for (var layerIndex = 0; layerIndex < nLayers; layerIndex++) {
    final layer = layers[layerIndex];
    final path = 'layers[$layerIndex]';
    final int nInputs;
    final String why;
    if (layerIndex == 0) {
      nInputs = layer.w[0].length;
      why = 'the length of the first row';
    } else {
      nInputs = layers[layerIndex - 1].w.length;
      why = 'the $nInputs neurons of layers[${layerIndex - 1}]';
    }
    for (var j = 0; j < layer.w.length; j++) {
      if (layer.w[j].length != nInputs) {
        problems.add('at $path.w[$j]: expected $nInputs weights ($why), got ${layer.w[j].length}');
      }
    }
    if (layer.b.length != layer.w.length) {
      problems.add('at $path.b: expected ${layer.w.length} biases (one per row of w), got ${layer.b.length}');
    }
    if (layer.activation == 'softmax' && layerIndex != nLayers - 1) {
      problems.add('at $path.activation: softmax is allowed only on the output layer');
    }
  }
}

/// Rules 4 and 5: binary cross-entropy needs a sigmoid output, categorical
/// cross-entropy a softmax output.
void _checkLossNeeds(List<Layer> layers, String loss, List<String> problems) {
  final output = layers[layers.length - 1];
  final path = 'layers[${layers.length - 1}].activation';
  if (loss == 'binary_cross_entropy' && output.activation != 'sigmoid') {
    problems.add('at $path: binary_cross_entropy needs a sigmoid output layer, got ${output.activation}');
  }
  if (loss == 'categorical_cross_entropy' && output.activation != 'softmax') {
    problems.add('at $path: categorical_cross_entropy needs a softmax output layer, got ${output.activation}');
  }
}

/// Rules 6 (example sizes), 7 (binary targets in [0, 1]) and 8 (categorical
/// targets >= 0, summing in ascending j from 0.0 to within 1e-9 of 1).
void _checkExamples(List<Layer> layers, String? loss, List<List<Example>> batches, List<String> problems) {
  final nInputs = layers[0].w[0].length;
  final nOutputs = layers[layers.length - 1].w.length;
  for (var batchIndex = 0; batchIndex < batches.length; batchIndex++) {
    for (var exampleIndex = 0; exampleIndex < batches[batchIndex].length; exampleIndex++) {
      final example = batches[batchIndex][exampleIndex];
      final path = 'batches[$batchIndex][$exampleIndex]';
      if (example.x.length != nInputs) {
        problems.add("at $path.x: expected $nInputs inputs (the first layer's weight columns), got ${example.x.length}");
      }
      if (example.y.length != nOutputs) {
        problems.add("at $path.y: expected $nOutputs targets (the output layer's neurons), got ${example.y.length}");
      }
      if (loss == 'binary_cross_entropy') {
        for (var j = 0; j < example.y.length; j++) {
          if (!(example.y[j] >= 0.0 && example.y[j] <= 1.0)) {
            problems.add('at $path.y[$j]: binary_cross_entropy needs targets in [0, 1], got ${example.y[j]}');
          }
        }
      }
      if (loss == 'categorical_cross_entropy') {
        var total = 0.0;
        for (var j = 0; j < example.y.length; j++) {
          if (!(example.y[j] >= 0.0)) {
            problems.add('at $path.y[$j]: categorical_cross_entropy needs targets >= 0, got ${example.y[j]}');
          }
          total = total + example.y[j];
        }
        if (!((total - 1.0).abs() <= 1e-9)) {
          problems.add('at $path.y: categorical_cross_entropy needs targets that sum to 1, got $total');
        }
      }
    }
  }
}

/// Appends name unless the list already holds it.  _addOnce(['sse'], 'sse') leaves ['sse']
void _addOnce(List<String> features, String name) {
  if (!features.contains(name)) {
    features.add(name);
  }
}

/// The features a case needs (spec section 8.3), sorted.
/// caseFeatures(seed case) -> ['identity', 'multi_step', 'sse']
List<String> caseFeatures(Case trainingCase) {
  final features = <String>[];
  for (var layerIndex = 0; layerIndex < trainingCase.layers.length; layerIndex++) {
    _addOnce(features, trainingCase.layers[layerIndex].activation);
  }
  _addOnce(features, trainingCase.loss);
  for (var batchIndex = 0; batchIndex < trainingCase.batches.length; batchIndex++) {
    if (trainingCase.batches[batchIndex].length > 1) _addOnce(features, 'mini_batch');
  }
  if (trainingCase.reduction == 'sum') _addOnce(features, 'reduction_sum');
  if (trainingCase.n_steps > 1) _addOnce(features, 'multi_step');
  if (trainingCase.optimizer.momentum != 0.0) _addOnce(features, 'momentum');
  if (trainingCase.optimizer.weight_decay != 0.0) _addOnce(features, 'weight_decay');
  if (trainingCase.optimizer.algorithm != 'sgd') _addOnce(features, trainingCase.optimizer.algorithm);
  features.sort();
  return features;
}

/// A copy of a list of numbers (or null).  _copyVector([1.0, 2.0]) -> [1.0, 2.0]
List<double>? _copyVector(List<double>? vector) {
  if (vector == null) return null;
  final copy = <double>[];
  for (var j = 0; j < vector.length; j++) {
    copy.add(vector[j]);
  }
  return copy;
}

/// A copy of a matrix (or null), row by row.
List<List<double>>? _copyMatrix(List<List<double>>? matrix) {
  if (matrix == null) return null;
  final copy = <List<double>>[];
  for (var j = 0; j < matrix.length; j++) {
    copy.add(_copyVector(matrix[j])!);
  }
  return copy;
}

/// The trace as plain JSON data, keys in the canonical order of spec section 7.2
/// (a Dart map literal keeps its insertion order, and jsonEncode writes it so).
/// jsonEncode of the result is what the adapter sends. Non-finite numbers are
/// refused here with their path (spec section 3.6): jsonEncode would throw on
/// them too, but without saying where.
Map<String, Object?> traceToJson(Trace trace) {
  final steps = <Object?>[];
  for (var stepIndex = 0; stepIndex < trace.steps.length; stepIndex++) {
    final step = trace.steps[stepIndex];
    final examples = <Object?>[];
    for (var exampleIndex = 0; exampleIndex < step.examples.length; exampleIndex++) {
      final example = step.examples[exampleIndex];
      final layers = <Object?>[];
      for (var layerIndex = 0; layerIndex < example.layers.length; layerIndex++) {
        final record = example.layers[layerIndex];
        layers.add(<String, Object?>{
          'z': _copyVector(record.z),
          'a': _copyVector(record.a),
          'dL_da': _copyVector(record.dL_da), // null on a cross-entropy output
          'dL_dz': _copyVector(record.dL_dz),
          'dL_dw': _copyMatrix(record.dL_dw),
          'dL_db': _copyVector(record.dL_db),
          'dL_dx': _copyVector(record.dL_dx),
        });
      }
      examples.add(<String, Object?>{'loss': example.loss, 'layers': layers});
    }
    final layers = <Object?>[];
    for (var layerIndex = 0; layerIndex < step.layers.length; layerIndex++) {
      final update = step.layers[layerIndex];
      final entry = <String, Object?>{
        'dL_dw': _copyMatrix(update.dL_dw),
        'dL_db': _copyVector(update.dL_db),
        'momentum_buffer_w': _copyMatrix(update.momentum_buffer_w), // null when momentum is 0
        'momentum_buffer_b': _copyVector(update.momentum_buffer_b),
      };
      if (update.adam_step != null) {
        // Adam's state, only in Adam and AdamW traces (spec 1.1): an SGD trace stays as in 1.0
        entry['adam_step'] = update.adam_step;
        entry['adam_m_w'] = _copyMatrix(update.adam_m_w);
        entry['adam_m_b'] = _copyVector(update.adam_m_b);
        entry['adam_v_w'] = _copyMatrix(update.adam_v_w);
        entry['adam_v_b'] = _copyVector(update.adam_v_b);
      }
      entry['w'] = _copyMatrix(update.w);
      entry['b'] = _copyVector(update.b);
      layers.add(entry);
    }
    steps.add(<String, Object?>{'examples': examples, 'loss': step.loss, 'layers': layers});
  }
  final json = <String, Object?>{'steps': steps};
  checkFinite(json, 'trace');
  return json;
}

/// Throws on the first NaN or infinity inside a JSON value, naming its path.
/// checkFinite({'loss': double.nan}, 'trace') throws
/// "FormatException: at trace.loss: NaN is not a finite number"
void checkFinite(Object? value, String path) {
  if (value is double) {
    if (!value.isFinite) {
      throw FormatException('at $path: $value is not a finite number');
    }
  } else if (value is List) {
    for (var index = 0; index < value.length; index++) {
      checkFinite(value[index], '$path[$index]');
    }
  } else if (value is Map) {
    for (final key in value.keys) {
      checkFinite(value[key], '$path.$key');
    }
  }
}
