"""Which vectors a run uses: the source that --vectors names, filtered by --only and --feature, through
the one loader of format/vectors.py. A source that cannot be read ends the run (HarnessError)."""

from dataclasses import dataclass
from typing import Any

from reference_impl.conformance.verdict import HarnessError, Options
from reference_impl.format.strict_json import InputError
from reference_impl.format.vectors import VectorSet, load_vectors


@dataclass(frozen=True)
class Selection:
    """The vectors to run, in order, and every id the source holds (selected or not)."""

    selected: list[dict[str, Any]]
    all_ids: set[str]
    source: VectorSet


def selected_vectors(options: Options) -> Selection:
    """The vectors of `options.vectors` whose ids match `options.only`."""
    try:
        vectors = load_vectors(options.vectors, keep_texts=False)
    except InputError as error:
        message = str(error)
        if message.endswith("no such vectors directory or file"):
            message += " (use --vectors DIR)"
        raise HarnessError(message) from None
    selected = vectors.select(options.only, features=options.features)
    if not selected:
        wanted = " ".join(
            [f"--only {pattern}" for pattern in options.only] + [f"--feature {name}" for name in options.features]
        )
        raise HarnessError(
            f"no vector in {options.vectors} matches {wanted}" if wanted else f"{options.vectors}: no vectors"
        )
    return Selection(selected=selected, all_ids=set(vectors.ids()), source=vectors)
