/// Neuron-level backpropagation, a port of backprop-spec's reference.
///
/// Import this one file: `import 'package:backprop_port/backprop_port.dart';`.
/// Each part lives in lib/src/ under the name of its twin in the reference
/// (records, activations, losses, network, optimizer, training, casefile).
library backprop_port;

export 'src/activations.dart';
export 'src/casefile.dart';
export 'src/losses.dart';
export 'src/network.dart';
export 'src/optimizer.dart';
export 'src/records.dart';
export 'src/training.dart';
