"""PyTorch float64 autograd agrees with every vector (optional: skipped without torch).

Independent truth: torch autograd and torch.optim.SGD, driven by
tests/oracles/pytorch_crosscheck.py (which never imports reference_impl). PyTorch is
not a dependency of the package or of its extras; install it by hand to run
these tests (`pip install torch`).
"""

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")

from oracles.pytorch_crosscheck import (
    Report,
    adam_formula_differences,
    crosscheck_all,
    format_report,
    kink_derivatives,
    run_case,
)

from reference_impl.format.vectors import REPOSITORY_VECTORS, load_vectors

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
SUITE = load_vectors(REPOSITORY_VECTORS)
assert SUITE.manifest is not None
MANIFEST: dict[str, Any] = SUITE.manifest
IDS = [entry["id"] for entry in MANIFEST["vectors"]]


def load(vector_id: str) -> dict[str, Any]:
    vector: dict[str, Any] = json.loads((VECTORS / f"{vector_id}.json").read_text(encoding="utf-8"))
    return vector


@pytest.fixture(scope="module")
def report() -> Report:
    """Every vector run once in torch and compared."""
    return crosscheck_all()


@pytest.mark.parametrize("vector_id", IDS)
def test_every_number_within_the_vectors_tolerance(report: Report, vector_id: str) -> None:
    result = next(result for result in report.results if result.vector_id == vector_id)
    assert result.structure_errors == []
    assert result.compared > 0
    messages = [difference.describe() for difference in result.outside]
    assert messages == [], f"{len(messages)} number(s) outside tolerance:\n" + "\n".join(messages[:10])


def test_report_covers_the_whole_manifest(report: Report, capsys: pytest.CaptureFixture[str]) -> None:
    assert [result.vector_id for result in report.results] == IDS
    assert report.failing == []
    worst = report.worst_significant
    assert worst is not None
    # the numbers that are not near zero agree far inside the vectors' rel tolerance (1e-9)
    assert worst.relative < 1e-9, worst.describe()
    with capsys.disabled():
        print("\n" + format_report(report))


def kink_vectors() -> list[dict[str, Any]]:
    return [vector for vector in (load(vector_id) for vector_id in IDS) if "KINK" in vector["flags"]]


def test_pytorch_kink_convention_matches_the_vectors() -> None:
    """relu'(0) = 0 and leaky_relu'(0) = slope in PyTorch, and in the KINK vectors."""
    vectors = kink_vectors()
    assert vectors, "no vector is flagged KINK"
    kinks_seen = 0
    for vector in vectors:
        layers = vector["case"]["layers"]
        got = run_case(vector["case"])
        for step_index, step in enumerate(vector["expected"]["steps"]):
            for example_index, example in enumerate(step["examples"]):
                for layer_index, layer in enumerate(example["layers"]):
                    activation = layers[layer_index]["activation"]
                    if activation not in ("relu", "leaky_relu"):
                        continue
                    slope = float(layers[layer_index].get("slope", 0.0))
                    relu_prime, leaky_prime = kink_derivatives(slope)
                    assert relu_prime == 0.0
                    assert leaky_prime == slope
                    derivative = relu_prime if activation == "relu" else leaky_prime
                    torch_layer = got["steps"][step_index]["examples"][example_index]["layers"][layer_index]
                    for j, z in enumerate(layer["z"]):
                        if z != 0.0:
                            continue
                        kinks_seen += 1
                        where = (
                            f"{vector['id']}: "
                            f"steps[{step_index}].examples[{example_index}].layers[{layer_index}] neuron {j}"
                        )
                        assert torch_layer["z"][j] == 0.0, where
                        assert layer["dL_dz"][j] == layer["dL_da"][j] * derivative, where
                        assert torch_layer["dL_dz"][j] == torch_layer["dL_da"][j] * derivative, where
                        assert torch_layer["dL_dz"][j] == layer["dL_dz"][j], where
    assert kinks_seen >= len(vectors)


ADAM_IDS = [vector_id for vector_id in IDS if vector_id.startswith("adam/")]


def test_adam_vectors_are_cross_checked(report: Report, capsys: pytest.CaptureFixture[str]) -> None:
    """torch.optim.Adam and AdamW agree with every Adam vector, including m, v and the step count."""
    assert len(ADAM_IDS) >= 10
    results = [result for result in report.results if result.vector_id in ADAM_IDS]
    assert [result.vector_id for result in results] == ADAM_IDS
    for result in results:
        assert result.outside == [], result.outside[0].describe()
    compared = sum(result.compared for result in results)
    equal = sum(result.equal for result in results)
    worst = max((result.worst_significant for result in results if result.worst_significant), key=lambda d: d.relative)
    # measured 2.6e-12 at worst (adam/adamw-xor-25-steps: matmul order and lerp, compounded over 25 steps)
    assert worst.relative < 1e-10, worst.describe()
    with capsys.disabled():
        print(
            f"\nAdam/AdamW vs torch: {len(results)} vectors, {compared} numbers, {equal} bit-equal,"
            f" worst {worst.describe()}"
        )


def test_torch_lerp_and_pow_differ_from_the_spec_only_in_the_last_bits(capsys: pytest.CaptureFixture[str]) -> None:
    """PyTorch forms m with lerp and beta^t with pow; the spec uses beta1 * m + (1 - beta1) * g and products."""
    differences = adam_formula_differences()
    assert differences["lerp"] < 1e-15  # a few ulps of the terms' size
    assert differences["pow"] < 1e-11  # 1 - beta^t amplifies an ulp of beta^t by 1 / (1 - beta^t)
    with capsys.disabled():
        print(
            f"\ntorch lerp vs spec m: {differences['lerp']:.3g} relative;"
            f" pow vs repeated product: {differences['pow']:.3g}"
        )
