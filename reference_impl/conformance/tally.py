"""A run counted by id group and by feature: the grid that the Markdown and HTML reports draw.

tally(result, {"seed/single-neuron": ["identity", "sse"]}).by_group["seed"]["passed"] -> 1

A vector counts once in its group and once under every feature it uses, so the feature rows
add up to more than the run. A group or feature that holds a failed or errored vector is
"failing"; one where every vector was skipped is "skipped".

Not here: any printing (report_markdown.py, report_html.py).
"""

from collections import Counter
from dataclasses import dataclass, field

from reference_impl.conformance.verdict import Outcome, RunResult


@dataclass(frozen=True)
class Tally:
    """Counts per status, for the whole run, each id group and each feature (names sorted)."""

    total: Counter[str]
    by_group: dict[str, Counter[str]]
    by_feature: dict[str, Counter[str]]
    # (group, feature) -> counts: the cells of the grid
    cells: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)


def group_of(vector_id: str) -> str:
    """group_of("seed/single-neuron") -> "seed" """
    return vector_id.split("/", 1)[0]


def verdict_of(counts: Counter[str]) -> str:
    """The one word a cell shows: 'failed' when anything failed or errored, 'passed' when something passed,
    else 'skipped'."""
    if counts["failed"] + counts["errored"] > 0:
        return "failed"
    if counts["passed"] > 0:
        return "passed"
    return "skipped"


def tally(result: RunResult, features_by_id: dict[str, list[str]]) -> Tally:
    total: Counter[str] = Counter()
    by_group: dict[str, Counter[str]] = {}
    by_feature: dict[str, Counter[str]] = {}
    cells: dict[tuple[str, str], Counter[str]] = {}
    for outcome in result.outcomes:
        group = group_of(outcome.id)
        total[outcome.status] += 1
        by_group.setdefault(group, Counter())[outcome.status] += 1
        for feature in features_by_id.get(outcome.id, []):
            by_feature.setdefault(feature, Counter())[outcome.status] += 1
            cells.setdefault((group, feature), Counter())[outcome.status] += 1
    return Tally(
        total=total,
        by_group=dict(sorted(by_group.items())),
        by_feature=dict(sorted(by_feature.items())),
        cells=cells,
    )


def not_passed(result: RunResult) -> list[Outcome]:
    """The failed and errored outcomes, in run order: what a report details."""
    return [outcome for outcome in result.outcomes if outcome.status in ("failed", "errored")]
