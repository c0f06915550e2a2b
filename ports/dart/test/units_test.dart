// The one-line examples of every function's doc comment, and the seed
// article's neuron of spec Appendix A.1, number by number.
//
// Run with `dart test` from ports/dart (or from your own package).

// The spec's names (dL_dz, layer_dL_dw, ...) keep their underscores
// (spec Appendix C, "Names"); Dart's linter would ask for lowerCamelCase.
// ignore_for_file: non_constant_identifier_names

import 'dart:convert';

import 'package:backprop_port/backprop_port.dart';
import 'package:test/test.dart';

/// The seed article's neuron (spec Appendix A.1): x = 2, w = 1.5, b = 0.5, y = 4,
/// sse, lr = 0.1, two steps. Written as a user would, with integers where they
/// are whole: caseFromJson must read 2 as 2.0 (spec section 3.5).
const String seedCase = '{"layers": [{"activation": "identity", "w": [[1.5]], "b": [0.5]}], '
    '"loss": "sse", "optimizer": {"lr": 0.1}, "n_steps": 2, "batches": [[{"x": [2], "y": [4]}]]}';

void main() {
  group('activations (spec section 4)', () {
    test('identity', () {
      expect(identity(2.0), equals(2.0));
      expect(identityPrime(2.0), equals(1.0));
    });
    test('sigmoid, branch-stable, derivative at z', () {
      expect(sigmoid(0.0), equals(0.5));
      expect(sigmoidPrime(0.0), equals(0.25));
      expect(sigmoid(-1000.0), equals(0.0)); // exp(-1000) underflows to 0: no overflow, no NaN
      expect(sigmoid(1000.0), equals(1.0));
    });
    test('tanh of Appendix C', () {
      expect(tanh(0.0), equals(0.0));
      expect(tanhPrime(0.0), equals(1.0));
      expect(tanh(30.0), equals(1.0));
      expect(tanh(-30.0), equals(-1.0));
      expect(tanh(0.5), closeTo(0.46211715726000974, 1e-15));
      expect(tanh(0.001), closeTo(0.0009999996666668, 1e-18));
    });
    test('relu and leaky_relu at the kink', () {
      expect(relu(-2.0), equals(0.0));
      expect(reluPrime(0.0), equals(0.0)); // PyTorch's choice (spec eq. 4.8)
      expect(leakyRelu(-2.0, 0.01), equals(-0.02));
      expect(leakyReluPrime(0.0, 0.01), equals(0.01)); // the slope at the kink (eq. 4.10)
    });
    test('softmax and its Jacobian', () {
      expect(softmax([0.0, 0.0]), equals([0.5, 0.5]));
      expect(softmax([1000.0, 0.0])[0], equals(1.0)); // the largest z is subtracted first
      expect(softmax_dL_dz([0.5, 0.5], [1.0, 0.0]), equals([0.25, -0.25]));
    });
    test('activate and activatePrime by name', () {
      expect(activate('relu', -1.0, null), equals(0.0));
      expect(activatePrime('sigmoid', 0.0, null), equals(0.25));
      expect(activate('leaky_relu', -2.0, 0.5), equals(-1.0));
      expect(() => activate('softmax', 0.0, null), throwsArgumentError); // a layer-wide activation
      expect(() => activate('leaky_relu', 0.0, null), throwsArgumentError); // no slope
    });
  });

  group('losses (spec section 5)', () {
    test('squared losses and their dL_da', () {
      expect(isFused('sse'), isFalse);
      expect(isFused('binary_cross_entropy'), isTrue);
      expect(squaredErrorSum([3.5], [4.0]), equals(0.25));
      expect(lossValue('sse', [3.5], [3.5], [4.0]), equals(0.25));
      expect(lossValue('half_sse', [3.5], [3.5], [4.0]), equals(0.125));
      expect(lossValue('mse', [1.0, 3.0], [1.0, 3.0], [0.0, 0.0]), equals(5.0));
      expect(loss_dL_da('sse', [3.5], [4.0]), equals([-1.0]));
      expect(loss_dL_da('half_sse', [3.5], [4.0]), equals([-0.5]));
      expect(loss_dL_da('mse', [1.0, 3.0], [0.0, 0.0]), equals([1.0, 3.0]));
    });
    test('cross-entropies from the logits, fused dL_dz', () {
      expect(binaryCrossEntropy([0.0], [1.0]), closeTo(0.6931471805599453, 1e-15));
      expect(categoricalCrossEntropy([0.0, 0.0], [1.0, 0.0]), closeTo(0.6931471805599453, 1e-15));
      expect(binaryCrossEntropy([-800.0], [1.0]), equals(800.0)); // no overflow in exp
      expect(fused_dL_dz('categorical_cross_entropy', [0.5, 0.5], [1.0, 0.0]), equals([-0.5, 0.5]));
      expect(fused_dL_dz('binary_cross_entropy', [0.5, 0.5], [1.0, 0.0]), equals([-0.25, 0.25]));
      expect(log1p(0.0), equals(0.0));
      expect(log1p(1e-20), equals(1e-20)); // below half an ulp of 1
    });
  });

  group('one example (spec sections 6.1, 6.2)', () {
    const layer = Layer('identity', null, [
      [1.5],
    ], [0.5]);
    test('forward', () {
      expect(weightedSum(layer, [2.0], 0), equals(3.5));
      expect(forwardLayerZ(layer, [2.0]), equals([3.5]));
      const reluLayer = Layer('relu', null, [
        [1.0],
        [1.0],
      ], [0.0, 0.0]);
      expect(forwardLayerA(reluLayer, [-1.0, 2.0]), equals([0.0, 2.0]));
    });
    test('backward', () {
      expect(layer_dL_dz(layer, [3.5], [3.5], [-1.0]), equals([-1.0]));
      expect(layer_dL_dw([-1.0], [2.0]), equals([
        [-2.0],
      ]));
      expect(layer_dL_db([-1.0]), equals([-1.0]));
      expect(layer_dL_dx(layer, [-1.0]), equals([-1.5]));
    });
    test('every row of dL_dw is its own list', () {
      final dL_dw = layer_dL_dw([1.0, 2.0], [3.0]);
      dL_dw[0][0] = 99.0;
      expect(dL_dw[1][0], equals(6.0));
    });
  });

  group('the optimizer (spec section 6.4)', () {
    test('weight decay and the momentum buffer', () {
      expect(decayedGradient(-2.0, 1.5, 0.0), equals(-2.0));
      expect(decayedGradient(1.0, 2.0, 0.5), equals(2.0));
      expect(nextMomentumBuffer(null, 1.0, 0.9), equals(1.0)); // the first step: buffer = g
      expect(nextMomentumBuffer(2.0, 1.0, 0.5), equals(2.0));
    });
    test('one SGD step, new lists, the old ones unchanged', () {
      final w = [
        [1.5],
      ];
      final layer = Layer('identity', null, w, [0.5]);
      final update = updateLayer(layer, [
        [-2.0],
      ], [-1.0], null, const Optimizer(0.1, 0.0, 0.0));
      expect(update.w, equals([
        [1.7],
      ]));
      expect(update.b, equals([0.6]));
      expect(update.momentum_buffer_w, isNull);
      expect(update.momentum_buffer_b, isNull);
      expect(w[0][0], equals(1.5));
    });

    test("Adam's helpers: their doc comment examples (spec section 6.4.1)", () {
      expect(decoupledDecay(2.0, 0.1, 0.5), equals(1.9));
      expect(nextAdamM(1.0, 2.0, 0.5), equals(1.5));
      expect(nextAdamV(2.0, 2.0, 0.5), equals(3.0));
      expect(betaPower(0.5, 3), equals(0.125));
      expect(betaPower(0.9, 0), equals(1.0));
    });

    test('one Adam step of the seed neuron, by hand: w = 1.5999999995, b = 0.599999999', () {
      // g_w = -2, g_b = -1; m_hat = g and sqrt(v_hat) = |g| on the first step, so each
      // parameter moves by lr * |g| / (|g| + eps)
      final layer = Layer('identity', null, [
        [1.5],
      ], [0.5]);
      final update = adamUpdateLayer(layer, [
        [-2.0],
      ], [-1.0], null, const Optimizer(0.1, 0.0, 0.0, 'adam'));
      expect(update.adam_step, equals(1));
      expect(update.w[0][0], closeTo(1.5999999995, 1e-15));
      expect(update.b[0], closeTo(0.599999999, 1e-15));
      expect(update.momentum_buffer_w, isNull);
    });
  });

  group('training (spec sections 6.3, 6.5)', () {
    test('reduceLoss divides once by m', () {
      final examples = [const ExampleTrace(1.0, []), const ExampleTrace(2.0, [])];
      expect(reduceLoss(examples, 'mean'), equals(1.5));
      expect(reduceLoss(examples, 'sum'), equals(3.0));
    });

    test('the seed neuron of Appendix A.1, every number of both steps', () {
      final trace = train(caseFromJson(jsonDecode(seedCase)));
      expect(trace.steps.length, equals(2));
      final step0 = trace.steps[0];
      final record = step0.examples[0].layers[0];
      expect(record.z, equals([3.5])); // (0.0 + 1.5 * 2.0) + 0.5, eq. 6.1
      expect(record.a, equals([3.5])); // identity, eq. 4.1
      expect(step0.examples[0].loss, equals(0.25)); // (3.5 - 4.0)^2, eqs. 5.1, 5.2
      expect(record.dL_da, equals([-1.0])); // 2 * (3.5 - 4.0), eq. 5.7
      expect(record.dL_dz, equals([-1.0])); // eq. 6.4
      expect(record.dL_dw, equals([
        [-2.0],
      ])); // dL_dz * x, eq. 6.7
      expect(record.dL_db, equals([-1.0])); // eq. 6.8
      expect(record.dL_dx, equals([-1.5])); // w * dL_dz, eq. 6.9
      expect(step0.loss, equals(0.25)); // eq. 6.10
      expect(step0.layers[0].dL_dw, equals([
        [-2.0],
      ])); // eq. 6.11
      expect(step0.layers[0].w, equals([
        [1.7],
      ])); // 1.5 - 0.1 * (-2.0), eq. 6.15
      expect(step0.layers[0].b, equals([0.6])); // 0.5 - 0.1 * (-1.0)
      // step 1: z = 1.7 * 2.0 + 0.6 is exactly 4.0, the target
      final step1 = trace.steps[1];
      expect(step1.examples[0].layers[0].z, equals([4.0]));
      expect(step1.loss, equals(0.0));
      expect(step1.layers[0].w, equals([
        [1.7],
      ]));
      expect(step1.layers[0].b, equals([0.6]));
    });
  });

  group('reading a case, writing a trace (spec sections 3.5, 3.6, 7)', () {
    test('integers read as doubles, defaults filled in', () {
      final trainingCase = caseFromJson(jsonDecode(seedCase));
      expect(trainingCase.batches[0][0].x[0], isA<double>());
      expect(trainingCase.reduction, equals('mean'));
      expect(trainingCase.optimizer.momentum, equals(0.0));
      expect(caseFeatures(trainingCase), equals(['identity', 'multi_step', 'sse']));
    });
    test('-0.0 is read as negative zero', () {
      final json = jsonDecode(seedCase.replaceFirst('"b": [0.5]', '"b": [-0.0]'));
      expect(caseFromJson(json).layers[0].b[0].isNegative, isTrue);
    });
    test('a bad case names every problem with its path', () {
      final json = jsonDecode(seedCase.replaceFirst('"x": [2]', '"x": [2, 3]').replaceFirst('"lr": 0.1', '"lr": "fast"'));
      expect(
        () => caseFromJson(json),
        throwsA(isA<CaseError>()
            .having((error) => error.problems, 'problems', contains('at optimizer.lr: expected a number, got "fast"'))
            .having(
                (error) => error.problems,
                'problems',
                contains("at batches[0][0].x: expected 1 inputs (the first layer's weight columns), got 2"))),
      );
    });
    test('1e400 is refused, by jsonDecode or by caseFromJson', () {
      // the VM's jsonDecode reads it as infinity, which caseFromJson refuses with its path
      final text = seedCase.replaceFirst('"lr": 0.1', '"lr": 1e400');
      expect(() => caseFromJson(jsonDecode(text)), throwsA(anyOf(isA<CaseError>(), isA<FormatException>())));
    });
    test('the trace round-trips through jsonEncode, keys in the order of 7.2', () {
      final trace = traceToJson(train(caseFromJson(jsonDecode(seedCase))));
      final text = jsonEncode(trace);
      expect(text, startsWith('{"steps":[{"examples":[{"loss":0.25,"layers":[{"z":[3.5],"a":[3.5],"dL_da":[-1.0],'));
      expect(text, contains('"momentum_buffer_w":null'));
      expect(jsonDecode(text), equals(trace));
    });
    test('NaN in a trace is refused with its path', () {
      expect(
        () => checkFinite({'steps': [{'loss': double.nan}]}, 'trace'),
        throwsA(isA<FormatException>().having((error) => error.message, 'message', 'at trace.steps[0].loss: NaN is not a finite number')),
      );
    });
  });
}
