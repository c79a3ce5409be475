"""Room for a chart's axis labels, reserved before the chart is sent, so that Plotly draws it once (issue 15).

Every axis keeps `automargin`: Plotly measures the labels it has drawn and, when they do not fit in the margins it
was given, widens the margins and draws the whole chart again. That second pass cost 35 to 45 % of the drawing of
most charts (80 to 120 ms of browser time per switch to Instances). Here the labels are measured beforehand from
the advance widths of the dashboard's font (Source Sans 3, the font Streamlit serves), and the margins are given
at least that room. A label this cannot know (an axis of dates in Plotly's own format, say) is left to
automargin, as before; so is a legend that wraps on a phone: a margin too small still only costs the second pass,
never a cut label.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator

# Source Sans 3 (SIL Open Font License 1.1), the variable font of Streamlit's static files: each character's
# advance width in thousandths of an em at the regular weight, rounded up to 10
_WIDTHS = {
    100: '\u2009',
    120: '\u202f',
    200: ' \xa0',
    250: "',.:;ij|¦·ìíîï’‘",
    260: 'l',
    270: 'IÌÍÎÏ',
    290: '!¡',
    300: 'f',
    310: '()[]{}',
    320: '-\xad',
    340: 't°',
    350: '/\\rª',
    370: '²³¹º',
    420: '*s',
    430: '"?z«®»¿“”',
    450: 'x',
    460: 'cç',
    470: 'vyýÿ',
    480: 'JYÝ–',
    490: 'L',
    500: '#$+0123456789<=>F^_ek~¢£¤¥§¬±×èéêë÷€−',
    510: 'agàáâãäå',
    520: 'VX',
    530: 'EÈÉÊË',
    540: 'STZ',
    550: 'A`hnou¨¯´¸ÀÁÂÃÄÅðñòóôõöøùúûü',
    560: 'bdpq¶þ',
    570: 'PRµ',
    580: 'CKÇß',
    590: 'BÞ',
    610: '&',
    620: 'DG',
    640: 'Ð',
    650: 'NUÑÙÚÛÜ',
    660: 'H',
    670: 'OQÒÓÔÕÖØ',
    720: 'w',
    730: 'M',
    750: '©',
    780: 'æ',
    790: 'W¼',
    800: '¾—',
    810: '½',
    830: '%mÆ',
    840: 'œ',
    850: '@Œ',
    950: '…',
}
_EM = {char: width / 1000 for width, chars in _WIDTHS.items() for char in chars}
_UNKNOWN_EM = 1.0  # a character outside the table: as wide as the widest
LINE_SPACING = 1.3  # Plotly's, between the lines of a label written with <br>
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)

# What Plotly adds around the labels, measured on this dashboard's charts (tick labels 12 px, titles 14 px with
# the standoffs of analytics.outputs.charts)
_LEFT_GAP = 19  # left margin beyond the widest label of a y axis
_Y_TITLE = 34  # a y axis title beside its labels
_BOTTOM_ONE_LINE = 35  # bottom margin under one line of x labels
_TOP_ONE_LINE = 43  # top margin above one line of x labels on the top side
_X_TITLE = 30  # an x axis title under its labels
_COLOUR_BAR = 66  # right margin beyond the widest tick label of a colour bar with its title
_TICK = 5  # the tick marks Plotly draws on the axes of a heatmap
# the plot's width on a 1 440 px screen, menu open: category labels wider than their share of it are turned by
# Plotly; on a wider screen they may stay level, with a little more room under them than they need
_DESKTOP_PLOT = 900
_LABEL_GAP = 6
_LEGEND_BELOW = 24  # bottom margin under a plot with a vertical legend below it, and per entry of that legend:
_LEGEND_ENTRY = 19


def text_width(text: str, size: float) -> float:
    """Width in pixels of `text` (a Plotly label: tags ignored, its widest line) in the dashboard's font at `size`."""
    return max(size * sum(_EM.get(char, _UNKNOWN_EM) for char in _TAG.sub("", line))
               for line in _BREAK.split(str(text)))


def line_count(text: str) -> int:
    """Lines of a Plotly label (written with <br>)."""
    return len(_BREAK.split(str(text)))


def reserve(spec: dict) -> dict:
    """`spec` (a figure as a dict, as sent to the browser) with margins at least as wide as its axis labels and
    colour bars need, in place; returns it."""
    layout = spec.setdefault("layout", {})
    margin = layout.setdefault("margin", {})
    need = _needed(spec)
    for side, pixels in need.items():
        margin[side] = max(int(margin.get(side, 0)), math.ceil(pixels))
    return spec


def _needed(spec: dict) -> dict[str, float]:
    layout = spec["layout"]
    need = {"l": 0.0, "r": 0.0, "t": 0.0, "b": 0.0}
    axes = {key: axis for key, axis in layout.items() if re.fullmatch(r"[xy]axis\d*", key) and isinstance(axis, dict)}
    if spec.get("data"):  # a figure with traces has its first two axes, given or not
        axes = {"xaxis": {}, "yaxis": {}} | axes
    for key, axis in axes.items():
        if axis.get("visible") is False:
            continue
        values = list(_values(spec, key))
        category = _is_category(axis, values)
        labels = _labels(spec, key, axis, values, category)
        if labels is None:
            continue
        size = float((axis.get("tickfont") or {}).get("size", 12))
        width = max((text_width(label, size) for label in labels), default=0.0)
        lines = max((line_count(label) for label in labels), default=1)
        titled = bool((axis.get("title") or {}).get("text"))
        if key[0] == "y":
            if axis.get("side", "left") == "left":
                ticks = _TICK if any(t.get("type") == "heatmap" for t in _on(spec, key)) else 0
                need["l"] = max(need["l"], width + _LEFT_GAP + ticks + (_Y_TITLE if titled else 0))
            continue
        angle = axis.get("tickangle")
        if isinstance(angle, int | float):
            angle = math.radians(angle)
        else:  # Plotly turns category labels by 30° when, level, they would overlap
            crowded = category and len(labels) * (width + _LABEL_GAP) > _DESKTOP_PLOT
            angle = math.radians(30) if crowded else 0.0
        height = size * (1 + LINE_SPACING * (lines - 1))
        extent = width * abs(math.sin(angle)) + height * abs(math.cos(angle))
        if axis.get("side", "bottom") == "bottom":
            need["b"] = max(need["b"], _BOTTOM_ONE_LINE - size + extent + (_X_TITLE if titled else 0))
        else:
            need["t"] = max(need["t"], _TOP_ONE_LINE - size + extent)
    legend = layout.get("legend") or {}
    if layout.get("showlegend", True) and legend.get("orientation") == "v" and legend.get("y", 1) < 0:
        entries = [t for t in spec.get("data", []) if t.get("showlegend", True) is not False and t.get("name")]
        need["b"] = max(need["b"], _LEGEND_BELOW + _LEGEND_ENTRY * len(entries))
    for trace in spec.get("data", []):
        bar = trace.get("colorbar") if trace.get("type") == "heatmap" and trace.get("showscale", True) else None
        if bar is not None and "ticktext" in bar and bar.get("orientation", "v") == "v":
            need["r"] = max(need["r"], max(text_width(label, 12) for label in bar["ticktext"]) + _COLOUR_BAR)
    return need


def _labels(spec: dict, key: str, axis: dict, values: list, category: bool) -> list[str] | None:
    """The tick labels of axis `key` (its traces placing `values` along it) as Plotly will write them, or None
    where this cannot tell."""
    if axis.get("ticktext") is not None:
        return [str(label) for label in axis["ticktext"]]
    kind = axis.get("type")
    if category:
        order = axis.get("categoryarray")
        return [str(label) for label in (order if order is not None else dict.fromkeys(values))]
    if kind == "date":  # one line whatever its format: its height is what a horizontal label needs
        return ["30 sept. 2026"]
    if kind in (None, "linear") and axis.get("tickformat") is None:
        numbers = [float(v) for v in _stacked(spec, key, values) if isinstance(v, int | float) and math.isfinite(v)]
        bounds = [float(v) for v in axis.get("range") or [] if isinstance(v, int | float)]
        if not numbers and not bounds:
            return None
        # autorange pads the data by 5 %: the last tick may be the next round number
        top = max(abs(v) for v in [*numbers, *bounds]) * (1.0 if bounds else 1.05)
        labels = [f"{round(top):,}".replace(",", "\u202f")]
        if min([*numbers, *bounds]) < 0:
            labels.append("\u2212" + labels[0])
        return labels
    return None


def _is_category(axis: dict, values: list) -> bool:
    """Whether `axis`, its traces placing `values` along it, is one of categories (given so, or guessed so by Plotly
    from text that is not dates)."""
    if "ticktext" in axis or axis.get("type") not in (None, "category"):
        return False
    return axis.get("type") == "category" or (
        bool(values) and all(isinstance(v, str) for v in values) and not all(_looks_like_date(v) for v in values))


def _on(spec: dict, key: str) -> list[dict]:
    """The traces drawn on axis `key` ("xaxis", "yaxis2"…)."""
    letter, name = key[0], key[0] + key[5:]
    return [trace for trace in spec.get("data", []) if trace.get(f"{letter}axis", letter) == name]


def _values(spec: dict, key: str) -> Iterator:
    """The values the traces on axis `key` place along it."""
    for trace in _on(spec, key):
        for value in _flat(_listed(trace.get(key[0]))):
            if value is not None:
                yield value


def _stacked(spec: dict, key: str, values: list) -> Iterable:
    """The values along a numeric axis (`values`, as placed), bars summed per position when the layout stacks them."""
    if spec["layout"].get("barmode") != "stack":
        return values
    letter = key[0]
    other = "x" if letter == "y" else "y"
    totals: dict = {}
    for trace in _on(spec, key):
        if trace.get("type") == "bar":
            for position, value in zip(_listed(trace.get(other)), _listed(trace.get(letter)), strict=False):
                if isinstance(value, int | float) and math.isfinite(value):
                    totals[str(position)] = totals.get(str(position), 0.0) + value
    return totals.values()


def _listed(values) -> list:
    """A trace's values as a list (a figure's dict may hold numpy arrays of objects: strings, dates)."""
    if values is None:
        return []
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _flat(values: Iterable) -> Iterator:
    for value in values:
        if isinstance(value, list | tuple):
            yield from _flat(value)
        else:
            yield value


def _looks_like_date(value: str) -> bool:
    return bool(re.match(r"\d{4}-\d{2}-\d{2}", value))
