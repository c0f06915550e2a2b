"""The verdict on the whole run: the evidence of every vector read together (spec section 9.4).

- pass counts by feature and by group;
- a spectrum-based localization from which vectors pass and fail and where their first wrong
  numbers are: "every vector with tanh fails and every other passes -> tanh, spec eqs. 4.5-4.6";
  "the first wrong number is always in step 1 or later -> state carried between steps";
  "fails only when m > 1 -> the batch reduction"; "errors on every vector with a non-square
  layer -> an index transposition";
- a roll-up of the suspects: "update_sign_flipped is named first on 166 of 170 failing vectors";
- the suspects of every vector weighed with the whole run (weigh_suspects): a bug that agrees with
  every number of one vector but not with the run's other failing vectors is not the answer;
- the errored vectors' messages, each once, with a count.

It also orders the failing vectors simplest first (fewest steps, examples, layers, neurons)
and decides which blocks the text report shows by default.

Not here: judging one vector (verdict.py), printing blocks (report.py).
"""

import dataclasses
import math
import re
from collections import Counter
from typing import Any

from reference_impl.conformance.diagnosis import Suspect
from reference_impl.conformance.facts import VectorFacts
from reference_impl.conformance.verdict import Outcome, RunResult

SHOWN_BLOCKS = 2  # failing vectors whose block the text report prints without --verbose
HEADING = "run verdict"

FEATURE_EQUATIONS = {
    "identity": "identity, spec eqs. 4.1-4.2",
    "sigmoid": "sigmoid or its derivative, spec eqs. 4.3-4.4",
    "tanh": "tanh or its derivative, spec eqs. 4.5-4.6",
    "relu": "relu or its derivative, spec eqs. 4.7-4.8",
    "leaky_relu": "leaky_relu or its derivative, spec eqs. 4.9-4.10",
    "softmax": "softmax or its Jacobian, spec eqs. 4.11-4.12 (and eq. 6.6)",
    "sse": "the sse loss or its derivative, spec eqs. 5.2 and 5.7",
    "half_sse": "the half_sse loss or its derivative, spec eqs. 5.3 and 5.8",
    "mse": "the mse loss or its derivative, spec eqs. 5.4 and 5.9",
    "binary_cross_entropy": "binary cross-entropy or its fused dL_dz, spec eqs. 5.5 and 5.10",
    "categorical_cross_entropy": "categorical cross-entropy or its fused dL_dz, spec eqs. 5.6 and 5.11",
    "mini_batch": "the batch reduction, spec eqs. 6.10-6.12 (sum in example order, / m for mean)",
    "reduction_sum": "the sum reduction, spec eqs. 6.10-6.12",
    "multi_step": "state carried between steps, spec section 6.5",
    "momentum": "the momentum buffer, spec eq. 6.14",
    "weight_decay": "weight decay, spec eq. 6.13",
}
QUANTITY_EQUATIONS = {
    "z": "spec eq. 6.1",
    "a": "spec eq. 6.2 and the activation's equation (section 4)",
    "loss": "spec eq. 6.3 and the loss's equation (eqs. 5.2-5.6), or eq. 6.10 for the step loss",
    "dL_da": "spec eqs. 5.7-5.9 (output) or eq. 6.5 (hidden)",
    "dL_dz": "spec eqs. 6.4-6.6, the activation's derivative (section 4) or eqs. 5.10-5.11 (fused)",
    "dL_dw": "spec eq. 6.7 (an example's) or eq. 6.11 (the batch's)",
    "dL_db": "spec eq. 6.8 (an example's) or eq. 6.12 (the batch's)",
    "dL_dx": "spec eq. 6.9",
    "momentum_buffer_w": "spec eqs. 6.13-6.14",
    "momentum_buffer_b": "spec eqs. 6.13-6.14",
    "w": "spec eqs. 6.13-6.15",
    "b": "spec eqs. 6.13-6.15",
}
UPDATE_KEYS = ("dL_dw", "dL_db", "momentum_buffer_w", "momentum_buffer_b", "w", "b")


def _bad(outcome: Outcome) -> bool:
    return outcome.status in ("failed", "errored")


def simplest_first(outcomes: list[Outcome]) -> list[Outcome]:
    """The failing vectors, then the errored ones, each fewest steps, examples, layers and neurons first."""

    def size(outcome: Outcome) -> tuple[float, ...]:
        if outcome.facts is None:
            return (math.inf,)
        return tuple(float(number) for number in outcome.facts.size)

    bad = [outcome for outcome in outcomes if _bad(outcome)]
    # a failure with numbers tells more than a crash: failures first, then errors
    return sorted(bad, key=lambda outcome: (outcome.status == "errored", size(outcome), outcome.id))


def _first_line(outcome: Outcome) -> str:
    return outcome.message.split("\n", 1)[0]


def shown_blocks(outcomes: list[Outcome]) -> tuple[list[Outcome], list[Outcome]]:
    """(blocks to print by default, the rest): the simplest failing vectors, one per error message."""
    shown: list[Outcome] = []
    rest: list[Outcome] = []
    messages: set[str] = set()
    for outcome in simplest_first(outcomes):
        repeated = outcome.status == "errored" and _first_line(outcome) in messages
        if len(shown) < SHOWN_BLOCKS and not repeated:
            shown.append(outcome)
            if outcome.status == "errored":
                messages.add(_first_line(outcome))
        else:
            rest.append(outcome)
    return shown, rest


def _step_and_key(path: str) -> tuple[int | None, str | None, bool]:
    """(step, quantity, in an example) of a path: 'steps[1].layers[0].w[0][0]' -> (1, 'w', False)."""
    step = re.match(r"steps\[(\d+)\]", path)
    keys = re.findall(r"[A-Za-z_]+", path)
    return (int(step.group(1)) if step else None, keys[-1] if keys else None, ".examples[" in path)


def table(outcomes: list[Outcome], key: str) -> list[dict[str, Any]]:
    """Pass counts by feature or by group: [{'name': 'tanh', 'passed': 0, 'judged': 45}, ...]."""
    passed: Counter[str] = Counter()
    judged: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.facts is None or outcome.status == "skipped":
            continue
        names = outcome.facts.features if key == "feature" else (outcome.facts.group,)
        for name in names:
            judged[name] += 1
            if outcome.status == "passed":
                passed[name] += 1
    return [{"name": name, "passed": passed[name], "judged": judged[name]} for name in sorted(judged)]


def _others_pass(feature: str, judged: list[tuple[Outcome, VectorFacts]]) -> float:
    """The share of the vectors without `feature` that pass (1.0 when every vector has it)."""
    others = [outcome for outcome, facts in judged if feature not in facts.features]
    if not others:
        return 1.0
    return sum(1 for outcome in others if outcome.status == "passed") / len(others)


def localization(outcomes: list[Outcome]) -> list[str]:
    """Where the pattern of passing and failing vectors points, strongest evidence first."""
    judged = [(outcome, outcome.facts) for outcome in outcomes if outcome.status != "skipped" and outcome.facts]
    bad = [(outcome, facts) for outcome, facts in judged if _bad(outcome)]
    good = [(outcome, facts) for outcome, facts in judged if outcome.status == "passed"]
    if not bad:
        return []
    found: list[str] = []
    # features: every failing vector has it and no passing one does (Ochiai similarity 1)
    scores = []
    for feature in sorted({feature for _outcome, facts in judged for feature in facts.features}):
        failing = sum(1 for _outcome, facts in bad if feature in facts.features)
        passing = sum(1 for _outcome, facts in good if feature in facts.features)
        if failing:
            scores.append((failing / math.sqrt(len(bad) * (failing + passing)), failing, passing, feature))
    scores.sort(key=lambda item: (-item[0], item[3]))
    perfect = [item for item in scores if item[0] == 1.0] if good else []  # 'every other passes' needs one
    for _score, failing, _passing, feature in perfect[:2]:
        found.append(
            f"every vector with {feature} fails ({failing}) and every other passes -> "
            f"{FEATURE_EQUATIONS.get(feature, feature)}"
        )
    if good and not perfect and scores and scores[0][0] >= 0.75 and _others_pass(scores[0][3], judged) >= 0.8:
        _score, failing, passing, feature = scores[0]
        found.append(
            f"the failures go with {feature}: {failing} of {len(bad)} failing vectors have it, "
            f"{passing} passing ones do -> {FEATURE_EQUATIONS.get(feature, feature)}"
        )
    steps = [_step_and_key(outcome.mismatch.path) for outcome, _facts in bad if outcome.mismatch is not None]
    if steps and all(step is not None and step >= 1 for step, _key, _example in steps):
        found.append(
            "the first wrong number is always in step 1 or later, never in step 0 -> state carried between "
            "steps: the momentum buffers (eq. 6.14), which batch a step trains on (section 6.5), the "
            "parameters handed to the next step (eq. 6.15)"
        )
    only_batches = all(facts.n_examples > 1 for _outcome, facts in bad)
    if len(bad) >= 2 and only_batches and any(facts.n_examples == 1 for _outcome, facts in good):
        found.append(
            "fails only when a batch has more than one example (m > 1) -> the batch reduction, "
            "spec eqs. 6.10-6.12 (sum in example order, divide by m for mean)"
        )
    errored = [facts for outcome, facts in bad if outcome.status == "errored"]
    square = [outcome for outcome, facts in judged if not facts.non_square]
    if (
        len(errored) >= 2
        and all(facts.non_square for facts in errored)
        and square
        and not any(outcome.status == "errored" for outcome in square)
    ):
        found.append(
            f"errors on {len(errored)} vectors, every one with a non-square layer (n_inputs != n_neurons), and "
            "on no square one -> an index transposition: w[j][k] read as w[k][j], or dL_dw or dL_dx built the "
            "wrong way round (spec section 2.2, eqs. 6.1, 6.7, 6.9)"
        )
    keys = Counter(key for _step, key, _example in steps if key is not None)
    if keys:
        key, count = keys.most_common(1)[0]
        if count * 2 > len(steps):
            where = QUANTITY_EQUATIONS.get(key, "spec section 7.2")
            found.append(f"the first wrong number is a {key} on {count} of {len(steps)} failing vectors -> {where}")
        if all(key in UPDATE_KEYS and not example for _step, key, example in steps if key is not None):
            found.append(
                "every example's numbers are right and only the step's update is wrong -> the optimizer, "
                "spec eqs. 6.11-6.15"
            )
    return found


def _every_number_counts(failed: list[Outcome]) -> Counter[str]:
    """For each bug, on how many of the failing vectors one of its forms agrees with every number."""
    counts: Counter[str] = Counter()
    for outcome in failed:
        counts.update({suspect.bug for suspect in outcome.suspects if suspect.every_number})
    return counts


def weigh_suspects(outcomes: list[Outcome]) -> list[Outcome]:
    """The suspects of every failing vector weighed with the evidence of the whole run.

    Per vector, a mistake can give exactly the numbers of a catalogue bug that is not it: a hidden
    layer that uses the derivative of the layer above is, where that layer is identity, a forgotten
    hidden derivative. The other failing vectors tell them apart, so every suspect is told on how
    many of the run's failing vectors its bug agrees with every number (Occam across the run): among
    the suspects that agree with every number of a vector, those that explain more of the run come
    first, and one that the run contradicts says so.
    """
    failed = [outcome for outcome in outcomes if outcome.status == "failed"]
    counts = _every_number_counts(failed)
    weighed = []
    for outcome in outcomes:
        if outcome.status != "failed" or not outcome.suspects:
            weighed.append(outcome)
            continue
        suspects = [_with_run_evidence(suspect, counts[suspect.bug], len(failed)) for suspect in outcome.suspects]
        complete = sorted(  # stable: among equals, the vector's own order (its targets first)
            (suspect for suspect in suspects if suspect.every_number), key=lambda suspect: -suspect.vectors_reproduced
        )
        partial = [suspect for suspect in suspects if not suspect.every_number]
        weighed.append(dataclasses.replace(outcome, suspects=complete + partial))
    return weighed


def _with_run_evidence(suspect: Suspect, reproduced: int, failing: int) -> Suspect:
    """'every number' -> 'every number here, but only 3 of the run's 17 failing vectors' when the run contradicts it."""
    agreement = suspect.agreement
    if suspect.every_number and reproduced < failing:
        agreement = agreement.replace("every number", "every number here", 1)
        agreement = f"{agreement}, but only {reproduced} of the run's {failing} failing vectors"
    return dataclasses.replace(suspect, agreement=agreement, vectors_reproduced=reproduced, vectors_failing=failing)


def suspects_rollup(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """How often each suspect is named first, named at all, and agrees with every number, over the failing vectors."""
    failed = [outcome for outcome in outcomes if outcome.status == "failed"]
    first: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    for outcome in failed:
        if outcome.suspects:
            first[outcome.suspects[0].bug] += 1
        for suspect in outcome.suspects:
            anywhere[suspect.bug] += 1
    every = _every_number_counts(failed)
    ranked = sorted(anywhere, key=lambda bug: (-first[bug], -anywhere[bug], bug))
    return [
        {"bug": bug, "first": first[bug], "named": anywhere[bug], "every_number": every[bug], "failed": len(failed)}
        for bug in ranked
    ]


def error_messages(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Each distinct error message once, with how many vectors gave it and the simplest of them."""
    counts: Counter[str] = Counter()
    simplest: dict[str, str] = {}
    for outcome in simplest_first(outcomes):
        if outcome.status == "errored":
            counts[_first_line(outcome)] += 1
            simplest.setdefault(_first_line(outcome), outcome.id)
    return [
        {"message": message, "count": count, "simplest": simplest[message]} for message, count in counts.most_common()
    ]


def verdict_json(result: RunResult) -> dict[str, Any]:
    """The run verdict as JSON (the report's `run_verdict`)."""
    return {
        "by_feature": table(result.outcomes, "feature"),
        "by_group": table(result.outcomes, "group"),
        "localization": localization(result.outcomes),
        "suspects": suspects_rollup(result.outcomes),
        "errors": error_messages(result.outcomes),
        "simplest_failing": [outcome.id for outcome in simplest_first(result.outcomes)[:10]],
    }


def _counts_line(rows: list[dict[str, Any]], label: str, width: int = 100) -> list[str]:
    words = [f"{row['name']} {row['passed']}/{row['judged']}" for row in rows]
    lines: list[str] = []
    current = f"  {label}:"
    for word in words:
        if len(current) + len(word) + 2 > width:
            lines.append(current + ",")
            current = "    " + word
        else:
            current = current + ("" if current.endswith(":") else ",") + " " + word
    lines.append(current)
    return lines


def verdict_lines(result: RunResult, rest: list[Outcome] | None = None) -> list[str]:
    """The run verdict as text, for the end of the report (nothing when every vector passed)."""
    if not any(_bad(outcome) for outcome in result.outcomes):
        return []
    lines: list[str] = []
    if rest:
        ids = [outcome.id for outcome in rest]
        listed = ", ".join(ids[:6]) + (f", ... ({len(ids) - 6} more)" if len(ids) > 6 else "")
        lines.append(f"{len(ids)} more failing or errored vector(s), simplest first: {listed}")
        lines.append("  (--verbose prints every vector's block; --only ID runs one)")
        lines.append("")
    lines.append(f"{HEADING}:")
    lines.extend(_counts_line(table(result.outcomes, "group"), "passed by group"))
    failing_features = [row for row in table(result.outcomes, "feature") if row["passed"] < row["judged"]]
    lines.extend(_counts_line(failing_features, "features with failures (passed/judged)"))
    for line in localization(result.outcomes):
        lines.append(f"  points at: {line}")
    for row in suspects_rollup(result.outcomes)[:3]:
        lines.append(
            f"  suspect: {row['bug']} is named first on {row['first']} of {row['failed']} failing vectors"
            f" (listed on {row['named']}, every number on {row['every_number']})"
        )
        if row["first"] and 0 < row["every_number"] < row["failed"]:
            lines.append(
                f"    not the whole story: it reproduces {row['every_number']} of the {row['failed']} failing vectors,"
                f" not the other {row['failed'] - row['every_number']}; where it matches, the port's mistake may be"
                " another one that gives the same numbers"
            )
    for row in error_messages(result.outcomes)[:3]:
        lines.append(f"  error on {row['count']} vector(s) (simplest: {row['simplest']}): {row['message'][:160]}")
    return lines
