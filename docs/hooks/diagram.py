"""Build-time SVG pictures for the documentation: a network carrying the numbers of one
vector, plots of the activation functions and loss curves.

Every picture is deterministic (same vector, same bytes) and draws with
`currentColor` and the theme's CSS variables, so it reads in light and dark mode.
Numbers on a picture are a vector's numbers rounded to 4 significant digits; the
full values are in each element's <title> (a tooltip) and in the walk-throughs.
"""

import html
from collections.abc import Callable
from typing import Any

from reference_impl.core.activations import activate, activate_prime

ROW = 92.0  # vertical distance between neurons
COLUMN = 210.0  # horizontal distance between layers
RADIUS = 19.0
TOP = 50.0  # room for the column titles
LEFT = 136.0  # room for the input labels ("dL_dx -0.01441" is about 90 units wide)
CHAR = 6.4  # approximate width of one character at font-size 11.5


def short(value: float) -> str:
    """A number rounded for a picture.  short(0.5932699921071872) -> '0.5933'"""
    text = f"{value:.4g}"
    if text == "-0":
        return "-0.0"
    return text


def _f(value: float) -> str:
    return f"{value:.1f}"


def _text(x: float, y: float, content: str, css: str = "", anchor: str = "middle", title: str = "") -> str:
    tip = f"<title>{html.escape(title)}</title>" if title else ""
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" class="{css}" fill="currentColor">'
        f"{tip}{html.escape(content)}</text>"
    )


def _label(x: float, y: float, content: str, css: str, title: str) -> str:
    """Text on a small background plate, centred at (x, y)."""
    left, top, right, _ = _plate(x, y, content)
    width = right - left
    return (
        f'<g class="plate"><rect x="{_f(left)}" y="{_f(top)}" width="{_f(width)}" height="15.0" '
        'rx="3.0" class="label-bg"/>' + _text(x, y + 2.5, content, css, "middle", title) + "</g>"
    )


# where along an edge (0 = source, 1 = target) its label may sit, in order of preference:
# near the source first, where the edges of one input fan out 0.25 * ROW apart
LABEL_PLACES = (0.25, 0.4, 0.55, 0.7, 0.18, 0.33, 0.48, 0.62, 0.78, 0.12, 0.85)


def _plate(x: float, y: float, content: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the plate _label draws for `content` centred at (x, y)."""
    width = len(content) * CHAR + 8.0
    return (x - width / 2, y - 9.0, x + width / 2, y + 6.0)


def _free_place(
    x1: float, y1: float, x2: float, y2: float, content: str, placed: list[tuple[float, float, float, float]]
) -> float:
    """The first of LABEL_PLACES where a label on the edge (x1, y1) -> (x2, y2) hides none
    placed before (crossing edges meet at the same point at the same fraction), and record
    its plate in `placed`. Falls back to the first place when every one is taken."""
    chosen = LABEL_PLACES[0]
    for t in LABEL_PLACES:
        box = _plate(x1 + (x2 - x1) * t, y1 + (y2 - y1) * t, content)
        overlaps = False
        for other in placed:
            if (
                box[0] < other[2] + 2.0
                and other[0] < box[2] + 2.0
                and box[1] < other[3] + 1.0
                and other[1] < box[3] + 1.0
            ):
                overlaps = True
        if not overlaps:
            chosen = t
            break
    placed.append(_plate(x1 + (x2 - x1) * chosen, y1 + (y2 - y1) * chosen, content))
    return chosen


ACTIVATION_MARK = {
    "identity": "id",
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "lrelu",
    "softmax": "soft",
}


def _parameters_before(vector: dict[str, Any], step_index: int) -> list[dict[str, Any]]:
    layers: list[dict[str, Any]] = vector["case"]["layers"]
    if step_index == 0:
        return layers
    recorded = vector["expected"]["steps"][step_index - 1]["layers"]
    return [dict(layers[i], w=recorded[i]["w"], b=recorded[i]["b"]) for i in range(len(layers))]


def network_svg(vector: dict[str, Any], step_index: int = 0, example_index: int = 0, show: str = "forward") -> str:
    """The network of `vector` at step `step_index`, example `example_index`, labelled with
    the forward numbers (show="forward": x, w, z, a, b, y, loss), the backward numbers
    (show="backward": dL_da, dL_dz, dL_dw on the edges, dL_dx at the inputs) or the update
    (show="update": the new w on the edges and the new b)."""
    if show not in ("forward", "backward", "update"):
        raise ValueError(f"show must be forward, backward or update, not {show!r}")
    case = vector["case"]
    layers = _parameters_before(vector, step_index)
    step = vector["expected"]["steps"][step_index]
    batch = case["batches"][step_index % len(case["batches"])]
    example = batch[example_index]
    records = step["examples"][example_index]["layers"]
    updates = step["layers"]
    sizes = [len(example["x"])] + [len(layer["w"]) for layer in layers]
    tallest = max(sizes)
    width = LEFT + COLUMN * (len(sizes) - 1) + 150.0
    height = TOP + ROW * tallest + 40.0
    label_edges = max(sizes) <= 4

    def position(column: int, index: int) -> tuple[float, float]:
        offset = (tallest - sizes[column]) * ROW / 2.0
        return LEFT + COLUMN * column, TOP + offset + ROW * index + ROW / 2.0

    parts: list[str] = []
    title = f"{vector['id']}, step {step_index}, example {example_index}: {show}"
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nn-diagram" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'width="{_f(width)}" height="{_f(height)}" role="img" aria-label="{html.escape(title)}">'
    )
    parts.append(f"<title>{html.escape(title)}</title>")
    # column titles
    parts.append(_text(LEFT, 22.0, "input x", "column"))
    for layer_index in range(len(layers)):
        role = "output" if layer_index == len(layers) - 1 else "hidden"
        heading = f"layer {layer_index + 1}: {layers[layer_index]['activation']}"
        parts.append(_text(LEFT + COLUMN * (layer_index + 1), 22.0, heading, "column"))
        parts.append(_text(LEFT + COLUMN * (layer_index + 1), 38.0, f"({role})", "column-note"))

    def neuron_lines(layer_index: int, j: int) -> list[tuple[str, str]]:
        """The (shown, full) lines under neuron j of a layer."""
        layer = layers[layer_index]
        record = records[layer_index]
        lines: list[tuple[str, str]] = []  # (shown, full)
        where = f"layer {layer_index + 1} "
        if show == "forward":
            lines.append((f"z {short(record['z'][j])}", f"{where}z[{j}] = {record['z'][j]!r}"))
            lines.append((f"a {short(record['a'][j])}", f"{where}a[{j}] = {record['a'][j]!r}"))
            lines.append((f"b {short(layer['b'][j])}", f"{where}b[{j}] = {layer['b'][j]!r}"))
        elif show == "backward":
            dL_da = record["dL_da"]
            if dL_da is None:
                lines.append(("dL_da null", f"{where}dL_da = null (fused cross-entropy)"))
            else:
                lines.append((f"dL_da {short(dL_da[j])}", f"{where}dL_da[{j}] = {dL_da[j]!r}"))
            lines.append((f"dL_dz {short(record['dL_dz'][j])}", f"{where}dL_dz[{j}] = {record['dL_dz'][j]!r}"))
        else:
            new_b = updates[layer_index]["b"][j]
            lines.append(
                (
                    f"dL_db {short(updates[layer_index]['dL_db'][j])}",
                    f"{where}batch dL_db[{j}] = {updates[layer_index]['dL_db'][j]!r}",
                )
            )
            lines.append((f"b {short(new_b)}", f"{where}new b[{j}] = {new_b!r}"))
        return lines

    # the neurons' own labels first: an edge label must not cover them (nor a minus sign)
    placed: list[tuple[float, float, float, float]] = []  # every label's box so far
    for layer_index in range(len(layers)):
        for j in range(len(layers[layer_index]["w"])):
            x, y = position(layer_index + 1, j)
            placed.append((x - RADIUS, y - RADIUS, x + RADIUS, y + RADIUS))
            shown_lines = neuron_lines(layer_index, j)
            for number_of_line in range(len(shown_lines)):
                baseline = y + RADIUS + 14.0 + 13.0 * number_of_line
                half = len(shown_lines[number_of_line][0]) * CHAR / 2.0
                placed.append((x - half, baseline - 10.0, x + half, baseline + 3.0))
    # edges, then their labels on top
    edges: list[str] = []
    plates: list[str] = []
    for layer_index in range(len(layers)):
        w = layers[layer_index]["w"]
        for j in range(len(w)):
            for k in range(len(w[0])):
                x1, y1 = position(layer_index, k)
                x2, y2 = position(layer_index + 1, j)
                length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
                ux, uy = (x2 - x1) / length, (y2 - y1) / length
                edges.append(
                    f'<line x1="{_f(x1 + ux * RADIUS)}" y1="{_f(y1 + uy * RADIUS)}" x2="{_f(x2 - ux * RADIUS)}" '
                    f'y2="{_f(y2 - uy * RADIUS)}" '
                    f'class="edge" stroke="currentColor"/>'
                )
                if not label_edges:
                    continue
                if show == "forward":
                    value, name = w[j][k], f"w[{j}][{k}]"
                elif show == "backward":
                    value, name = records[layer_index]["dL_dw"][j][k], f"dL_dw[{j}][{k}]"
                else:
                    value, name = updates[layer_index]["w"][j][k], f"new w[{j}][{k}]"
                full = f"layer {layer_index + 1} {name} = {value!r}"
                t = _free_place(x1, y1, x2, y2, short(value), placed)
                plates.append(_label(x1 + (x2 - x1) * t, y1 + (y2 - y1) * t, short(value), "edge-label", full))
    parts += edges
    parts += plates
    # input nodes
    for k in range(sizes[0]):
        x, y = position(0, k)
        parts.append(
            f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(RADIUS)}" class="node input" stroke="currentColor" fill="none"/>'
        )
        parts.append(_text(x, y + 4.0, f"x[{k}]", "node-name"))
        if show == "backward":
            value = records[0]["dL_dx"][k]
            parts.append(
                _text(
                    x - RADIUS - 6.0,
                    y + 4.0,
                    f"dL_dx {short(value)}",
                    "value",
                    "end",
                    f"layer 1 dL_dx[{k}] = {value!r}",
                )
            )
        else:
            value = example["x"][k]
            parts.append(_text(x - RADIUS - 6.0, y + 4.0, short(value), "value", "end", f"x[{k}] = {value!r}"))
    # neurons
    for layer_index in range(len(layers)):
        layer = layers[layer_index]
        is_output = layer_index == len(layers) - 1
        for j in range(len(layer["w"])):
            x, y = position(layer_index + 1, j)
            css = "node output" if is_output else "node"
            parts.append(
                f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(RADIUS)}" class="{css}" stroke="currentColor" fill="none"/>'
            )
            parts.append(_text(x, y + 4.0, ACTIVATION_MARK[layer["activation"]], "node-name"))
            lines = neuron_lines(layer_index, j)
            for number_of_line in range(len(lines)):
                shown, full = lines[number_of_line]
                parts.append(_text(x, y + RADIUS + 14.0 + 13.0 * number_of_line, shown, "value small", "middle", full))
            if is_output and show == "forward":
                target = example["y"][j]
                parts.append(
                    _text(
                        x + RADIUS + 8.0, y + 4.0, f"y {short(target)}", "value target", "start", f"y[{j}] = {target!r}"
                    )
                )
    loss = step["examples"][example_index]["loss"]
    if show != "update":
        parts.append(
            _text(
                width - 8.0,
                height - 10.0,
                f"loss {short(loss)}",
                "value loss",
                "end",
                f"loss of this example = {loss!r}",
            )
        )
    elif step_index + 1 < len(vector["expected"]["steps"]):  # the loss the new parameters give
        after = vector["expected"]["steps"][step_index + 1]["loss"]
        tip = f"batch loss of step {step_index + 1} = {after!r}"
        parts.append(
            _text(width - 8.0, height - 10.0, f"batch loss after the step {short(after)}", "value loss", "end", tip)
        )
    parts.append("</svg>")
    return "\n".join(parts)


LEGENDS = {
    "forward": "On the edges: the weight w[j][k], to neuron j from input k. Left: the inputs x. Under each neuron: "
    "z = (weighted sum) + b, a = f(z), and its bias b. Right of an output: the target y. "
    "Bottom right: this example's loss.",
    "backward": "On the edges: dL_dw[j][k] = dL_dz[j] · x[k], the weight's derivative for this example. "
    "Left: dL_dx, what the first layer would pass further down. Under each neuron: dL_da and dL_dz = dL_da · f'(z).",
    "update": "On the edges: the new weight, w − lr · (batch dL_dw). Under each neuron: the batch dL_db and the new "
    "bias b. Bottom right, when the vector has a next step: the batch loss the new parameters give.",
}


def legend(show: str) -> str:
    """What the numbers of a network picture drawn with `show` mean, as an HTML paragraph."""
    return f'<p class="diagram-legend">{html.escape(LEGENDS[show])}</p>'


def _legend(x: float, y: float, css: str, label: str) -> str:
    """A short line in the style `css` and its label."""
    line = f'<line x1="{_f(x)}" y1="{_f(y)}" x2="{_f(x + 24.0)}" y2="{_f(y)}" class="{css}" stroke="currentColor"/>'
    return line + _text(x + 30.0, y + 4.0, label, "legend", "start")


def _polyline(points: list[tuple[float, float]], css: str) -> str:
    coordinates = " ".join(f"{_f(x)},{_f(y)}" for x, y in points)
    return f'<polyline points="{coordinates}" class="{css}" fill="none" stroke="currentColor"/>'


def activation_plot(name: str, slope: float = 0.0, marks: list[tuple[float, str]] | None = None) -> str:
    """f(z) and f'(z) of the activation `name` over z in [-5, 5], computed with the
    reference's own functions, with a dot at each (z, label) of `marks`."""
    width, height = 360.0, 240.0
    left, right, top, bottom = 40.0, 12.0, 14.0, 30.0
    low, high = -5.0, 5.0
    ranges = {
        "identity": (-5.0, 5.0),
        "sigmoid": (-0.2, 1.2),
        "tanh": (-1.2, 1.2),
        "relu": (-1.0, 5.0),
        "leaky_relu": (-1.5, 5.0),
    }
    ticks = {
        "identity": (-4.0, -2.0, 0.0, 2.0, 4.0),
        "sigmoid": (0.0, 0.5, 1.0),
        "tanh": (-1.0, 0.0, 1.0),
        "relu": (0.0, 2.0, 4.0),
        "leaky_relu": (0.0, 2.0, 4.0),
    }
    y_low, y_high = ranges[name]

    def to_x(z: float) -> float:
        return left + (z - low) / (high - low) * (width - left - right)

    def to_y(value: float) -> float:
        return top + (y_high - value) / (y_high - y_low) * (height - top - bottom)

    def f(z: float) -> float:
        return activate(name, z, slope)

    def f_prime(z: float) -> float:
        return activate_prime(name, z, slope)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nn-plot" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'width="{_f(width)}" height="{_f(height)}" '
        f'role="img" aria-label="{name} and its derivative">',
        f"<title>{html.escape(name)}(z) and its derivative, from reference_impl/core/activations.py</title>",
    ]
    # grid and axes
    for tick in (-4.0, -2.0, 0.0, 2.0, 4.0):
        parts.append(
            f'<line x1="{_f(to_x(tick))}" y1="{_f(top)}" x2="{_f(to_x(tick))}" y2="{_f(height - bottom)}" '
            'class="grid" stroke="currentColor"/>'
        )
        parts.append(_text(to_x(tick), height - bottom + 16.0, f"{tick:g}", "tick"))
    for tick in ticks[name]:
        parts.append(
            f'<line x1="{_f(left)}" y1="{_f(to_y(tick))}" x2="{_f(width - right)}" y2="{_f(to_y(tick))}" '
            'class="grid" stroke="currentColor"/>'
        )
        parts.append(_text(left - 6.0, to_y(tick) + 4.0, f"{tick:g}", "tick", "end"))
    parts.append(
        f'<line x1="{_f(to_x(0.0))}" y1="{_f(top)}" x2="{_f(to_x(0.0))}" y2="{_f(height - bottom)}" '
        'class="axis" stroke="currentColor"/>'
    )
    parts.append(
        f'<line x1="{_f(left)}" y1="{_f(to_y(0.0))}" x2="{_f(width - right)}" y2="{_f(to_y(0.0))}" '
        'class="axis" stroke="currentColor"/>'
    )
    parts.append(_text(width - right, height - 4.0, "z", "tick", "end"))

    def curve(function: Callable[[float], float], css: str) -> None:
        """Sampled at 201 points; a jump (a kink's derivative) breaks the line."""
        segment: list[tuple[float, float]] = []
        previous: float | None = None
        for i in range(201):
            z = low + (high - low) * i / 200.0
            value = function(z)
            if previous is not None and abs(value - previous) > 0.3:
                parts.append(_polyline(segment, css))
                segment = []
            clipped = min(max(value, y_low), y_high)
            segment.append((to_x(z), to_y(clipped)))
            previous = value
        parts.append(_polyline(segment, css))

    curve(f, "curve-f")
    curve(f_prime, "curve-fprime")
    if name in ("relu", "leaky_relu"):
        # the kink: f'(0) is the convention (filled dot), the other one-sided value is left open
        at_zero = f_prime(0.0)
        from_right = f_prime(1e-9)
        parts.append(
            f'<circle cx="{_f(to_x(0.0))}" cy="{_f(to_y(from_right))}" r="3.5" class="open-dot" stroke="currentColor"/>'
        )
        parts.append(
            f'<circle cx="{_f(to_x(0.0))}" cy="{_f(to_y(at_zero))}" r="3.5" class="kink-dot">'
            f"<title>{name}'(0) = {at_zero!r}</title></circle>"
        )
    for z, label in marks or []:
        value = f(z)
        parts.append(
            f'<circle cx="{_f(to_x(z))}" cy="{_f(to_y(value))}" r="4.0" class="mark">'
            f"<title>{html.escape(label)}: {name}({z!r}) = {value!r}</title></circle>"
        )
    # legend
    parts.append(_legend(left + 10.0, top + 10.0, "curve-f", f"{name}(z)"))
    parts.append(_legend(left + 10.0, top + 28.0, "curve-fprime", f"{name}'(z)"))
    parts.append("</svg>")
    return "\n".join(parts)


def loss_curve(series: list[tuple[str, list[float]]], title: str) -> str:
    """One line per (name, losses by step), steps along x from 0."""
    width, height = 560.0, 260.0
    left, right, top, bottom = 64.0, 16.0, 16.0, 34.0
    n_steps = max(len(values) for _, values in series)
    y_high = max(max(values) for _, values in series) * 1.05
    if y_high <= 0.0:
        y_high = 1.0

    def to_x(step: float) -> float:
        return left + step / max(n_steps - 1, 1) * (width - left - right)

    def to_y(value: float) -> float:
        return top + (y_high - value) / y_high * (height - top - bottom)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nn-plot loss-curve" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'width="{_f(width)}" height="{_f(height)}" '
        f'role="img" aria-label="{html.escape(title)}">',
        f"<title>{html.escape(title)}</title>",
    ]
    for i in range(5):
        value = y_high * i / 4.0
        parts.append(
            f'<line x1="{_f(left)}" y1="{_f(to_y(value))}" x2="{_f(width - right)}" y2="{_f(to_y(value))}" '
            'class="grid" stroke="currentColor"/>'
        )
        parts.append(_text(left - 6.0, to_y(value) + 4.0, f"{value:.3g}", "tick", "end"))
    every = 1  # a step between ticks of 1, 2 or 5 times a power of ten, at most 6 intervals
    while (n_steps - 1) / every > 6:
        every = every * 5 // 2 if str(every)[0] == "2" else every * 2
    for step in range(0, n_steps, every):
        parts.append(_text(to_x(step), height - bottom + 16.0, str(step), "tick"))
    parts.append(_text(width - right, height - 4.0, "step", "tick", "end"))
    for series_index in range(len(series)):
        name, values = series[series_index]
        points = [(to_x(step), to_y(values[step])) for step in range(len(values))]
        parts.append(_polyline(points, f"curve-{series_index}"))
        for step in range(len(values)):
            x, y = points[step]
            tip = f"<title>{html.escape(name)}, step {step}: loss {values[step]!r}</title>"
            parts.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="2.2" class="dot-{series_index}">{tip}</circle>')
        parts.append(_legend(width - 230.0, top + 12.0 + 18.0 * series_index, f"curve-{series_index}", name))
    parts.append("</svg>")
    return "\n".join(parts)
