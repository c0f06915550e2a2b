// Runs every vector of the suite through the port, the way any port would:
// read vectors/manifest.json, then each listed file, with nothing but jsonDecode.
//
// Each vector is one test: its case is read, trained, written as JSON and read
// back (so the JSON writing is tested too), then compared with the vector's
// tolerance (spec eq. 9.1). Vectors flagged EXACT must also match bit for bit
// (spec section 9.3; -0.0 equals 0.0).
//
// The vectors are read from ../../vectors (this repository's layout), or from
// the directory in the environment variable BACKPROP_SPEC_VECTORS:
//   BACKPROP_SPEC_VECTORS=path/to/backprop-spec/vectors dart test

import 'dart:convert';
import 'dart:io';

import 'package:backprop_port/backprop_port.dart';
import 'package:test/test.dart';

import 'compare.dart';

void main() {
  final directory = Platform.environment['BACKPROP_SPEC_VECTORS'] ?? '../../vectors';
  final manifest = jsonDecode(File('$directory/manifest.json').readAsStringSync()) as Map<String, dynamic>;
  final entries = manifest['vectors'] as List;

  test('the manifest lists vector_count vectors', () {
    expect(entries.length, equals(manifest['vector_count']));
    expect(entries, isNotEmpty);
  });

  test('the port knows every feature the manifest names', () {
    final named = (manifest['features'] as Map<String, dynamic>).keys.toList()..sort();
    final known = List<String>.of(FEATURES)..sort();
    expect(known, equals(named));
  });

  for (final item in entries) {
    final entry = item as Map<String, dynamic>;
    test('vector ${entry['id']}', () {
      final vector = jsonDecode(File('$directory/${entry['file']}').readAsStringSync()) as Map<String, dynamic>;
      expect(vector['id'], equals(entry['id']));

      // this port claims every feature, so no vector may be skipped (spec section 1.3)
      final features = List<String>.from(vector['features'] as List);
      for (final feature in features) {
        expect(FEATURES, contains(feature), reason: 'unsupported feature $feature');
      }
      final trainingCase = caseFromJson(vector['case']);
      expect(caseFeatures(trainingCase), equals(features), reason: 'features derived as in spec section 8.3');

      // through the text and back, as the adapter sends it
      final got = jsonDecode(jsonEncode(traceToJson(train(trainingCase)))) as Map<String, dynamic>;
      final expected = vector['expected'] as Map<String, dynamic>;
      final tolerance = vector['tolerance'] as Map<String, dynamic>;

      final tolerant = compareTraces(expected, got, tolerance, false);
      expect(tolerant.mismatches.take(5).toList(), isEmpty, reason: '${tolerant.mismatches.length} mismatches');
      expect(tolerant.numbersCompared, greaterThan(0));

      if ((vector['flags'] as List).contains('EXACT')) {
        final exact = compareTraces(expected, got, tolerance, true);
        expect(exact.mismatches.take(5).toList(), isEmpty, reason: '${exact.mismatches.length} numbers not bit for bit');
      }
    });
  }
}
