// SGD with optional momentum and weight decay, PyTorch's form with dampening 0
// and no Nesterov (spec section 6.4); Adam and AdamW as torch.optim.Adam and
// torch.optim.AdamW with amsgrad off (spec section 6.4.1).
//
// The update returns new lists; the parameters passed in are never changed.
// Left out: dampening, Nesterov, amsgrad, every other adaptive method,
// learning-rate schedules.

// The spec's names (dL_dp, dL_dw, new_w, buffer_w, momentum_buffer_w) keep their
// underscores (spec Appendix C, "Names"); Dart's linter would ask for lowerCamelCase.
// ignore_for_file: non_constant_identifier_names

import 'dart:math' as math;

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

// --- Adam and AdamW (spec section 6.4.1)

/// AdamW's decay of the parameter itself: p * (1 - lr * weightDecay), or p
/// itself when weightDecay is 0  (spec eq. 6.16).
/// decoupledDecay(2.0, 0.1, 0.5) -> 1.9;  decoupledDecay(2.0, 0.1, 0.0) -> 2.0
double decoupledDecay(double p, double lr, double weightDecay) {
  if (weightDecay == 0.0) {
    return p;
  }
  return p * (1.0 - lr * weightDecay);
}

/// The first moment: beta1 * m + (1 - beta1) * g, with m = 0.0 before the first
/// step  (spec eq. 6.18).
/// nextAdamM(0.0, 2.0, 0.5) -> 1.0;  nextAdamM(1.0, 2.0, 0.5) -> 1.5
double nextAdamM(double m, double g, double beta1) {
  return beta1 * m + (1.0 - beta1) * g;
}

/// The second moment: beta2 * v + (1 - beta2) * g * g, the product left to
/// right, with v = 0.0 before the first step  (spec eq. 6.19).
/// nextAdamV(0.0, 2.0, 0.5) -> 2.0;  nextAdamV(2.0, 2.0, 0.5) -> 3.0
double nextAdamV(double v, double g, double beta2) {
  return beta2 * v + (1.0 - beta2) * g * g;
}

/// beta^t by t multiplications starting from 1.0, never math.pow, whose last
/// bit may differ between platforms  (spec eq. 6.20).
/// betaPower(0.5, 3) -> 0.125;  betaPower(0.9, 0) -> 1.0
double betaPower(double beta, int t) {
  var power = 1.0;
  for (var i = 0; i < t; i++) {
    power = power * beta;
  }
  return power;
}

/// p_start - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps),
/// eps outside the square root  (spec eqs. 6.20-6.21).
/// adamNewParameter(1.5, -0.2, 0.004, 1, adam lr 0.1) -> 1.5999999995
///
/// p_start is the parameter after AdamW's decay; t is the step count, 1 first.
double adamNewParameter(double p_start, double m, double v, int t, Optimizer optimizer) {
  final bias_correction1 = 1.0 - betaPower(optimizer.betas[0], t);
  final bias_correction2 = 1.0 - betaPower(optimizer.betas[1], t);
  final step_size = optimizer.lr / bias_correction1;
  final denominator = math.sqrt(v) / math.sqrt(bias_correction2) + optimizer.eps;
  return p_start - (step_size * m) / denominator;
}

/// One Adam or AdamW step for one layer, every weight and every bias with its
/// own m and v  (spec section 6.4.1).
/// adamUpdateLayer(layer w [[1.5]] b [0.5], [[-2.0]], [-1.0], null, adam lr 0.1) -> w [[1.5999999995]]
///
/// previous is this layer's update of the previous step (null on the first).
/// Returns the gradients as given, null momentum buffers, t, m, v and the new
/// parameters.
LayerUpdate adamUpdateLayer(
  Layer layer,
  List<List<double>> dL_dw, // batch gradient [n_neurons][n_inputs]
  List<double> dL_db, // batch gradient [n_neurons]
  LayerUpdate? previous,
  Optimizer optimizer,
) {
  final lr = optimizer.lr;
  final weight_decay = optimizer.weight_decay;
  final beta1 = optimizer.betas[0];
  final beta2 = optimizer.betas[1];
  final decoupled = optimizer.algorithm == 'adamw';
  final nNeurons = layer.w.length;
  final nInputs = layer.w[0].length;
  // an Adam step stored its count: ! cannot fail
  final t = previous == null ? 1 : previous.adam_step! + 1; // eq. 6.17

  final new_w = <List<double>>[]; // [n_neurons][n_inputs]
  final m_w = <List<double>>[]; // [n_neurons][n_inputs]
  final v_w = <List<double>>[]; // [n_neurons][n_inputs]
  final new_b = List<double>.filled(nNeurons, 0.0); // [n_neurons]
  final m_b = List<double>.filled(nNeurons, 0.0); // [n_neurons]
  final v_b = List<double>.filled(nNeurons, 0.0); // [n_neurons]

  for (var j = 0; j < nNeurons; j++) {
    final new_w_row = List<double>.filled(nInputs, 0.0); // [n_inputs]
    final m_w_row = List<double>.filled(nInputs, 0.0); // [n_inputs]
    final v_w_row = List<double>.filled(nInputs, 0.0); // [n_inputs]
    for (var k = 0; k < nInputs; k++) {
      final old_m = previous == null ? 0.0 : previous.adam_m_w![j][k];
      final old_v = previous == null ? 0.0 : previous.adam_v_w![j][k];
      var g = dL_dw[j][k];
      var p_start = layer.w[j][k];
      if (decoupled) {
        p_start = decoupledDecay(layer.w[j][k], lr, weight_decay); // eq. 6.16
      } else {
        g = decayedGradient(dL_dw[j][k], layer.w[j][k], weight_decay); // eq. 6.13
      }
      m_w_row[k] = nextAdamM(old_m, g, beta1); // eq. 6.18
      v_w_row[k] = nextAdamV(old_v, g, beta2); // eq. 6.19
      new_w_row[k] = adamNewParameter(p_start, m_w_row[k], v_w_row[k], t, optimizer); // eqs. 6.20-6.21
    }
    new_w.add(new_w_row);
    m_w.add(m_w_row);
    v_w.add(v_w_row);

    // the biases too, each with its own m and v
    final old_m = previous == null ? 0.0 : previous.adam_m_b![j];
    final old_v = previous == null ? 0.0 : previous.adam_v_b![j];
    var g = dL_db[j];
    var p_start = layer.b[j];
    if (decoupled) {
      p_start = decoupledDecay(layer.b[j], lr, weight_decay);
    } else {
      g = decayedGradient(dL_db[j], layer.b[j], weight_decay);
    }
    m_b[j] = nextAdamM(old_m, g, beta1);
    v_b[j] = nextAdamV(old_v, g, beta2);
    new_b[j] = adamNewParameter(p_start, m_b[j], v_b[j], t, optimizer);
  }
  return LayerUpdate(dL_dw, dL_db, null, null, new_w, new_b, t, m_w, m_b, v_w, v_b);
}
