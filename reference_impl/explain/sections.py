"""The pieces a walk-through is made of, and its two renderers: a Line is one equation, a
Section a titled group of them; `to_text` prints sections for a terminal, `to_html` for the
documentation site. Numbers are printed as the vectors write them.

Left out on purpose: what the equations say (walkthrough.py builds them from a vector).
"""

import html
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One equation: its text and the spec equation or section it applies (or "")."""

    text: str
    ref: str = ""


@dataclass(frozen=True)
class Section:
    """A titled group of lines: one layer's forward pass, the loss, one layer's update, ...

    `kind` is one of "forward", "loss", "backward", "batch", "update"; `layer` is the
    layer's number counted from 1 as in the spec's prose (0 for the loss and the batch).
    """

    title: str
    lines: list[Line]
    kind: str = ""
    layer: int = 0


def number(value: float) -> str:
    """A number as the vectors write it: the shortest text that reads back to the same binary64.

    number(2) -> '2.0', number(-0.5) -> '-0.5'
    """
    return repr(float(value))


def operand(value: float) -> str:
    """A number inside an expression: negative numbers in parentheses.  operand(-2.0) -> '(-2.0)'"""
    text = number(value)
    if text.startswith("-"):
        return "(" + text + ")"
    return text


def numbers(values: list[float]) -> str:
    """A list of numbers.  numbers([0.05, 0.1]) -> '[0.05, 0.1]'"""
    return "[" + ", ".join(number(value) for value in values) + "]"


def to_text(sections: list[Section], header: list[str] | None = None) -> str:
    """The walk-through as plain text for a terminal."""
    out: list[str] = []
    if header:
        out += header
        out.append("")
    for section in sections:
        out.append(section.title)
        for line in section.lines:
            out.append("  " + line.text + (f"   ({line.ref})" if line.ref else ""))
        out.append("")
    return "\n".join(out)


def to_html(sections: list[Section], ref_href: Callable[[str], str | None]) -> str:
    """The walk-through as HTML for the Learn pages: one block per section, one line per
    equation, the spec reference linked where `ref_href(ref)` gives an address."""
    out = ['<div class="walkthrough">']
    for section in sections:
        out.append('<div class="wt-section">')
        out.append(f'<p class="wt-title">{html.escape(section.title)}</p>')
        for line in section.lines:
            ref = ""
            if line.ref:
                href = ref_href(line.ref)
                label = html.escape(line.ref)
                ref = (
                    f' <a class="wt-ref" href="{html.escape(href)}">{label}</a>'
                    if href
                    else f' <span class="wt-ref">{label}</span>'
                )
            out.append(f'<div class="wt-line"><code>{html.escape(line.text)}</code>{ref}</div>')
        out.append("</div>")
    out.append("</div>")
    return "\n".join(out)


class Names:
    """Indexed names for one layer: `z[0]`, `w[0][1]`; plain `z`, `w` for a 1-input, 1-neuron layer."""

    def __init__(self, n_neurons: int, n_inputs: int) -> None:
        self.scalar = n_neurons == 1 and n_inputs == 1

    def of(self, name: str, *indices: int) -> str:
        if self.scalar:
            return name
        return name + "".join(f"[{index}]" for index in indices)
