// Plain records for a case and its trace, one field per JSON key (spec sections 7.1, 7.2).
//
// A record only holds numbers; nothing here computes. The field names are the
// JSON keys, so a record maps one-to-one to its JSON object. Left out: reading
// and checking a case and writing a trace (casefile.mjs), and computing a trace
// (network.mjs, optimizer.mjs, training.mjs).

/** One dense layer of a case: its activation and its (initial) parameters. */
export class Layer {
  /**
   * @param {string} activation     identity, sigmoid, tanh, relu, leaky_relu or softmax
   * @param {number|null} slope     leaky_relu's slope; null for every other activation
   * @param {number[][]} w          [n_neurons][n_inputs]: w[j][k] to neuron j from input k
   * @param {number[]} b            [n_neurons]
   */
  constructor(activation, slope, w, b) {
    this.activation = activation;
    this.slope = slope;
    this.w = w;
    this.b = b;
  }
}

/** SGD, Adam or AdamW settings (spec sections 6.4 and 6.4.1). */
export class Optimizer {
  /**
   * @param {number} lr
   * @param {number} momentum      0.0 turns momentum off; always 0.0 for adam and adamw
   * @param {number} weight_decay  0.0 turns weight decay off
   * @param {string} algorithm     "sgd", "adam" or "adamw"
   * @param {number[]} betas       Adam's [beta1, beta2]
   * @param {number} eps           Adam's eps, added outside the square root
   */
  constructor(lr, momentum, weight_decay, algorithm = "sgd", betas = [0.9, 0.999], eps = 1e-8) {
    this.lr = lr;
    this.momentum = momentum;
    this.weight_decay = weight_decay;
    this.algorithm = algorithm;
    this.betas = betas;
    this.eps = eps;
  }
}

/** One training example. */
export class Example {
  /**
   * @param {number[]} x  [n_inputs of the first layer]
   * @param {number[]} y  [n_neurons of the output layer]
   */
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
}

/** One training job (spec section 7.1), every default filled in. */
export class Case {
  /**
   * @param {Layer[]} layers          layers[0] is the first layer
   * @param {string} loss
   * @param {string} reduction        "mean" or "sum"
   * @param {Optimizer} optimizer
   * @param {number} n_steps          an integer
   * @param {Example[][]} batches     [n_batches][m]
   */
  constructor(layers, loss, reduction, optimizer, n_steps, batches) {
    this.layers = layers;
    this.loss = loss;
    this.reduction = reduction;
    this.optimizer = optimizer;
    this.n_steps = n_steps;
    this.batches = batches;
  }
}

/** Forward and backward numbers of one layer for one example (spec section 7.2). */
export class LayerTrace {
  /**
   * @param {number[]} z            [n_neurons]
   * @param {number[]} a            [n_neurons]
   * @param {number[]|null} dL_da   [n_neurons]; null on a cross-entropy output layer
   * @param {number[]} dL_dz        [n_neurons]
   * @param {number[][]} dL_dw      [n_neurons][n_inputs]
   * @param {number[]} dL_db        [n_neurons]
   * @param {number[]} dL_dx        [n_inputs]
   */
  constructor(z, a, dL_da, dL_dz, dL_dw, dL_db, dL_dx) {
    this.z = z;
    this.a = a;
    this.dL_da = dL_da;
    this.dL_dz = dL_dz;
    this.dL_dw = dL_dw;
    this.dL_db = dL_db;
    this.dL_dx = dL_dx;
  }
}

/** The trace of one example: its loss and one LayerTrace per layer, layers[0] first. */
export class ExampleTrace {
  /**
   * @param {number} loss
   * @param {LayerTrace[]} layers
   */
  constructor(loss, layers) {
    this.loss = loss;
    this.layers = layers;
  }
}

/** One layer's batch gradients, optimizer state and new parameters after a step. */
export class LayerUpdate {
  /**
   * @param {number[][]} dL_dw                    batch gradient, before weight decay
   * @param {number[]} dL_db                      batch gradient, before weight decay
   * @param {number[][]|null} momentum_buffer_w   null when momentum is 0
   * @param {number[]|null} momentum_buffer_b     null when momentum is 0
   * @param {number[][]} w                        weights after the step
   * @param {number[]} b                          biases after the step
   * @param {number|null} adam_step               Adam's step count t (1 first); null for SGD
   * @param {number[][]|null} adam_m_w            Adam's first moment of every weight; null for SGD
   * @param {number[]|null} adam_m_b              of every bias
   * @param {number[][]|null} adam_v_w            Adam's second moment of every weight; null for SGD
   * @param {number[]|null} adam_v_b              of every bias
   */
  constructor(
    dL_dw,
    dL_db,
    momentum_buffer_w,
    momentum_buffer_b,
    w,
    b,
    adam_step = null,
    adam_m_w = null,
    adam_m_b = null,
    adam_v_w = null,
    adam_v_b = null,
  ) {
    this.dL_dw = dL_dw;
    this.dL_db = dL_db;
    this.momentum_buffer_w = momentum_buffer_w;
    this.momentum_buffer_b = momentum_buffer_b;
    this.w = w;
    this.b = b;
    this.adam_step = adam_step;
    this.adam_m_w = adam_m_w;
    this.adam_m_b = adam_m_b;
    this.adam_v_w = adam_v_w;
    this.adam_v_b = adam_v_b;
  }
}

/** One training step: every example, the batch loss, every layer's update. */
export class StepTrace {
  /**
   * @param {ExampleTrace[]} examples  in batch order
   * @param {number} loss              the batch loss (eq. 6.10)
   * @param {LayerUpdate[]} layers     layers[0] first
   */
  constructor(examples, loss, layers) {
    this.examples = examples;
    this.loss = loss;
    this.layers = layers;
  }
}

/** The whole run: one StepTrace per step. */
export class Trace {
  /** @param {StepTrace[]} steps */
  constructor(steps) {
    this.steps = steps;
  }
}
