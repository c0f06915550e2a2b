"""The command line as a user runs it: `trace` on good and bad cases, `generate` and
`generate --check` on a scratch directory.

Bad input must end in exit status 2 and one clear message naming the file, the
path inside it and what was expected: never a traceback, never a silent pass.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reference_impl.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED_CASE: dict[str, Any] = {
    "layers": [{"activation": "identity", "w": [[1.5]], "b": [0.5]}],
    "loss": "sse",
    "optimizer": {"lr": 0.1},
    "n_steps": 2,
    "batches": [[{"x": [2], "y": [4]}]],
}


def run_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reference_impl.cli", *arguments], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_trace_of_the_seed_case_equals_the_published_numbers(tmp_path: Path) -> None:
    case_file = tmp_path / "seed.json"
    case_file.write_text(json.dumps(SEED_CASE))
    result = run_cli("trace", str(case_file))
    assert result.returncode == 0, result.stderr
    vector = json.loads(result.stdout)
    step = vector["expected"]["steps"][0]
    # by hand: z = 1.5 * 2 + 0.5 = 3.5, w = 1.5 - 0.1 * (2 * (3.5 - 4) * 2) = 1.7
    assert step["examples"][0]["layers"][0]["z"] == [3.5]
    assert step["layers"][0]["w"] == [[1.7]]
    assert vector["case"]["batches"][0][0]["x"] == [2.0]  # integers in, binary64 out
    assert '"x": [2.0]' in result.stdout
    assert vector["case"]["reduction"] == "mean"  # defaults written out


def test_trace_writes_atomically_to_out(tmp_path: Path) -> None:
    case_file = tmp_path / "seed.json"
    case_file.write_text(json.dumps(SEED_CASE))
    out = tmp_path / "deeper" / "seed-vector.json"
    assert main(["trace", str(case_file), "--out", str(out), "--id", "mine/seed"]) == 0
    assert json.loads(out.read_text())["id"] == "mine/seed"
    assert [path.name for path in out.parent.iterdir()] == ["seed-vector.json"]


def test_trace_of_a_vector_reproduces_it(tmp_path: Path) -> None:
    vector_file = ROOT / "vectors" / "mazur" / "2-2-2-single-step.json"
    out = tmp_path / "again.json"
    assert main(["trace", str(vector_file), "--out", str(out)]) == 0
    assert json.loads(out.read_text())["expected"] == json.loads(vector_file.read_text())["expected"]


def with_change(path: list[Any], value: Any) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(json.dumps(SEED_CASE))
    target = case
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return case


BAD_CASES: list[tuple[str, str, list[str]]] = [
    ("not-json", '{"layers": [', ["not valid JSON", "line 1"]),
    (
        "nan",
        json.dumps(SEED_CASE).replace('"b": [0.5]', '"b": [NaN]'),
        ["at layers[0].b[0]", "NaN is not allowed", "finite number"],
    ),
    (
        "infinity",
        json.dumps(SEED_CASE).replace('"lr": 0.1', '"lr": -Infinity'),
        ["at optimizer.lr", "-Infinity is not allowed"],
    ),
    (
        "overflowing-number",
        json.dumps(SEED_CASE).replace('"b": [0.5]', '"b": [1e400]'),
        ["at layers[0].b[0]", "overflows binary64"],
    ),
    (
        "huge-integer",
        json.dumps(SEED_CASE).replace('"x": [2]', '"x": [' + "9" * 400 + "]"),
        ["at batches[0][0].x[0]", "overflows binary64"],
    ),
    (
        "duplicate-key",
        json.dumps(SEED_CASE).replace('"loss": "sse"', '"loss": "sse", "loss": "mse"'),
        ["at loss: the key 'loss' appears more than once"],
    ),
    ("deep-nesting", "[" * 100000 + "]" * 100000, ["nested too deeply"]),
    (
        "string-for-number",
        json.dumps(with_change(["layers", 0, "w", 0, 0], "1.5")),
        ["at layers[0].w[0][0]", "is not of type 'number'"],
    ),
    (
        "boolean-for-number",
        json.dumps(with_change(["batches", 0, 0, "y", 0], True)),
        ["at batches[0][0].y[0]", "is not of type 'number'"],
    ),
    ("unknown-key", json.dumps(with_change(["layerz"], [])), ["'layerz' was unexpected"]),
    (
        "missing-key",
        json.dumps({key: value for key, value in SEED_CASE.items() if key != "loss"}),
        ["'loss' is a required property"],
    ),
    (
        "unknown-activation",
        json.dumps(with_change(["layers", 0, "activation"], "gelu")),
        ["at layers[0].activation", "'gelu' is not one of"],
    ),
    ("unknown-loss", json.dumps(with_change(["loss"], "hinge")), ["at loss", "'hinge' is not one of"]),
    (
        "leaky-without-slope",
        json.dumps(with_change(["layers", 0, "activation"], "leaky_relu")),
        ["at layers[0]", "'slope' is a required property"],
    ),
    (
        "slope-on-relu",
        json.dumps(with_change(["layers", 0], {"activation": "relu", "slope": 0.1, "w": [[1.5]], "b": [0.5]})),
        ["at layers[0]", "`slope` belongs to leaky_relu only"],
    ),
    (
        "too-many-inputs",
        json.dumps(with_change(["batches", 0, 0, "x"], [2.0, 3.0])),
        ["at batches[0][0].x", "expected 1 inputs", "got 2"],
    ),
    (
        "too-few-targets",
        json.dumps(with_change(["batches", 0, 0, "y"], [])),
        ["at batches[0][0].y", "should be non-empty"],
    ),
    (
        "ragged-weights",
        json.dumps(with_change(["layers"], [{"activation": "identity", "w": [[1.0, 2.0], [3.0]], "b": [0.0, 0.0]}])),
        ["at layers[0].w[1]", "expected 2 weights"],
    ),
    ("bias-count", json.dumps(with_change(["layers", 0, "b"], [0.5, 0.5])), ["at layers[0].b", "expected 1 biases"]),
    (
        "layer-sizes-disagree",
        json.dumps(
            with_change(
                ["layers"],
                [
                    {"activation": "relu", "w": [[1.0]], "b": [0.0]},
                    {"activation": "identity", "w": [[1.0, 2.0]], "b": [0.0]},
                ],
            )
        ),
        ["at layers[1].w[0]", "expected 1 weights"],
    ),
    (
        "softmax-hidden",
        json.dumps(
            with_change(
                ["layers"],
                [
                    {"activation": "softmax", "w": [[1.0]], "b": [0.0]},
                    {"activation": "identity", "w": [[1.0]], "b": [0.0]},
                ],
            )
        ),
        ["at layers[0].activation", "only on the output layer"],
    ),
    (
        "bce-on-identity",
        json.dumps(with_change(["loss"], "binary_cross_entropy")),
        ["at loss", "needs a sigmoid output layer"],
    ),
    (
        "cce-targets-not-a-distribution",
        json.dumps(with_change(["layers", 0, "activation"], "softmax") | {"loss": "categorical_cross_entropy"}),
        ["categorical cross-entropy targets must sum to 1"],
    ),
    (
        "negative-learning-rate",
        json.dumps(with_change(["optimizer", "lr"], -0.1)),
        ["at optimizer.lr", "less than or equal to the minimum"],
    ),
    ("zero-steps", json.dumps(with_change(["n_steps"], 0)), ["at n_steps", "less than the minimum"]),
    ("empty-batch", json.dumps(with_change(["batches"], [[]])), ["at batches[0]", "should be non-empty"]),
    (
        "trace-overflows",
        json.dumps(
            with_change(
                ["layers"],
                [
                    {"activation": "identity", "w": [[1e300]], "b": [0.0]},
                    {"activation": "identity", "w": [[1e300]], "b": [0.0]},
                ],
            )
        ),
        ["the trace overflows", "expected.steps[0]", "not a finite number"],
    ),
]


@pytest.mark.parametrize(("name", "text", "fragments"), BAD_CASES, ids=[row[0] for row in BAD_CASES])
def test_bad_case_gets_a_clear_error(tmp_path: Path, name: str, text: str, fragments: list[str]) -> None:
    case_file = tmp_path / f"{name}.json"
    case_file.write_text(text)
    result = run_cli("trace", str(case_file), "--out", str(tmp_path / "out.json"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"backprop-spec trace: error: {case_file}"), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in {result.stderr!r}"
    assert not (tmp_path / "out.json").exists()  # nothing half-written


def test_missing_file_and_usage_errors(tmp_path: Path) -> None:
    result = run_cli("trace", str(tmp_path / "nowhere.json"))
    assert result.returncode == 2 and "no such file" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_generate_then_check_then_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = tmp_path / "vectors"
    assert main(["generate", "--out", str(directory)]) == 0
    assert main(["generate", "--check", "--out", str(directory)]) == 0
    # the scratch copy is byte-identical to the committed suite
    committed = ROOT / "vectors"
    for path in committed.rglob("*.json"):
        assert (directory / path.relative_to(committed)).read_bytes() == path.read_bytes(), path
    assert not list(directory.rglob("*.tmp"))
    capsys.readouterr()

    edited = directory / "seed" / "single-neuron.json"
    edited.write_text(edited.read_text().replace("3.5", "3.50", 1))
    (directory / "seed" / "hand-made.json").write_text("{}\n")
    (directory / "chain" / "three-sigmoid.json").unlink()
    assert main(["generate", "--check", "--out", str(directory)]) == 1
    error = capsys.readouterr().err
    assert f"differs: {edited}" in error
    assert "not generated (stale or hand-made" in error and "hand-made.json" in error
    assert "missing:" in error and "three-sigmoid.json" in error

    assert main(["generate", "--out", str(directory)]) == 0
    assert (directory / "seed" / "hand-made.json").exists()  # not the suite's: generate never deletes it
    assert "left alone: seed/hand-made.json" in capsys.readouterr().err
    assert main(["generate", "--check", "--out", str(directory)]) == 1
    assert "hand-made.json" in capsys.readouterr().err
    (directory / "seed" / "hand-made.json").unlink()
    assert main(["generate", "--check", "--out", str(directory)]) == 0
