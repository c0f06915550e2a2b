// SGD with optional momentum and weight decay, PyTorch's form with dampening 0
// and no Nesterov (spec section 6.4).
//
// The update returns new lists; the parameters passed in are never changed.
// Left out: dampening, Nesterov, Adam and every adaptive method, learning-rate
// schedules.

// The spec's names (dL_dp, dL_dw, new_w, buffer_w, momentum_buffer_w) keep their
// underscores (spec Appendix C, "Names"); Dart's linter would ask for lowerCamelCase.
// ignore_for_file: non_constant_identifier_names

import 'records.dart';

/// Weight decay: g = dL_dp + weightDecay * p, or dL_dp itself when weightDecay
/// is 0  (spec eq. 6.13).
/// decayedGradient(-2.0, 1.5, 0.0) -> -2.0;  decayedGradient(1.0, 2.0, 0.5) -> 2.0
double decayedGradient(double dL_dp, double p, double weightDecay) {
  if (weightDecay == 0.0) {
    return dL_dp;
  }
  return dL_dp + weightDecay * p;
}

/// Momentum buffer: g on the first step (buffer is null), else
/// momentum * buffer + g  (spec eq. 6.14).
/// nextMomentumBuffer(null, 1.0, 0.9) -> 1.0;  nextMomentumBuffer(2.0, 1.0, 0.5) -> 2.0
///
/// buffer is this parameter's buffer after the previous step, or null.
double nextMomentumBuffer(double? buffer, double g, double momentum) {
  if (buffer == null) {
    return g;
  }
  return momentum * buffer + g;
}

/// One SGD step for one layer, every weight and every bias on its own
/// (spec eqs. 6.13-6.15): decay, then momentum, then p_new = p - lr * step_direction.
/// updateLayer(layer w [[1.5]] b [0.5], [[-2.0]], [-1.0], null, lr 0.1) -> w [[1.7]], b [0.6]
///
/// previous is this layer's update of the previous step (null on the first).
/// Returns the gradients as given (before weight decay), the buffers (null
/// when momentum is 0) and the new parameters.
LayerUpdate updateLayer(
  Layer layer,
  List<List<double>> dL_dw, // batch gradient [n_neurons][n_inputs]
  List<double> dL_db, // batch gradient [n_neurons]
  LayerUpdate? previous,
  Optimizer optimizer,
) {
  final lr = optimizer.lr;
  final momentum = optimizer.momentum;
  final weight_decay = optimizer.weight_decay;
  final nNeurons = layer.w.length;
  final nInputs = layer.w[0].length;
  final useMomentum = momentum != 0.0;

  final new_w = <List<double>>[]; // [n_neurons][n_inputs]
  final new_b = List<double>.filled(nNeurons, 0.0); // [n_neurons]
  final buffer_w = <List<double>>[]; // [n_neurons][n_inputs], written when momentum is on
  final buffer_b = List<double>.filled(nNeurons, 0.0); // [n_neurons], written when momentum is on

  for (var j = 0; j < nNeurons; j++) {
    final new_w_row = List<double>.filled(nInputs, 0.0); // [n_inputs]
    final buffer_w_row = List<double>.filled(nInputs, 0.0); // [n_inputs]
    for (var k = 0; k < nInputs; k++) {
      var g = decayedGradient(dL_dw[j][k], layer.w[j][k], weight_decay); // eq. 6.13
      if (useMomentum) {
        double? old;
        if (previous != null) {
          // momentum is on, so the previous step stored a buffer: ! cannot fail
          old = previous.momentum_buffer_w![j][k];
        }
        buffer_w_row[k] = nextMomentumBuffer(old, g, momentum); // eq. 6.14
        g = buffer_w_row[k];
      }
      // step against the gradient: p - lr * g, never p + lr * g
      new_w_row[k] = layer.w[j][k] - lr * g; // eq. 6.15
    }
    new_w.add(new_w_row);
    buffer_w.add(buffer_w_row);

    // the biases too, each with its own buffer entry
    var g = decayedGradient(dL_db[j], layer.b[j], weight_decay); // eq. 6.13
    if (useMomentum) {
      double? old;
      if (previous != null) {
        old = previous.momentum_buffer_b![j];
      }
      buffer_b[j] = nextMomentumBuffer(old, g, momentum); // eq. 6.14
      g = buffer_b[j];
    }
    new_b[j] = layer.b[j] - lr * g; // eq. 6.15
  }
  if (!useMomentum) {
    return LayerUpdate(dL_dw, dL_db, null, null, new_w, new_b); // no buffers (spec section 7.2)
  }
  return LayerUpdate(dL_dw, dL_db, buffer_w, buffer_b, new_w, new_b);
}
