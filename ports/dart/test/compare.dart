// Comparing a computed trace with a vector's expected trace (spec section 9).
// Used by the tests; the conformance runner has its own comparison.
//
// Structure first (missing or extra keys, list lengths, null against a
// number), then every number in computation order (spec section 9.2), so the
// first mismatch reported is the first thing that went wrong.
// Left out: ulp distances and the bug diagnosis of the runner.

// e_step and g_step name the expected and the got side, as in the JavaScript port.
// ignore_for_file: non_constant_identifier_names

import 'dart:convert';


const List<String> _updateKeys = [
  'dL_dw',
  'dL_db',
  'momentum_buffer_w',
  'momentum_buffer_b',
  'adam_step',
  'adam_m_w',
  'adam_m_b',
  'adam_v_w',
  'adam_v_b',
  'w',
  'b',
];
/// Eq. 9.1: |got - expected| <= abs + rel * |expected|.
/// withinTolerance(1.0 + 1e-10, 1.0, abs 1e-12, rel 1e-9) -> true
bool withinTolerance(double got, double expected, double abs, double rel) {
  return (got - expected).abs() <= abs + rel * expected.abs();
}

/// A JSON number as a double: jsonDecode gives an int for `4` (spec section 3.5).
double asDouble(Object? value) => (value as num).toDouble();

/// Every structural difference between two JSON values, with its path.
void _compareStructure(Object? expected, Object? got, String path, List<String> mismatches) {
  if (expected == null) {
    if (got != null) mismatches.add('$path: expected null, got ${jsonEncode(got)}');
    return;
  }
  if (expected is num) {
    if (got is! num || !got.isFinite) {
      mismatches.add('$path: expected a number, got $got');
    }
    return;
  }
  if (expected is List) {
    if (got is! List) {
      mismatches.add('$path: expected a list, got ${jsonEncode(got)}');
      return;
    }
    if (got.length != expected.length) {
      mismatches.add('$path: expected ${expected.length} items, got ${got.length}');
      return;
    }
    for (var index = 0; index < expected.length; index++) {
      _compareStructure(expected[index], got[index], '$path[$index]', mismatches);
    }
    return;
  }
  final expectedMap = expected as Map;
  if (got is! Map) {
    mismatches.add('$path: expected an object, got ${jsonEncode(got)}');
    return;
  }
  final prefix = path == '' ? '' : '$path.';
  for (final key in expectedMap.keys) {
    if (!got.containsKey(key)) mismatches.add('$prefix$key: missing');
  }
  for (final key in got.keys) {
    if (!expectedMap.containsKey(key)) mismatches.add('$prefix$key: unexpected key');
  }
  for (final key in expectedMap.keys) {
    if (got.containsKey(key)) _compareStructure(expectedMap[key], got[key], '$prefix$key', mismatches);
  }
}

/// One number to compare: where it is, what the vector says, what the port gave.
class NumberPair {
  final String path;
  final double expected;
  final double got;

  const NumberPair(this.path, this.expected, this.got);
}

/// Appends a NumberPair for every number of a list or matrix, in index order.
void _collectNumbers(Object? expected, Object? got, String path, List<NumberPair> numbers) {
  if (expected == null) return;
  if (expected is num) {
    numbers.add(NumberPair(path, asDouble(expected), asDouble(got)));
    return;
  }
  final expectedList = expected as List;
  final gotList = got as List;
  for (var index = 0; index < expectedList.length; index++) {
    _collectNumbers(expectedList[index], gotList[index], '$path[$index]', numbers);
  }
}

/// Every number of two structurally equal traces, in the order of spec section 9.2.
List<NumberPair> _numbersInComputationOrder(Map expected, Map got) {
  final numbers = <NumberPair>[];
  final e_steps = expected['steps'] as List;
  final g_steps = got['steps'] as List;
  for (var stepIndex = 0; stepIndex < e_steps.length; stepIndex++) {
    final e_step = e_steps[stepIndex] as Map;
    final g_step = g_steps[stepIndex] as Map;
    final stepPath = 'steps[$stepIndex]';
    final e_examples = e_step['examples'] as List;
    final g_examples = g_step['examples'] as List;
    for (var exampleIndex = 0; exampleIndex < e_examples.length; exampleIndex++) {
      final e_example = e_examples[exampleIndex] as Map;
      final g_example = g_examples[exampleIndex] as Map;
      final examplePath = '$stepPath.examples[$exampleIndex]';
      final e_layers = e_example['layers'] as List;
      final g_layers = g_example['layers'] as List;
      final nLayers = e_layers.length;
      for (var layerIndex = 0; layerIndex < nLayers; layerIndex++) {
        for (final key in ['z', 'a']) {
          final path = '$examplePath.layers[$layerIndex].$key';
          _collectNumbers((e_layers[layerIndex] as Map)[key], (g_layers[layerIndex] as Map)[key], path, numbers);
        }
      }
      numbers.add(NumberPair('$examplePath.loss', asDouble(e_example['loss']), asDouble(g_example['loss'])));
      for (var layerIndex = nLayers - 1; layerIndex >= 0; layerIndex--) {
        for (final key in ['dL_da', 'dL_dz', 'dL_dw', 'dL_db', 'dL_dx']) {
          final path = '$examplePath.layers[$layerIndex].$key';
          _collectNumbers((e_layers[layerIndex] as Map)[key], (g_layers[layerIndex] as Map)[key], path, numbers);
        }
      }
    }
    numbers.add(NumberPair('$stepPath.loss', asDouble(e_step['loss']), asDouble(g_step['loss'])));
    final e_updates = e_step['layers'] as List;
    final g_updates = g_step['layers'] as List;
    for (var layerIndex = 0; layerIndex < e_updates.length; layerIndex++) {
      for (final key in _updateKeys) {
        if (!(e_updates[layerIndex] as Map).containsKey(key)) continue; // Adam's keys only in Adam traces
        final path = '$stepPath.layers[$layerIndex].$key';
        _collectNumbers((e_updates[layerIndex] as Map)[key], (g_updates[layerIndex] as Map)[key], path, numbers);
      }
    }
  }
  return numbers;
}

/// What compareTraces found: the mismatches, first one first, and how many numbers it compared.
class Comparison {
  final List<String> mismatches;
  final int numbersCompared;

  const Comparison(this.mismatches, this.numbersCompared);
}

/// Compares a computed trace with an expected one: structure, then every
/// number with the vector's tolerance, or with numeric equality when [exact]
/// (spec section 9.3: -0.0 == 0.0 is true in Dart too).
Comparison compareTraces(Map expected, Map got, Map tolerance, bool exact) {
  final mismatches = <String>[];
  _compareStructure(expected, got, '', mismatches);
  if (mismatches.isNotEmpty) {
    return Comparison(mismatches, 0);
  }
  final abs = asDouble(tolerance['abs']);
  final rel = asDouble(tolerance['rel']);
  final numbers = _numbersInComputationOrder(expected, got);
  for (var index = 0; index < numbers.length; index++) {
    final pair = numbers[index];
    final passes = exact ? pair.got == pair.expected : withinTolerance(pair.got, pair.expected, abs, rel);
    if (!passes) {
      final error = (pair.got - pair.expected).abs();
      final allowed = abs + rel * pair.expected.abs();
      final how = exact ? 'not bit for bit' : 'abs error $error > allowed $allowed';
      mismatches.add('${pair.path}: expected ${pair.expected}, got ${pair.got} ($how)');
    }
  }
  return Comparison(mismatches, numbers.length);
}
