"""Re-enact the JavaScript porting case study: inject typical porting mistakes
into a copy of ports/javascript/, run the real conformance runner on each copy,
and record what the runner said (docs/porting/case-study-javascript.md shows it).

The port's development history was not kept, so nothing here is remembered:
every mistake is a small textual patch (an exact old string, replaced by a new
string, in one file of the port), and every output is what
`backprop-spec validate --program "node TMP/adapter.mjs" --strict` prints for it
today. Each mistake is run twice: over the whole suite without the diagnosis
(which vectors catch it) and over a few chosen vectors with the diagnosis
(what the runner says about them).

    python scripts/js_case_study.py             # write docs/porting/case_study_javascript.json
    python scripts/js_case_study.py --check     # exit 1 if that file differs from a fresh run
    python scripts/js_case_study.py --mistake relu_prime_zero_is_one   # print one record

Needs node (20 or later) on PATH. Left out: timings and the program's standard
error (the runner shows it beside an error as it arrives), so that the file is
the same on every run and every machine.
"""

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reference_impl import canonical_json  # noqa: E402
from reference_impl.suite.vocabulary import BUGS  # noqa: E402

PORT = ROOT / "ports" / "javascript"
OUTPUT = ROOT / "docs" / "porting" / "case_study_javascript.json"
SHOWN_LIMIT = 8  # list the failing ids of the whole suite when there are at most this many


@dataclass(frozen=True)
class Patch:
    """Replace `old` by `new` in ports/javascript/`file`; `old` must occur exactly once."""

    file: str
    old: str
    new: str


@dataclass(frozen=True)
class Mistake:
    """One typical porting mistake, injected by its patches."""

    name: str
    title: str
    why: str  # why a porter makes it
    patches: tuple[Patch, ...]
    only: tuple[str, ...]  # the vectors of the diagnosis run (ids or globs)
    bug: str | None  # the catalogue bug (vocabulary.BUGS) it is an instance of, or None
    whole_suite: bool = True  # also run every vector (without the diagnosis) to count which vectors catch it


@dataclass(frozen=True)
class Stage:
    """One stage of the order of work: what is ported, and the mistakes made there."""

    name: str
    title: str
    files: tuple[str, ...]
    spec: str
    ported: str
    mistakes: tuple[Mistake, ...]


NAIVE_SIGMOID = Patch(
    "activations.mjs",
    "  if (z >= 0.0) {\n    return 1.0 / (1.0 + Math.exp(-z));\n  }\n  const e_to_z = Math.exp(z);\n  return e_to_z / (1.0 + e_to_z);\n",
    "  return 1.0 / (1.0 + Math.exp(-z));\n",
)
NAIVE_SIGMOID_PRIME = Patch(
    "activations.mjs",
    "  const s = sigmoid(z);\n  return s * (1.0 - s);\n",
    "  const e = Math.exp(-z);\n  return e / ((1.0 + e) * (1.0 + e));\n",
)


def _float32(file: str, old: str) -> Patch:
    """The list allocated in `old` becomes a Float32Array: new Array(n).fill(0.0) -> new Float32Array(n)."""
    return Patch(file, old, re.sub(r"new Array\((\w+(?:\.\w+)?)\)\.fill\(0\.0\)", r"new Float32Array(\1)", old))


FLOAT32_STORAGE = (
    _float32("network.mjs", "new Array(nNeurons).fill(0.0); // [n_neurons]\n  for (let j = 0; j < nNeurons; j++) {\n    z[j]"),
    _float32("network.mjs", "new Array(z.length).fill(0.0); // [n_neurons]\n  for (let j = 0; j < z.length; j++) {\n    a[j]"),
    _float32("network.mjs", "new Array(z.length).fill(0.0); // [n_neurons]\n  for (let j = 0; j < z.length; j++) {\n    // dL/dz"),
    _float32("network.mjs", "new Array(inputs.length).fill(0.0); // [n_inputs]"),
    _float32("network.mjs", "new Array(dL_dz.length).fill(0.0); // [n_neurons]"),
    _float32("network.mjs", "new Array(nInputs).fill(0.0); // [n_inputs]"),
    _float32("training.mjs", "new Array(nInputs).fill(0.0); // [n_inputs]\n    for (let k"),
    _float32("training.mjs", "new Array(nNeurons).fill(0.0); // [n_neurons]\n  for (let j"),
    _float32("optimizer.mjs", "new Array(nNeurons).fill(0.0); // [n_neurons]\n  const buffer_w"),
    _float32("optimizer.mjs", "new Array(nNeurons).fill(0.0) : null;"),
    _float32("optimizer.mjs", "new Array(nInputs).fill(0.0); // [n_inputs]\n    const buffer_w_row"),
    _float32("optimizer.mjs", "new Array(nInputs).fill(0.0) : null;"),
)


STAGES: list[Stage] = [
    Stage(
        "activations",
        "Activations and their derivatives",
        ("activations.mjs",),
        "section 4",
        "Each activation with its derivative right below it, the derivative taken at z; softmax and its Jacobian for a whole layer.",
        (
            Mistake(
                "relu_prime_zero_is_one",
                "relu'(0) = 1",
                "At the kink z = 0 the derivative is a convention; `z >= 0` looks as natural as `z > 0`, and most z are never exactly 0.",
                (
                    Patch(
                        "activations.mjs",
                        "  if (z > 0.0) {\n    return 1.0;\n  }\n  return 0.0;\n",
                        "  if (z >= 0.0) {\n    return 1.0;\n  }\n  return 0.0;\n",
                    ),
                ),
                ("edge/relu-kink-z-zero", "edge/relu-output-kink", "edge/leaky-relu-kink-z-zero"),
                "relu_prime_zero_is_one",
            ),
            Mistake(
                "naive_sigmoid",
                "sigmoid as 1 / (1 + exp(-z)) for every z",
                "The textbook formula, without the branch of eq. 4.3. In JavaScript exp(800) is Infinity and 1 / Infinity is 0, "
                "so nothing overflows into an exception.",
                (NAIVE_SIGMOID,),
                ("edge/sigmoid-saturation-40", "edge/sigmoid-saturation-800", "edge/sigmoid-saturation-800-hidden"),
                None,
            ),
            Mistake(
                "naive_sigmoid_overflow",
                "sigmoid and sigmoid' from exp(-z) for every z",
                "The same textbook formulas for the derivative too: sigmoid'(z) = exp(-z) / (1 + exp(-z))^2, which is Infinity / Infinity, NaN, for z = -800.",
                (NAIVE_SIGMOID, NAIVE_SIGMOID_PRIME),
                ("edge/sigmoid-saturation-40", "edge/sigmoid-saturation-800", "edge/sigmoid-saturation-800-hidden"),
                "naive_sigmoid_overflow",
            ),
        ),
    ),
    Stage(
        "losses",
        "Losses and the output layer's gradient",
        ("losses.mjs",),
        "section 5",
        "The squared losses with their dL_da, the two cross-entropies from the logits with their fused dL_dz.",
        (
            Mistake(
                "error_y_minus_a",
                "the error taken as y - a",
                "Many texts write the error as target minus output; the derivative of the loss needs output minus target.",
                (Patch("losses.mjs", "    const difference = a[j] - y[j];\n    if (loss", "    const difference = y[j] - a[j];\n    if (loss"),),
                ("seed/single-neuron", "mazur/2-2-2-single-step"),
                "error_y_minus_a",
            ),
            Mistake(
                "sse_gradient_without_the_2",
                "sse's dL_da without the factor 2",
                "Nielsen and Mazur use half the sum of squares, whose derivative is a - y; the seed article's sse needs 2(a - y).",
                (Patch("losses.mjs", "dL_da[j] = 2.0 * difference; // eq. 5.7", "dL_da[j] = difference; // eq. 5.7"),),
                ("seed/single-neuron", "bug/loss-factor-sse-three-outputs"),
                "loss_factor_mismatch",
            ),
            Mistake(
                "log_instead_of_log1p",
                "Math.log(1 + x) instead of Math.log1p(x) in binary cross-entropy",
                "The formula reads log(1 + exp(-|z|)); 1 + x rounds x away when it is below 1.1e-16.",
                (Patch("losses.mjs", "Math.log1p(Math.exp(-Math.abs(z[j])))", "Math.log(1.0 + Math.exp(-Math.abs(z[j])))"),),
                ("edge/bce-outputs-near-0-and-1", "edge/sigmoid-saturation-800-hidden"),
                None,
            ),
        ),
    ),
    Stage(
        "example",
        "One example, forward and backward",
        ("network.mjs",),
        "sections 6.1, 6.2",
        "z and a layer by layer, then dL_da, dL_dz, dL_dw, dL_db and dL_dx from the output layer down, with the parameters as given.",
        (
            Mistake(
                "derivative_at_a",
                "the derivative evaluated at a instead of z",
                "sigmoid'(z) = a(1 - a) invites passing a to a function that expects z; that computes sigma(a)(1 - sigma(a)).",
                (Patch("network.mjs", "activatePrime(layer.activation, layer.slope, z[j])", "activatePrime(layer.activation, layer.slope, a[j])"),),
                ("seed/single-neuron-sigmoid", "mazur/2-2-2-single-step", "chain/three-sigmoid"),
                "sigmoid_prime_of_a",
            ),
            Mistake(
                "hidden_derivative_forgotten",
                "the hidden layers' activation derivative forgotten",
                "The output layer's dL_dz gets its f'(z); the error passed down is used as dL_dz directly.",
                (Patch("network.mjs", "dL_dz = layer_dL_dz(layer, z, a, dL_da); // eq. 6.5", "dL_dz = dL_da; // eq. 6.5"),),
                ("bug/hidden-derivative", "mazur/2-2-2-single-step"),
                "missing_activation_derivative",
            ),
            Mistake(
                "backprop_through_w",
                "dL_dx through W instead of W transposed",
                "The forward pass reads w[j][k] with j outside; copying that loop for dL_dx swaps the indices.",
                (Patch("network.mjs", "total = total + layer.w[j][k] * dL_dz[j];", "total = total + layer.w[k][j] * dL_dz[j];"),),
                ("bug/square-layers-transposes", "mazur/2-2-2-single-step", "chain/four-mixed"),
                "backprop_through_w",
            ),
            Mistake(
                "dL_dw_from_own_outputs",
                "dL_dw from the layer's own a instead of its inputs",
                "inputs[layerIndex + 1] is this layer's a; the weight gradient needs what feeds the layer, inputs[layerIndex].",
                (Patch("network.mjs", "layer_dL_dw(dL_dz, inputs[layerIndex]); // eq. 6.7", "layer_dL_dw(dL_dz, inputs[layerIndex + 1]); // eq. 6.7"),),
                ("mazur/2-2-2-single-step", "chain/three-sigmoid"),
                "off_by_one_layer",
            ),
            Mistake(
                "float32_storage",
                "every list of numbers a Float32Array",
                "Typed arrays are the fast JavaScript arrays, and Float32Array is the one in most examples; each stored number is rounded to binary32.",
                FLOAT32_STORAGE,
                ("bug/float32", "seed/single-neuron-sigmoid", "edge/tiny-learning-rate", "edge/sigmoid-saturation-800", "edge/sigmoid-saturation-800-hidden"),
                "float32_arithmetic",
            ),
        ),
    ),
    Stage(
        "reduction",
        "The batch reduction",
        ("training.mjs",),
        "section 6.3",
        "The examples' gradients added in batch order and divided once by m for the mean.",
        (
            Mistake(
                "gradients_summed",
                "the batch gradients summed, not averaged",
                "The loss got its division by m; the two gradient loops were written from the sum.",
                (
                    Patch(
                        "training.mjs",
                        '      if (reduction === "mean") {\n        total = total / m;\n      }\n      row[k] = total;',
                        "      row[k] = total;",
                    ),
                    Patch("training.mjs", '    if (reduction === "mean") {\n      total = total / m;\n    }\n    dL_db[j] = total;', "    dL_db[j] = total;"),
                ),
                ("bug/batch-of-four-mean", "combination/sigmoid-sse", "batch/tanh-identity-mse-m1-mean"),
                "batch_sum_not_mean",
            ),
            Mistake(
                "bias_gradient_of_the_last_example",
                "the bias gradient not reduced: the last example's dL_db",
                "For one example dL_db is dL_dz; code written for one example keeps whatever the last example left.",
                (
                    Patch(
                        "training.mjs",
                        "const dL_db = reduce_dL_db(examples, layerIndex, trainingCase.reduction); // eq. 6.12",
                        "const dL_db = examples[examples.length - 1].layers[layerIndex].dL_db; // eq. 6.12",
                    ),
                ),
                ("bug/batch-of-four-mean", "bug/batch-of-three-mean-bce"),
                "bias_gradient_not_reduced",
            ),
        ),
    ),
    Stage(
        "optimizer",
        "The optimizer",
        ("optimizer.mjs",),
        "section 6.4",
        "Weight decay, then momentum, then p - lr * g, for every weight and every bias on its own.",
        (
            Mistake(
                "update_sign_flipped",
                "p + lr * g",
                "A sign slip: the step must go against the gradient.",
                (
                    Patch("optimizer.mjs", "new_w_row[k] = layer.w[j][k] - lr * g;", "new_w_row[k] = layer.w[j][k] + lr * g;"),
                    Patch("optimizer.mjs", "new_b[j] = layer.b[j] - lr * g;", "new_b[j] = layer.b[j] + lr * g;"),
                ),
                ("bug/update-sign", "seed/single-neuron"),
                "update_sign_flipped",
            ),
            Mistake(
                "momentum_with_dampening",
                "the momentum buffer as an average: m * v + (1 - m) * g",
                "Several libraries and courses write momentum as an exponential average; PyTorch's form, which the spec follows, adds g undamped.",
                (Patch("optimizer.mjs", "return momentum * previous + g;", "return momentum * previous + (1.0 - momentum) * g;"),),
                ("optimizer/momentum-first-step", "optimizer/momentum-0.9-tanh-mse"),
                None,
            ),
            Mistake(
                "no_weight_decay_on_biases",
                "weight decay left off the biases",
                "Many frameworks decay only the weights; PyTorch's SGD, which the spec follows, decays every parameter it is given.",
                (Patch("optimizer.mjs", "let g = decayedGradient(dL_db[j], layer.b[j], weight_decay); // eq. 6.13", "let g = dL_db[j]; // eq. 6.13"),),
                ("optimizer/weight-decay-0.1-tanh-mse", "training/sigmoid-mse-weight-decay-15-steps"),
                None,
            ),
        ),
    ),
    Stage(
        "training",
        "Several steps",
        ("training.mjs",),
        "section 6.5",
        "Step s trains on batches[s mod B] and starts from the parameters and momentum buffers that step s - 1 produced.",
        (
            Mistake(
                "momentum_buffers_not_carried",
                "the momentum buffers not carried to the next step",
                "Each step's updates are kept for the trace, but the buffers they hold are never handed to the next step.",
                (Patch("training.mjs", "    layers = newLayers;\n    previousUpdates = updates;\n", "    layers = newLayers;\n"),),
                ("optimizer/momentum-0.9-tanh-mse", "training/softmax-classifier-20-steps"),
                None,
            ),
            Mistake(
                "first_batch_every_step",
                "every step trains on the first batch",
                "Most vectors have one batch, so batches[0] works until a case cycles through several.",
                (Patch("training.mjs", "trainingCase.batches[stepIndex % trainingCase.batches.length]", "trainingCase.batches[0]"),),
                ("batch/cycling-batches",),
                None,
            ),
        ),
    ),
    Stage(
        "adapter",
        "Reading a case, writing a trace, the adapter",
        ("records.mjs", "casefile.mjs", "adapter.mjs"),
        "sections 3.5, 3.6, 7, 8.3 and spec/protocol.md",
        "caseFromJson with every rule of section 7.1, traceToJson in the canonical key order, protocol v1 over standard input and output.",
        (
            Mistake(
                "nan_written_as_null",
                "NaN sent as null (no finite check before JSON.stringify)",
                "JSON.stringify writes NaN and Infinity as null without a word; here together with the naive sigmoid' of stage 1, which makes a NaN.",
                (
                    Patch("casefile.mjs", '  const json = { steps: steps };\n  checkFinite(json, "trace");\n', "  const json = { steps: steps };\n"),
                    NAIVE_SIGMOID,
                    NAIVE_SIGMOID_PRIME,
                ),
                ("edge/sigmoid-saturation-800", "edge/sigmoid-saturation-800-hidden"),
                "naive_sigmoid_overflow",
            ),
            Mistake(
                "feature_not_claimed",
                "a feature left out of the hello",
                "The list of features is written once, early, and not updated when the sum reduction is added.",
                (Patch("casefile.mjs", '  "reduction_sum",\n', ""),),
                ("batch/tanh-identity-mse-m2-*", "training/exact-relu-30-steps"),
                None,
            ),
            Mistake(
                "log_on_stdout",
                "a debugging line on standard output",
                "console.log is JavaScript's print; standard output carries protocol messages only.",
                (
                    Patch(
                        "adapter.mjs",
                        "function answerRun(id, caseJson) {\n  try {\n",
                        "function answerRun(id, caseJson) {\n  console.log(`running ${id}`);\n  try {\n",
                    ),
                ),
                ("seed/single-neuron", "mazur/2-2-2-single-step"),
                None,
                whole_suite=False,  # the runner restarts the program after every garbled answer: 172 restarts
            ),
        ),
    ),
]


# --- running ---------------------------------------------------------------------------------


def apply_patches(directory: Path, patches: Sequence[Patch]) -> None:
    """Apply each patch to the copy of the port in `directory`; each old string must occur once."""
    for patch in patches:
        path = directory / patch.file
        text = path.read_text(encoding="utf-8")
        found = text.count(patch.old)
        if found != 1:
            raise SystemExit(f"js_case_study: {patch.file}: the old string occurs {found} times, not once: {patch.old!r}")
        path.write_text(text.replace(patch.old, patch.new), encoding="utf-8")


# timings differ from run to run: "172 vector(s) in 0.87 s (0.33 s comparing and diagnosing)", "FAIL   id (0.01 s)"
STDERR_TAIL = re.compile(r"^ +program stderr:\n(?: +\| .*\n)*", flags=re.M)
TIMING = re.compile(r" in \d+\.\d+ s \(\d+\.\d+ s comparing and diagnosing\)| \(\d+\.\d+ s\)$", flags=re.M)


def run_runner(directory: Path, only: Sequence[str], diagnosis: bool, report: Path) -> tuple[dict[str, Any], str]:
    """Run `backprop-spec validate --program "node DIR/adapter.mjs" --strict --json REPORT`; its JSON report and its text output."""
    program = f"node {directory / 'adapter.mjs'}" if directory != PORT else "node ports/javascript/adapter.mjs"
    command = [sys.executable, "-m", "reference_impl.cli", "validate", "--program", program, "--strict", "--json", str(report)]
    for pattern in only:
        command += ["--only", pattern]
    if not diagnosis:
        command.append("--no-diagnosis")
    environment = dict(os.environ, NO_COLOR="1", COLUMNS="100")
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=environment)
    if completed.returncode not in (0, 1) or not report.exists():
        raise SystemExit(f"js_case_study: the runner failed (exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    text = TIMING.sub("", completed.stdout.replace(str(directory), "TMP"))
    # the program's standard error: which vector a line is attached to depends on when it arrived
    text = STDERR_TAIL.sub("", text)
    return result, text


def _clean(value: Any, directory: Path) -> Any:
    """Replace the temporary directory's path by TMP in every string."""
    if isinstance(value, str):
        return value.replace(str(directory), "TMP")
    if isinstance(value, list):
        return [_clean(item, directory) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item, directory) for key, item in value.items()}
    return value


def _vector_record(vector: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of one vector's outcome."""
    record: dict[str, Any] = {"id": vector["id"], "status": vector["status"], "message": vector["message"]}
    if vector["status"] == "failed":
        first = vector["first_mismatch"]
        record["first_mismatch"] = {key: first.get(key) for key in ("path", "message", "expected", "got", "abs_error", "rel_error", "allowed", "ulps")}
        record["wrong_numbers"] = vector["comparison"]["mismatches"] if vector.get("comparison") else None
        record["suspects"] = [{"bug": suspect["bug"], "form": suspect["form"], "agreement": suspect["agreement"]} for suspect in vector["suspects"]]
        record["diagnosis_note"] = vector["diagnosis_note"]
    return record


def _suite_record(report: dict[str, Any]) -> dict[str, Any]:
    """The whole-suite run: the summary and which vectors did not pass."""
    record: dict[str, Any] = {"line": report["summary"]["line"], "exit_status": report["summary"]["exit_status"]}
    for status in ("failed", "errored", "skipped"):
        ids = [vector["id"] for vector in report["vectors"] if vector["status"] == status]
        groups: dict[str, int] = {}
        for vector_id in ids:
            group = vector_id.split("/")[0]
            groups[group] = groups.get(group, 0) + 1
        record[status] = ids if len(ids) <= SHOWN_LIMIT else {"count": len(ids), "by_group": groups}
    errored = [vector for vector in report["vectors"] if vector["status"] == "errored"]
    record["first_error"] = {"id": errored[0]["id"], "message": errored[0]["message"]} if errored else None
    return record


def counts(line: str) -> dict[str, int]:
    """'170 passed, 2 failed, 0 errored, 0 skipped' -> {"passed": 170, "failed": 2, "errored": 0, "skipped": 0}"""
    return {word: int(number) for number, word in re.findall(r"(\d+) (passed|failed|errored|skipped)", line)}


def verdict(mistake: Mistake, suite: dict[str, Any] | None, shown: list[dict[str, Any]]) -> dict[str, str]:
    """How the runner did on this mistake, in a few words, computed from its reports."""
    failing = [vector for vector in shown if vector["status"] == "failed"]
    statuses = {vector["status"] for vector in shown}
    whole = counts(suite["line"]) if suite is not None else None
    if whole is not None and whole["failed"] == whole["errored"] == whole["skipped"] == 0:
        return {"kind": "not caught", "text": "Every vector passes: within the tolerances this mistake makes no difference the suite can see."}
    if not failing:
        if "errored" in statuses:
            return {"kind": "errored", "text": "The vectors shown are errors, not failures: there are no numbers to compare, so there is no diagnosis."}
        if "skipped" in statuses:
            return {"kind": "skipped", "text": "Nothing fails: the vectors that need the feature are skipped, and the run exits 0."}
        return {"kind": "caught elsewhere", "text": "None of the vectors shown fails; see the whole-suite run."}
    firsts = [vector["suspects"][0]["bug"] if vector["suspects"] else None for vector in failing]
    anywhere = [any(suspect["bug"] == mistake.bug for suspect in vector["suspects"]) for vector in failing]
    if mistake.bug is None:
        named = sorted({bug for bug in firsts if bug is not None})
        if not named:
            text = "The catalogue has no such bug, and the diagnosis names none; the first wrong quantity is the clue."
            return {"kind": "no catalogue bug", "text": text}
        return {"kind": "false suspect", "text": "The catalogue has no such bug, yet the diagnosis names " + ", ".join(f"`{bug}`" for bug in named) + "."}
    if all(bug == mistake.bug for bug in firsts):
        return {"kind": "named", "text": f"The diagnosis names `{mistake.bug}` first on every failing vector shown."}
    if all(anywhere):
        return {"kind": "named, not first", "text": f"The diagnosis lists `{mistake.bug}` on every failing vector shown, but not always first."}
    if any(anywhere):
        return {"kind": "named on some", "text": f"The diagnosis names `{mistake.bug}` on some failing vectors shown, not on all."}
    return {"kind": "missed", "text": f"The diagnosis does not name `{mistake.bug}` on any failing vector shown."}


def run_mistake(mistake: Mistake) -> dict[str, Any]:
    """Inject one mistake into a fresh copy of the port and record both runs."""
    with tempfile.TemporaryDirectory(prefix="js-case-study-") as temporary:
        directory = Path(temporary) / "javascript"
        shutil.copytree(PORT, directory)
        apply_patches(directory, mistake.patches)
        report_path = Path(temporary) / "report.json"
        suite = _suite_record(run_runner(directory, [], False, report_path)[0]) if mistake.whole_suite else None
        report, output = run_runner(directory, mistake.only, True, report_path)
        shown = [_vector_record(vector) for vector in report["vectors"]]
        record: dict[str, Any] = {
            "name": mistake.name,
            "title": mistake.title,
            "why": mistake.why,
            "catalogue_bug": mistake.bug,
            "catalogue_title": BUGS[mistake.bug]["title"] if mistake.bug else None,
            "patches": [{"file": patch.file, "old": patch.old, "new": patch.new} for patch in mistake.patches],
            "suite": suite,
            "command": 'backprop-spec validate --program "node TMP/adapter.mjs" --strict ' + " ".join(f"--only '{pattern}'" for pattern in mistake.only),
            "run": {"line": report["summary"]["line"], "exit_status": report["summary"]["exit_status"], "output": output, "vectors": shown},
        }
        record["verdict"] = verdict(mistake, suite, shown)
        cleaned: dict[str, Any] = _clean(record, directory)
        return cleaned


def run_baseline() -> dict[str, Any]:
    """The port as it is in ports/javascript/, over the whole suite, with the diagnosis on."""
    with tempfile.TemporaryDirectory(prefix="js-case-study-") as temporary:
        report, output = run_runner(PORT, [], True, Path(temporary) / "report.json")
        return {
            "output_tail": "\n".join(output.splitlines()[-2:]) + "\n",  # the implementation line and the summary
            "command": 'backprop-spec validate --program "node ports/javascript/adapter.mjs" --strict',
            "implementation": report["implementation"],
            "features": report["features"],
            "line": report["summary"]["line"],
            "exit_status": report["summary"]["exit_status"],
        }


def build(names: Sequence[str] | None = None) -> dict[str, Any]:
    """The whole case study (or only the mistakes named), as one JSON value."""
    chosen = [(stage, mistake) for stage in STAGES for mistake in stage.mistakes if names is None or mistake.name in names]
    if names is not None and len(chosen) != len(names):
        known = [mistake.name for stage in STAGES for mistake in stage.mistakes]
        raise SystemExit(f"js_case_study: unknown mistake in {list(names)}; known: {', '.join(known)}")
    with ThreadPoolExecutor(max_workers=4) as pool:
        baseline_future = pool.submit(run_baseline) if names is None else None
        futures = [(stage, pool.submit(run_mistake, mistake)) for stage, mistake in chosen]
        records = [(stage, future.result()) for stage, future in futures]
        baseline = baseline_future.result() if baseline_future is not None else None
    stages = []
    for stage in STAGES:
        mistakes = [record for owner, record in records if owner is stage]
        if mistakes:
            entry = {"name": stage.name, "title": stage.title, "files": list(stage.files), "spec": stage.spec, "ported": stage.ported}
            stages.append({**entry, "mistakes": mistakes})
    return {
        "about": "Written by scripts/js_case_study.py from real runs of backprop-spec validate on patched copies of ports/javascript/; "
        "never edit by hand. Check with: python scripts/js_case_study.py --check",
        "baseline": baseline,
        "stages": stages,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help=f"exit 1 if {OUTPUT.relative_to(ROOT)} differs from a fresh run")
    parser.add_argument("--mistake", action="append", help="run only this mistake and print its record (repeatable)")
    arguments = parser.parse_args(argv)
    if shutil.which("node") is None:
        print("js_case_study: node is not on PATH", file=sys.stderr)
        return 2
    if arguments.mistake:
        print(canonical_json.dumps(build(arguments.mistake)), end="")
        return 0
    text = canonical_json.dumps(build())
    if arguments.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), "committed", "fresh run", lineterm="", n=1)
            print(f"{OUTPUT.relative_to(ROOT)} is out of date; run: python scripts/js_case_study.py", file=sys.stderr)
            print("\n".join(list(diff)[:80]), file=sys.stderr)
            return 1
        print(f"{OUTPUT.relative_to(ROOT)} is up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
