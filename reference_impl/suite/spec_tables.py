"""The vocabulary tables of spec/spec.md (features, flags, bug catalogue), written from
vocabulary.py so that the spec and the code can never disagree.

`backprop-spec generate` rewrites the text between the marker comments
    <!-- generated: NAME from reference_impl/suite/vocabulary.py -->  ...  <!-- end NAME -->
and `generate --check` reports a spec whose tables differ.
"""

import re

from reference_impl.suite.vocabulary import BUGS, FEATURES, FLAGS


def _cell(text: str) -> str:
    """Markdown-table-safe text: pipes and asterisks escaped."""
    return text.replace("|", "\\|").replace("*", "\\*")


def features_table() -> str:
    rows = ["| feature | meaning |", "|---|---|"]
    rows += [f"| `{name}` | {_cell(meaning)} |" for name, meaning in FEATURES.items()]
    return "\n".join(rows)


def flags_table() -> str:
    rows = ["| flag | meaning |", "|---|---|"]
    rows += [f"| `{name}` | {_cell(meaning)} |" for name, meaning in FLAGS.items()]
    return "\n".join(rows)


def bugs_table() -> str:
    rows = ["| id | what goes wrong | first wrong quantity | fix | read |", "|---|---|---|---|---|"]
    for name, bug in BUGS.items():
        rows.append(f"| `{name}` | {_cell(bug['title'])} | {_cell(bug['first_wrong'])} | {_cell(bug['fix'])} | {bug['read']} |")
    return "\n".join(rows)


TABLES = {"FEATURES_TABLE": features_table, "FLAGS_TABLE": flags_table, "BUGS_TABLE": bugs_table}


def with_tables(text: str) -> str:
    """`text` with every marked table replaced by its current contents."""
    for name, render in TABLES.items():
        start = f"<!-- generated: {name} from reference_impl/suite/vocabulary.py -->"
        end = f"<!-- end {name} -->"
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), flags=re.S)
        found = pattern.search(text)
        if found is not None:
            text = text[: found.start()] + f"{start}\n{render()}\n{end}" + text[found.end() :]
    return text
