// The port behind conformance protocol v1 (spec/protocol.md): JSON Lines on
// standard input and output, one message per line; logs go to standard error.
//
//   backprop-spec validate --program "dart run bin/adapter.dart" --strict
//
// Results mode (spec/protocol.md section 8), for when the runner cannot start
// this program:
//
//   dart run bin/adapter.dart --write-results results.json [--vectors DIR]
//   backprop-spec validate --results results.json --strict
//
// Left out: everything numeric; this file only reads, dispatches and writes.

import 'dart:convert';
import 'dart:io';

import 'package:backprop_port/backprop_port.dart';

const Map<String, String> implementation = {'name': 'backprop-spec-dart', 'language': 'dart', 'version': '1.1.0'};

/// One message, one line, flushed before the next line is read.
///
/// stdout is an IOSink: writeln only queues the text, and the harness waits
/// for the whole line, so every answer is flushed at once. Awaiting the flush
/// also keeps the order: an IOSink refuses a write while a flush is pending.
Future<void> send(Map<String, Object?> message) async {
  await sendLine(jsonEncode(message)); // no indentation: one line, whatever the size
}

/// A line already encoded, written and flushed.
Future<void> sendLine(String line) async {
  stdout.writeln(line);
  await stdout.flush();
}

/// The text of an exception for an error message: a CaseError's problems with
/// their paths, a FormatException's message, or whatever else was thrown.
String describe(Object error) {
  if (error is FormatException) return error.message;
  return '$error';
}

/// Answers one run: a result with the trace, or an error naming the problem.
///
/// The answer is encoded here, inside the try: jsonEncode throws on NaN and
/// infinity (traceToJson already refuses them with their path), and such a
/// trace must become an error message, never a half-written line.
String answerRun(String id, Object? caseJson) {
  try {
    final trace = traceToJson(train(caseFromJson(caseJson)));
    return jsonEncode(<String, Object?>{'type': 'result', 'id': id, 'trace': trace});
  } catch (error, stackTrace) {
    // catch everything (a RangeError or a TypeError too): one bad case must not end the session
    stderr.writeln('run $id failed: $error\n$stackTrace'); // logs go to stderr, never stdout
    return jsonEncode(<String, Object?>{'type': 'error', 'id': id, 'message': describe(error)});
  }
}

/// Handles one line from the harness. Returns null to go on, or the exit
/// status when the program should stop.
Future<int?> handleLine(String line) async {
  if (line.trim().isEmpty) {
    return null;
  }
  Object? message;
  try {
    message = jsonDecode(line);
  } catch (error) {
    // a FormatException for bad JSON; a StackOverflowError for absurdly deep nesting
    await send({'type': 'error', 'message': 'cannot read this line as JSON: ${describe(error)}'});
    return 1;
  }
  if (message is! Map) {
    await send({'type': 'error', 'message': 'expected a JSON object'});
    return 1;
  }
  final type = message['type'];
  if (type == 'hello') {
    // jsonDecode gives the int 1 here; 1 == 1.0 is true in Dart as well
    if (message['protocol'] != 1) {
      await send({'type': 'error', 'message': 'this adapter speaks protocol 1, not ${message['protocol']}'});
      return 1;
    }
    await send({'type': 'hello', 'protocol': 1, 'implementation': implementation, 'features': FEATURES});
    return null;
  }
  if (type == 'run') {
    final id = message['id'];
    if (id is! String) {
      await send({'type': 'error', 'message': 'a run message needs a string id'});
      return 1;
    }
    // runs are independent: nothing carries over from one run to the next
    await sendLine(answerRun(id, message['case']));
    return null;
  }
  if (type == 'bye') {
    return 0;
  }
  // an unknown type: an error without id (spec/protocol.md section 4.6), then stop
  await send({'type': 'error', 'message': 'unknown message type ${jsonEncode(type)}'});
  return 1;
}

/// Program mode: one line at a time, each answer written out before the next line is read.
///
/// LineSplitter has no line-length limit (a run line may be far longer than
/// 64 KiB) and drops the \r of a \r\n; utf8.decoder joins characters split
/// across the chunks stdin delivers.
Future<void> serve() async {
  final lines = stdin.transform(utf8.decoder).transform(const LineSplitter());
  await for (final line in lines) {
    final exitStatus = await handleLine(line);
    if (exitStatus != null) {
      await stdout.flush();
      exit(exitStatus);
    }
  }
  // end of input means the same as bye
  await stdout.flush();
  exit(0);
}

/// Results mode: run every vector of the manifest and write one results file.
void writeResults(String resultsPath, String vectorsDirectory) {
  final manifest = jsonDecode(File('$vectorsDirectory/manifest.json').readAsStringSync()) as Map<String, dynamic>;
  final results = <String, Object?>{};
  for (final item in manifest['vectors'] as List) {
    final entry = item as Map<String, dynamic>;
    final id = entry['id'] as String;
    final vector = jsonDecode(File('$vectorsDirectory/${entry['file']}').readAsStringSync()) as Map<String, dynamic>;
    final answer = jsonDecode(answerRun(id, vector['case'])) as Map<String, dynamic>;
    if (answer['type'] == 'result') {
      results[id] = {'trace': answer['trace']};
    } else {
      results[id] = {'error': answer['message']};
    }
  }
  final document = {'protocol': 1, 'implementation': implementation, 'features': FEATURES, 'results': results};
  File(resultsPath).writeAsStringSync('${jsonEncode(document)}\n');
  stderr.writeln('wrote ${results.length} results to $resultsPath');
}

/// The command line: no arguments for program mode, --write-results FILE for results mode.
Future<void> main(List<String> arguments) async {
  if (arguments.isEmpty) {
    await serve();
    return;
  }
  String? resultsPath;
  var vectorsDirectory = 'vectors';
  for (var index = 0; index < arguments.length; index++) {
    if (arguments[index] == '--write-results' && index + 1 < arguments.length) {
      index = index + 1;
      resultsPath = arguments[index];
    } else if (arguments[index] == '--vectors' && index + 1 < arguments.length) {
      index = index + 1;
      vectorsDirectory = arguments[index];
    } else {
      stderr.writeln('usage: dart run bin/adapter.dart                        (protocol v1 on stdin/stdout)');
      stderr.writeln('       dart run bin/adapter.dart --write-results FILE [--vectors DIR]');
      exit(2);
    }
  }
  if (resultsPath == null) {
    stderr.writeln('--vectors needs --write-results FILE');
    exit(2);
  }
  writeResults(resultsPath, vectorsDirectory);
}
