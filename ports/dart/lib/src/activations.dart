// Activations a = f(z) and their derivatives f'(z) = da/dz (spec section 4).
//
// Each function sits right above its derivative. Every derivative is evaluated
// at z, never at a. softmax works on a whole layer; the others on one neuron.
// Left out: any activation outside spec section 4 (gelu, elu, softplus, ...).

// softmax_dL_dz keeps the spec's symbol dL_dz inside its name (spec Appendix C,
// "Names"), which Dart's linter would ask to be lowerCamelCase.
// ignore_for_file: non_constant_identifier_names

import 'dart:math' as math;

/// identity: a = z  (spec eq. 4.1).  identity(2.0) -> 2.0
double identity(double z) {
  return z;
}

/// identity': 1  (spec eq. 4.2).  identityPrime(2.0) -> 1.0
double identityPrime(double z) {
  return 1.0;
}

/// Branch-stable sigmoid: 1 / (1 + exp(-z)) for z >= 0, exp(z) / (1 + exp(z))
/// otherwise, so exp never overflows  (spec eq. 4.3).  sigmoid(0.0) -> 0.5
double sigmoid(double z) {
  if (z >= 0.0) {
    return 1.0 / (1.0 + math.exp(-z));
  }
  final e_to_z = math.exp(z); // z < 0: e^z < 1 cannot overflow
  return e_to_z / (1.0 + e_to_z);
}

/// sigmoid': s * (1 - s) with s = sigmoid(z)  (spec eq. 4.4).  sigmoidPrime(0.0) -> 0.25
double sigmoidPrime(double z) {
  final s = sigmoid(z); // evaluated at z, never at a
  return s * (1.0 - s);
}

/// tanh: a = tanh(z)  (spec eq. 4.5).  tanh(0.0) -> 0.0
///
/// dart:math has no tanh; this is the version of spec Appendix C, within a few
/// ulps of a good libm, far inside the tolerance of the tanh vectors.
double tanh(double z) {
  if (z > 22.0) return 1.0; // tanh(22) rounds to 1.0 in binary64
  if (z < -22.0) return -1.0;
  if (z.abs() < 0.01) {
    // Taylor series: no cancellation near 0
    final z2 = z * z;
    return z * (1.0 - z2 * (1.0 / 3.0 - z2 * (2.0 / 15.0 - z2 * (17.0 / 315.0))));
  }
  final e = math.exp(2.0 * z);
  return (e - 1.0) / (e + 1.0);
}

/// tanh': 1 - t * t with t = tanh(z)  (spec eq. 4.6).  tanhPrime(0.0) -> 1.0
double tanhPrime(double z) {
  final t = tanh(z);
  return 1.0 - t * t;
}

/// relu: z if z > 0 else 0  (spec eq. 4.7).  relu(-2.0) -> 0.0
double relu(double z) {
  if (z > 0.0) {
    return z;
  }
  return 0.0;
}

/// relu': 1 if z > 0 else 0; at the kink z = 0 it is 0  (spec eq. 4.8).  reluPrime(0.0) -> 0.0
double reluPrime(double z) {
  if (z > 0.0) {
    return 1.0;
  }
  return 0.0;
}

/// leaky_relu: z if z > 0 else slope * z  (spec eq. 4.9).  leakyRelu(-2.0, 0.01) -> -0.02
double leakyRelu(double z, double slope) {
  if (z > 0.0) {
    return z;
  }
  return slope * z;
}

/// leaky_relu': 1 if z > 0 else slope; at the kink z = 0 it is slope  (spec eq. 4.10).
/// leakyReluPrime(0.0, 0.01) -> 0.01
double leakyReluPrime(double z, double slope) {
  if (z > 0.0) {
    return 1.0;
  }
  return slope;
}

/// Softmax of a whole layer, the largest z subtracted first:
/// a[j] = exp(z[j] - largest) / sum_k exp(z[k] - largest)  (spec eq. 4.11).
/// softmax([0.0, 0.0]) -> [0.5, 0.5]
List<double> softmax(List<double> z) {
  final n = z.length;
  var largest = z[0];
  for (var k = 1; k < n; k++) {
    if (z[k] > largest) {
      largest = z[k];
    }
  }
  final exps = List<double>.filled(n, 0.0); // [n_neurons]
  var total = 0.0;
  for (var k = 0; k < n; k++) {
    exps[k] = math.exp(z[k] - largest);
    total = total + exps[k];
  }
  final a = List<double>.filled(n, 0.0); // [n_neurons]
  for (var j = 0; j < n; j++) {
    a[j] = exps[j] / total;
  }
  return a;
}

/// General softmax Jacobian applied to dL_da:
/// dL_dz[j] = sum_k (dL_da[k] * a[k]) * (delta_jk - a[j])  (spec eq. 4.12).
/// softmax_dL_dz([0.5, 0.5], [1.0, 0.0]) -> [0.25, -0.25]
List<double> softmax_dL_dz(List<double> a, List<double> dL_da) {
  final n = a.length;
  final dL_dz = List<double>.filled(n, 0.0); // [n_neurons]
  for (var j = 0; j < n; j++) {
    var total = 0.0;
    for (var k = 0; k < n; k++) {
      // delta_jk is only "1 when j equals k", not an error term
      final delta_jk = j == k ? 1.0 : 0.0;
      total = total + dL_da[k] * a[k] * (delta_jk - a[j]);
    }
    dL_dz[j] = total;
  }
  return dL_dz;
}

/// f(z) of one neuron for a per-neuron activation named in the case (spec eq. 6.2).
/// activate('relu', -1.0, null) -> 0.0
double activate(String name, double z, double? slope) {
  if (name == 'identity') return identity(z);
  if (name == 'sigmoid') return sigmoid(z);
  if (name == 'tanh') return tanh(z);
  if (name == 'relu') return relu(z);
  if (name == 'leaky_relu') {
    if (slope == null) {
      throw ArgumentError('activate: leaky_relu needs a slope');
    }
    return leakyRelu(z, slope); // slope is a double here: the null check promoted it
  }
  throw ArgumentError('activate: $name is not a per-neuron activation');
}

/// f'(z) of one neuron for a per-neuron activation (spec eqs. 4.2-4.10, used by eq. 6.5).
/// activatePrime('sigmoid', 0.0, null) -> 0.25
double activatePrime(String name, double z, double? slope) {
  if (name == 'identity') return identityPrime(z);
  if (name == 'sigmoid') return sigmoidPrime(z);
  if (name == 'tanh') return tanhPrime(z);
  if (name == 'relu') return reluPrime(z);
  if (name == 'leaky_relu') {
    if (slope == null) {
      throw ArgumentError('activatePrime: leaky_relu needs a slope');
    }
    return leakyReluPrime(z, slope);
  }
  throw ArgumentError('activatePrime: $name is not a per-neuron activation');
}
