// Plain records for a case and its trace, one field per JSON key (spec sections 7.1, 7.2).
//
// A record only holds numbers; nothing here computes. The field names are the
// JSON keys, so a record maps one-to-one to its JSON object. Left out: reading
// and checking a case and writing a trace (casefile.dart), and computing a trace
// (network.dart, optimizer.dart, training.dart).

// The field names are the spec's and the JSON's (n_steps, weight_decay, dL_dz,
// momentum_buffer_w), so that searching for one finds it in every language;
// Dart's linter would ask for lowerCamelCase.
// ignore_for_file: non_constant_identifier_names

/// One dense layer of a case: its activation and its (initial) parameters.
class Layer {
  final String activation; // identity, sigmoid, tanh, relu, leaky_relu or softmax
  final double? slope; // leaky_relu's slope; null for every other activation
  final List<List<double>> w; // [n_neurons][n_inputs]: w[j][k] to neuron j from input k
  final List<double> b; // [n_neurons]

  const Layer(this.activation, this.slope, this.w, this.b);
}

/// SGD settings (spec section 6.4).
class Optimizer {
  final double lr;
  final double momentum; // 0.0 turns momentum off; always 0.0 for adam and adamw
  final double weight_decay; // 0.0 turns weight decay off
  final String algorithm; // 'sgd', 'adam' or 'adamw' (spec section 6.4.1)
  final List<double> betas; // Adam's [beta1, beta2]
  final double eps; // Adam's eps, added outside the square root

  const Optimizer(this.lr, this.momentum, this.weight_decay,
      [this.algorithm = 'sgd', this.betas = const [0.9, 0.999], this.eps = 1e-8]);
}

/// One training example.
class Example {
  final List<double> x; // [n_inputs of the first layer]
  final List<double> y; // [n_neurons of the output layer]

  const Example(this.x, this.y);
}

/// One training job (spec section 7.1), every default filled in.
///
/// `case` is a keyword in Dart: a variable holding a Case is called trainingCase.
class Case {
  final List<Layer> layers; // layers[0] is the first layer
  final String loss; // sse, half_sse, mse, binary_cross_entropy or categorical_cross_entropy
  final String reduction; // mean or sum
  final Optimizer optimizer;
  final int n_steps; // an int, never a double: it counts steps
  final List<List<Example>> batches; // [n_batches][m]

  const Case(this.layers, this.loss, this.reduction, this.optimizer, this.n_steps, this.batches);
}

/// Forward and backward numbers of one layer for one example (spec section 7.2).
class LayerTrace {
  final List<double> z; // [n_neurons]
  final List<double> a; // [n_neurons]
  final List<double>? dL_da; // [n_neurons]; null on a cross-entropy output layer
  final List<double> dL_dz; // [n_neurons]
  final List<List<double>> dL_dw; // [n_neurons][n_inputs]
  final List<double> dL_db; // [n_neurons]
  final List<double> dL_dx; // [n_inputs]

  const LayerTrace(this.z, this.a, this.dL_da, this.dL_dz, this.dL_dw, this.dL_db, this.dL_dx);
}

/// The trace of one example: its loss and one LayerTrace per layer, layers[0] first.
class ExampleTrace {
  final double loss;
  final List<LayerTrace> layers;

  const ExampleTrace(this.loss, this.layers);
}

/// One layer's batch gradients, momentum buffers and new parameters after a step.
class LayerUpdate {
  final List<List<double>> dL_dw; // batch gradient [n_neurons][n_inputs], before weight decay
  final List<double> dL_db; // batch gradient [n_neurons], before weight decay
  final List<List<double>>? momentum_buffer_w; // null when momentum is 0
  final List<double>? momentum_buffer_b; // null when momentum is 0
  final List<List<double>> w; // weights after the step
  final List<double> b; // biases after the step
  final int? adam_step; // Adam's step count t (1 first); null for SGD
  final List<List<double>>? adam_m_w; // Adam's first moment of every weight; null for SGD
  final List<double>? adam_m_b; // of every bias
  final List<List<double>>? adam_v_w; // Adam's second moment of every weight; null for SGD
  final List<double>? adam_v_b; // of every bias

  const LayerUpdate(this.dL_dw, this.dL_db, this.momentum_buffer_w, this.momentum_buffer_b, this.w, this.b,
      [this.adam_step, this.adam_m_w, this.adam_m_b, this.adam_v_w, this.adam_v_b]);
}

/// One training step: every example, the batch loss, every layer's update.
class StepTrace {
  final List<ExampleTrace> examples; // in batch order
  final double loss; // the batch loss (eq. 6.10)
  final List<LayerUpdate> layers; // layers[0] first

  const StepTrace(this.examples, this.loss, this.layers);
}

/// The whole run: one StepTrace per step.
class Trace {
  final List<StepTrace> steps;

  const Trace(this.steps);
}
