// Losses of ONE example and their derivatives (spec section 5).
//
// The squared losses give the output layer's dL_da; the cross-entropies give
// its dL_dz directly (the fused forms, spec section 5.3) and have no dL_da.
// Left out: combining several examples (that is the batch reduction,
// training.dart), class-index targets, label smoothing, class weights.

// loss_dL_da and fused_dL_dz keep the spec's symbols inside their names
// (spec Appendix C, "Names"), which Dart's linter would ask to be lowerCamelCase.
// ignore_for_file: non_constant_identifier_names

import 'dart:math' as math;

/// True for the two cross-entropies (spec section 5.3).  isFused('sse') -> false
bool isFused(String loss) {
  return loss == 'binary_cross_entropy' || loss == 'categorical_cross_entropy';
}

/// Sum of squared errors S = sum_j (a[j] - y[j])^2, j ascending from 0.0  (spec eq. 5.1).
/// squaredErrorSum([3.5], [4.0]) -> 0.25
double squaredErrorSum(List<double> a, List<double> y) {
  var total = 0.0;
  for (var j = 0; j < a.length; j++) {
    final difference = a[j] - y[j];
    total = total + difference * difference;
  }
  return total;
}

/// log(1 + u) for u > -1, accurate for small u.  log1p(0.0) -> 0.0
///
/// dart:math has no log1p; this is the version of spec Appendix C, used here
/// with u = exp(-|z|) in (0, 1].
double log1p(double u) {
  final v = 1.0 + u;
  if (v == 1.0) return u; // u is below half an ulp of 1
  return math.log(v) * u / (v - 1.0); // corrects the rounding of 1 + u
}

/// Binary cross-entropy from the logits, mean over the outputs:
/// L = (sum_j ((max(z,0) - z*y) + log1p(exp(-|z|)))) / n  (spec eq. 5.5).
/// binaryCrossEntropy([0.0], [1.0]) -> 0.6931471805599453
double binaryCrossEntropy(List<double> z, List<double> y) {
  final n = z.length;
  var total = 0.0;
  for (var j = 0; j < n; j++) {
    var positive_part = 0.0;
    if (z[j] > 0.0) {
      positive_part = z[j];
    }
    total = total + (positive_part - z[j] * y[j] + log1p(math.exp(-(z[j].abs()))));
  }
  return total / n; // double / int: n is converted to binary64 first, exactly
}

/// Categorical cross-entropy from the logits with the log-softmax, sum over classes:
/// L = -sum_j y[j] * ((z[j] - largest) - log(sum_k exp(z[k] - largest)))  (spec eq. 5.6).
/// categoricalCrossEntropy([0.0, 0.0], [1.0, 0.0]) -> 0.6931471805599453
double categoricalCrossEntropy(List<double> z, List<double> y) {
  final n = z.length;
  var largest = z[0];
  for (var k = 1; k < n; k++) {
    if (z[k] > largest) {
      largest = z[k];
    }
  }
  var sum_of_exps = 0.0;
  for (var k = 0; k < n; k++) {
    sum_of_exps = sum_of_exps + math.exp(z[k] - largest);
  }
  final log_of_sum = math.log(sum_of_exps);
  var total = 0.0;
  for (var j = 0; j < n; j++) {
    final log_softmax = (z[j] - largest) - log_of_sum;
    total = total - y[j] * log_softmax;
  }
  return total;
}

/// The loss of one example (spec eqs. 5.2-5.6, eq. 6.3). Squared losses read a,
/// the cross-entropies read the logits z.
/// lossValue('sse', [3.5], [3.5], [4.0]) -> 0.25
double lossValue(String loss, List<double> z, List<double> a, List<double> y) {
  if (loss == 'sse') {
    return squaredErrorSum(a, y); // eq. 5.2
  }
  if (loss == 'half_sse') {
    return 0.5 * squaredErrorSum(a, y); // eq. 5.3
  }
  if (loss == 'mse') {
    return squaredErrorSum(a, y) / a.length; // eq. 5.4
  }
  if (loss == 'binary_cross_entropy') {
    return binaryCrossEntropy(z, y); // eq. 5.5
  }
  if (loss == 'categorical_cross_entropy') {
    return categoricalCrossEntropy(z, y); // eq. 5.6
  }
  throw ArgumentError('lossValue: unknown loss $loss');
}

/// dL_da of the output layer for a squared loss, difference = a - y
/// (spec eqs. 5.7-5.9): sse 2*d, half_sse d, mse (2*d)/n.
/// loss_dL_da('sse', [3.5], [4.0]) -> [-1.0]
List<double> loss_dL_da(String loss, List<double> a, List<double> y) {
  final n = a.length;
  final dL_da = List<double>.filled(n, 0.0); // [n]
  for (var j = 0; j < n; j++) {
    // prediction minus target, never y - a
    final difference = a[j] - y[j];
    if (loss == 'sse') {
      dL_da[j] = 2.0 * difference; // eq. 5.7
    } else if (loss == 'half_sse') {
      dL_da[j] = difference; // eq. 5.8
    } else if (loss == 'mse') {
      dL_da[j] = (2.0 * difference) / n; // eq. 5.9
    } else {
      throw ArgumentError('loss_dL_da: $loss has no dL_da (it is fused or unknown)');
    }
  }
  return dL_da;
}

/// Fused dL_dz of a cross-entropy output layer (spec eqs. 5.10, 5.11):
/// binary_cross_entropy (a - y) / n, categorical_cross_entropy a - y.
/// fused_dL_dz('categorical_cross_entropy', [0.5, 0.5], [1.0, 0.0]) -> [-0.5, 0.5]
List<double> fused_dL_dz(String loss, List<double> a, List<double> y) {
  final n = a.length;
  final dL_dz = List<double>.filled(n, 0.0); // [n]
  for (var j = 0; j < n; j++) {
    if (loss == 'binary_cross_entropy') {
      dL_dz[j] = (a[j] - y[j]) / n; // eq. 5.10
    } else if (loss == 'categorical_cross_entropy') {
      dL_dz[j] = a[j] - y[j]; // eq. 5.11
    } else {
      throw ArgumentError('fused_dL_dz: $loss is not a cross-entropy');
    }
  }
  return dL_dz;
}
