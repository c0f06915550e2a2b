"""A Markdown summary of a conformance run, fit for a CI job summary (GitHub's $GITHUB_STEP_SUMMARY,
GitLab's or any Markdown viewer): the verdict, counts by id group and by feature, then each failed
or errored vector with its first wrong number and the likely bug, folded under <details>.

Not here: the text, JSON and JUnit reports (report.py), the HTML page (report_html.py).
"""

from collections import Counter

from reference_impl.conformance.report import implementation_text, summary_line, tier_text
from reference_impl.conformance.tally import not_passed, tally
from reference_impl.conformance.verdict import STATUSES, Outcome, RunResult
from reference_impl.format.vocabulary import SPEC_VERSION

DETAILED = 50  # failing vectors shown in full; the rest are counted


def cell(text: str) -> str:
    """Text safe inside a table cell: cell("a|b") -> 'a\\|b'"""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def code(text: str) -> str:
    """An inline code span that survives backticks in the text: code("a`b") -> '`` a`b ``'"""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _row(name: str, counts: Counter[str]) -> str:
    return f"| {name} | " + " | ".join(str(counts[status]) for status in STATUSES) + " |"


def _table(title: str, rows: dict[str, Counter[str]]) -> list[str]:
    lines = [f"| {title} | " + " | ".join(STATUSES) + " |", "|---|" + "---:|" * len(STATUSES)]
    for name, counts in rows.items():
        marker = " ❌" if counts["failed"] + counts["errored"] else ""
        lines.append(_row(code(name) + marker, counts))
    return lines


def _details(outcome: Outcome) -> list[str]:
    mismatch = outcome.mismatch
    first_line = outcome.message.split("\n", 1)[0]
    summary = f"{outcome.status.upper()} {code(outcome.id)}: {cell(first_line)}"
    lines = ["<details>", f"<summary>{summary}</summary>", ""]
    if mismatch is not None and (mismatch.expected is not None or mismatch.got is not None):
        lines += ["| quantity | expected | got | error | allowed | ulps |", "|---|---|---|---|---|---:|"]
        wrong = outcome.comparison.wrong if outcome.comparison is not None else [mismatch]
        for item in wrong[:10]:
            error = f"{item.abs_error:.3g}" if item.abs_error is not None else cell(item.message)
            allowed = f"{item.allowed:.3g}" if item.allowed is not None else ""
            lines.append(
                f"| {code(cell(item.path))} | {code(cell(repr(item.expected)))} | {code(cell(repr(item.got)))}"
                f" | {error} | {allowed} |"
                f" {item.ulps if item.ulps is not None else ''} |"
            )
        if outcome.comparison is not None and outcome.comparison.mismatches > len(wrong[:10]):
            lines += ["", f"{outcome.comparison.mismatches} wrong numbers or structures in all."]
    else:
        lines += ["```", outcome.message, "```"]
    for suspect in outcome.suspects:
        doubt = ""
        if suspect.contradicted_by_the_run():
            doubt = (
                f" It matches {suspect.agreement}: the port's mistake may be another one that gives these numbers here."
            )
        word = "Possible" if doubt else "Likely"
        lines += [
            "",
            f"**{word} bug:** {code(suspect.bug)}: {suspect.title}. **Fix:** {suspect.fix} (read {suspect.read})"
            + doubt,
        ]
    if outcome.diagnosis_note:
        lines += ["", outcome.diagnosis_note]
    lines += ["", "</details>", ""]
    return lines


def markdown_text(result: RunResult, features_by_id: dict[str, list[str]], vectors: str) -> str:
    """The whole summary; `features_by_id` gives each vector's features, `vectors` says where they came from."""
    counted = tally(result, features_by_id)
    passed = result.exit_status() == 0
    verdict = "✅ conforms" if passed else "❌ does not conform"
    strict = ", `--strict` (EXACT vectors bit for bit)" if result.strict else ""
    lines = [
        f"## backprop-spec conformance: {verdict}",
        "",
        f"**{summary_line(result)}** in {result.seconds:.2f} s{strict}",
        "",
        f"- implementation: {implementation_text(result.implementation)}",
        f"- tier: {tier_text(result)}",
        f"- {result.mode}: {code(result.source)}",
        f"- vectors: {cell(vectors)}, spec {SPEC_VERSION}",
    ]
    for note in result.notes:
        lines.append(f"- note: {cell(note)}")
    lines += ["", "### By group", "", *_table("group", counted.by_group)]
    lines += ["", "### By feature", "", "A vector counts under every feature it uses.", ""]
    lines += _table("feature", counted.by_feature)
    failing = not_passed(result)
    if failing:
        lines += ["", f"### Failed or errored ({len(failing)})", ""]
        for outcome in failing[:DETAILED]:
            lines += _details(outcome)
        if len(failing) > DETAILED:
            lines.append(f"... and {len(failing) - DETAILED} more (see the JSON or HTML report).")
    return "\n".join(lines).rstrip("\n") + "\n"
