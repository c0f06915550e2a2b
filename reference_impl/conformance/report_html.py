"""A self-contained HTML report of a conformance run: one file, no script, no font, no link to
anything outside it, so it opens offline and can be attached to a CI run.

It shows, from the top: the run's verdict; a grid of id groups by features, each cell coloured
by the worst outcome of the vectors it holds; one square per vector, by group (a failing one
links to its details); then each failed or errored vector with its wrong numbers (path,
expected, got, errors, allowed bound, ulps) and the likely bug.

Not here: the text, JSON and JUnit reports (report.py), the Markdown summary (report_markdown.py).
"""

import html
from collections import Counter

from reference_impl.conformance.compare import Mismatch
from reference_impl.conformance.report import implementation_text, summary_line, tier_text
from reference_impl.conformance.tally import group_of, not_passed, tally, verdict_of
from reference_impl.conformance.verdict import STATUSES, Outcome, RunResult
from reference_impl.format.vocabulary import SPEC_VERSION

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1a1a1a; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1rem; margin: 0; }
code, pre, td.number { font-family: ui-monospace, monospace; font-size: 0.9em; }
.verdict { padding: 0.8rem 1rem; border-radius: 6px; color: #fff; font-size: 1.2rem; font-weight: 600; }
.verdict.passed { background: #1b7f3b; } .verdict.failed { background: #b3261e; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
table.grid td { text-align: center; min-width: 3.2rem; }
td.passed, .square.passed { background: #c8ecd2; } td.failed, .square.failed { background: #f6c5c0; }
td.errored, .square.errored { background: #e8c6f0; } td.skipped, .square.skipped { background: #f5e6b8; }
td.none { background: #fafafa; }
.squares { display: flex; flex-wrap: wrap; gap: 3px; margin: 0.2rem 0 0.6rem; }
.square { display: inline-block; width: 14px; height: 14px; border: 1px solid #999; border-radius: 2px; }
section.vector { border: 1px solid #ddd; border-left: 6px solid #b3261e; border-radius: 4px; padding: 0.6rem 1rem;
  margin: 1rem 0; }
section.vector.errored { border-left-color: #8e3aa6; }
.scroll { overflow-x: auto; } td.number { white-space: nowrap; }
pre { background: #f4f4f4; padding: 0.5rem; overflow-x: auto; white-space: pre-wrap; }
.bug { background: #fff6e0; padding: 0.4rem 0.6rem; border-radius: 4px; margin-top: 0.5rem; }
@media (prefers-color-scheme: dark) {
  body { background: #121212; color: #e8e8e8; } th, td { border-color: #444; }
  td.passed, .square.passed { background: #1e4d2b; } td.failed, .square.failed { background: #6b1f1a; }
  td.errored, .square.errored { background: #552766; } td.skipped, .square.skipped { background: #5c4d1a; }
  td.none { background: #1a1a1a; } .scroll { overflow-x: auto; } td.number { white-space: nowrap; }
pre { background: #222; } .bug { background: #3a3020; }
}
"""


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def anchor(vector_id: str) -> str:
    """anchor("seed/single-neuron") -> 'v-seed-single-neuron'"""
    return "v-" + "".join(character if character.isalnum() or character in "-_." else "-" for character in vector_id)


def counts_text(counts: Counter[str]) -> str:
    """'3 passed, 1 failed' (statuses with no vector left out)"""
    return ", ".join(f"{counts[status]} {status}" for status in STATUSES if counts[status])


def _number(value: object) -> str:
    text = repr(value) if isinstance(value, float) else str(value)
    return text if len(text) <= 200 else text[:200] + f" ... ({len(text)} characters)"


def _cell(counts: Counter[str] | None, title: str) -> str:
    if counts is None:
        return '<td class="none"></td>'
    shown = f"{counts['passed']}/{sum(counts.values())}"
    return f'<td class="{verdict_of(counts)}" title="{escape(title + ": " + counts_text(counts))}">{shown}</td>'


def _grid(result: RunResult, features_by_id: dict[str, list[str]]) -> list[str]:
    """Features down, id groups across (there are fewer groups, and their names are short)."""
    counted = tally(result, features_by_id)
    groups = list(counted.by_group)
    lines = ['<div class="scroll"><table class="grid">', "<tr><th>feature \\ group</th>"]
    lines += [f"<th>{escape(group)}</th>" for group in groups]
    lines.append("<th>all</th></tr>")
    for feature, feature_counts in counted.by_feature.items():
        row = [f"<tr><th>{escape(feature)}</th>"]
        for group in groups:
            row.append(_cell(counted.cells.get((group, feature)), f"{group} with {feature}"))
        row.append(_cell(feature_counts, f"every vector with {feature}"))
        lines.append("".join(row) + "</tr>")
    row = ["<tr><th>all</th>"]
    for group in groups:
        row.append(_cell(counted.by_group[group], f"every vector of {group}"))
    row.append(_cell(counted.total, "the run"))
    lines.append("".join(row) + "</tr>")
    lines.append("</table></div>")
    return lines


def _squares(result: RunResult) -> list[str]:
    by_group: dict[str, list[Outcome]] = {}
    for outcome in result.outcomes:
        by_group.setdefault(group_of(outcome.id), []).append(outcome)
    lines = []
    for group in sorted(by_group):
        lines.append(f"<h3>{escape(group)}</h3>")
        lines.append('<div class="squares">')
        for outcome in by_group[group]:
            title = escape(f"{outcome.id}: {outcome.status}")
            square = f'<span class="square {outcome.status}" title="{title}"></span>'
            if outcome.status in ("failed", "errored"):
                square = f'<a href="#{anchor(outcome.id)}" aria-label="{title}">{square}</a>'
            lines.append(square)
        lines.append("</div>")
    return lines


def _wrong_numbers(wrong: list[Mismatch], total: int) -> list[str]:
    lines = [
        '<div class="scroll"><table>',
        "<tr><th>quantity</th><th>expected</th><th>got</th><th>absolute error</th><th>relative error</th>"
        "<th>allowed</th><th>ulps</th><th>why</th></tr>",
    ]
    for item in wrong:
        cells = [
            f"<td><code>{escape(item.path)}</code></td>",
            f'<td class="number">{escape(_number(item.expected))}</td>',
            f'<td class="number">{escape(_number(item.got))}</td>',
            f'<td class="number">{"" if item.abs_error is None else f"{item.abs_error:.3g}"}</td>',
            f'<td class="number">{"" if item.rel_error is None else f"{item.rel_error:.3g}"}</td>',
            f'<td class="number">{"" if item.allowed is None else f"{item.allowed:.3g}"}</td>',
            f'<td class="number">{"" if item.ulps is None else item.ulps}</td>',
            f"<td>{escape(item.message)}</td>",
        ]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table></div>")
    if total > len(wrong):
        lines.append(f"<p>The first {len(wrong)} of {total} wrong numbers or structures, in computation order.</p>")
    return lines


def _details(outcome: Outcome) -> list[str]:
    lines = [
        f'<section class="vector {outcome.status}" id="{anchor(outcome.id)}">',
        f"<h3>{escape(outcome.status.upper())} <code>{escape(outcome.id)}</code></h3>",
    ]
    for suspect in outcome.suspects:
        contradicted = suspect.contradicted_by_the_run()
        doubt = "the port's mistake may be another one that gives these numbers here<br>" if contradicted else ""
        lines.append(
            f'<div class="bug"><strong>{"Possible" if contradicted else "Likely"} bug: {escape(suspect.bug)}</strong>: '
            f"{escape(suspect.title)}<br>"
            f"matches {escape(suspect.agreement)} ({escape(suspect.form)}: {escape(suspect.detail)})<br>{doubt}"
            f"<strong>Fix:</strong> {escape(suspect.fix)}<br><strong>Read:</strong> {escape(suspect.read)}</div>"
        )
    if outcome.mismatch is not None:
        wrong = outcome.comparison.wrong if outcome.comparison is not None else [outcome.mismatch]
        total = outcome.comparison.mismatches if outcome.comparison is not None else 1
        lines.append(f"<p>First wrong quantity: <code>{escape(outcome.mismatch.path)}</code></p>")
        lines += _wrong_numbers(wrong or [outcome.mismatch], total)
    else:
        lines.append(f"<pre>{escape(outcome.message)}</pre>")
    if outcome.diagnosis_note:
        lines.append(f"<p>{escape(outcome.diagnosis_note)}</p>")
    if outcome.stderr_tail:
        lines.append(f"<p>The program's stderr (its end):</p><pre>{escape(outcome.stderr_tail)}</pre>")
    lines.append("</section>")
    return lines


def html_text(result: RunResult, features_by_id: dict[str, list[str]], vectors: str) -> str:
    """The whole page; `features_by_id` gives each vector's features, `vectors` says where they came from."""
    passed = result.exit_status() == 0
    verdict = "conforms" if passed else "does not conform"
    strict = "yes: vectors flagged EXACT must match bit for bit" if result.strict else "no"
    title = f"backprop-spec conformance: {implementation_text(result.implementation)} {verdict}"
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="verdict {"passed" if passed else "failed"}">{escape(summary_line(result))}</p>',
        '<dl class="facts">',
        f"<dt>implementation</dt><dd>{escape(implementation_text(result.implementation))}</dd>",
        f"<dt>tier</dt><dd>{escape(tier_text(result))}</dd>",
        f"<dt>{escape(result.mode)}</dt><dd><code>{escape(result.source)}</code></dd>",
        f"<dt>vectors</dt><dd>{escape(vectors)} (spec {escape(SPEC_VERSION)})</dd>",
        f"<dt>strict</dt><dd>{escape(strict)}</dd>",
        f"<dt>time</dt><dd>{result.seconds:.2f} s for {len(result.outcomes)} vector(s)</dd>",
    ]
    for note in result.notes:
        lines.append(f"<dt>note</dt><dd>{escape(note)}</dd>")
    lines.append("</dl>")
    lines.append("<h2>By group and feature</h2>")
    lines.append(
        "<p>Each cell: vectors passed / vectors of that group that use that feature; "
        "red when one of them failed or errored. Hover for the counts.</p>"
    )
    lines += _grid(result, features_by_id)
    lines.append("<h2>Every vector</h2>")
    lines += _squares(result)
    failing = not_passed(result)
    if failing:
        lines.append(f"<h2>Failed or errored ({len(failing)})</h2>")
        for outcome in failing:
            lines += _details(outcome)
    lines += ["</body>", "</html>"]
    return "\n".join(lines) + "\n"
