"""The room reserved for a chart's labels (analytics.outputs.margins), worked out by hand from the font's widths:
Source Sans 3 at the regular weight, in thousandths of an em (M 730, u 550, l 260, h 550, o 550, s 420, e 500,
I 270, z 430, a 510, c 460, digits 500, space 200, % 830, f 300, i 250, n 550, v 470, full stop 250)."""

from __future__ import annotations

import pytest

from analytics.outputs import margins

MULHOUSE = 10 * (0.73 + 0.55 + 0.26 + 0.55 + 0.55 + 0.55 + 0.42 + 0.50)  # 41.1 px at 10 px
ILLZACH = 10 * (0.27 + 0.26 + 0.26 + 0.43 + 0.51 + 0.46 + 0.55)  # 27.4 px


def _spec(traces: list[dict], **layout) -> dict:
    return {"data": traces, "layout": {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, **layout}}


def test_a_label_is_as_wide_as_its_widest_line_without_its_tags() -> None:
    assert margins.text_width("Mulhouse", 10) == pytest.approx(MULHOUSE)
    # "fin nov." (3.12 em) is wider than "2025" (2.00 em)
    assert margins.text_width("<b>fin</b> nov.<br>2025", 10) == pytest.approx(31.2)
    assert margins.line_count("a<br>b<BR/>c") == 3
    assert margins.text_width("☃", 12) == 12  # a character the table lacks counts as one em: never too narrow


def test_names_on_a_y_axis_get_their_width_on_the_left() -> None:
    names = {"type": "bar", "orientation": "h", "x": [0.5, 0.7], "y": ["Mulhouse", "Illzach"]}
    spec = margins.reserve(_spec([names], yaxis={"type": "category", "tickfont": {"size": 10}}))
    # 41.1 + 19, rounded up; under the plot, one line of x labels
    assert spec["layout"]["margin"] == {"l": 61, "r": 10, "t": 40, "b": 35}
    titled = margins.reserve(_spec([names], yaxis={"type": "category", "tickfont": {"size": 10},
                                                   "title": {"text": "membres"}}))
    assert titled["layout"]["margin"]["l"] == 95  # 41.1 + 19 + 34 for the title beside the names
    heatmap = margins.reserve(_spec([{"type": "heatmap", "z": [[1], [2]], "x": ["a"], "y": ["Mulhouse", "Illzach"]}],
                                    yaxis={"tickfont": {"size": 10}}))
    assert heatmap["layout"]["margin"]["l"] == 66  # + 5 for the tick marks a heatmap's axes have


def test_a_margin_is_never_made_narrower() -> None:
    spec = _spec([{"type": "bar", "x": [1], "y": ["Illzach"]}], yaxis={"type": "category", "tickfont": {"size": 10}})
    spec["layout"]["margin"]["l"] = 200
    assert margins.reserve(spec)["layout"]["margin"]["l"] == 200


def test_a_count_axis_makes_room_for_its_largest_round_tick() -> None:
    # stacked bars: a totals 90, b 50; autorange reaches 94.5, ticks of two digits (1.0 em at 12 px)
    stacked = [{"type": "bar", "x": ["a", "b"], "y": [40, 30]}, {"type": "bar", "x": ["a", "b"], "y": [50, 20]}]
    assert margins.reserve(_spec(stacked, barmode="stack"))["layout"]["margin"]["l"] == 31  # 12 + 19
    # not stacked, the tallest bar is 50: still two digits
    assert margins.reserve(_spec(stacked))["layout"]["margin"]["l"] == 31
    # a total of 100 reaches 105: three digits (18 px)
    taller = [{"type": "bar", "x": ["a"], "y": [60]}, {"type": "bar", "x": ["a"], "y": [40]}]
    assert margins.reserve(_spec(taller, barmode="stack"))["layout"]["margin"]["l"] == 37
    # below zero, the minus sign counts: "−12" is 1.5 em
    below = [{"type": "bar", "x": ["a", "b"], "y": [-12, 8]}]
    assert margins.reserve(_spec(below))["layout"]["margin"]["l"] == 37


def test_labels_under_the_plot_take_their_lines_or_their_slant() -> None:
    one = margins.reserve(_spec([{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], xaxis={"type": "category"}))
    assert one["layout"]["margin"]["b"] == 35
    two = margins.reserve(_spec([{"type": "bar", "x": ["a", "b"], "y": [1, 2]}],
                                xaxis={"tickvals": ["a", "b"], "ticktext": ["janv.<br>2026", "févr.<br>2026"],
                                       "title": {"text": "mois"}}))
    assert two["layout"]["margin"]["b"] == 81  # 35 + one more line of 12 × 1.3 px + 30 for the title
    slanted = margins.reserve(_spec([{"type": "bar", "x": ["Mulhouse"], "y": [1]}],
                                    xaxis={"type": "category", "tickangle": -45, "tickfont": {"size": 10}}))
    assert slanted["layout"]["margin"]["b"] == 62  # 35 − 10 + (41.1 + 10) × sin 45°
    dates = margins.reserve(_spec([{"type": "scatter", "x": ["2026-01-05"], "y": [1]}],
                                  xaxis={"type": "date", "tickformat": "%b %Y"}))
    assert dates["layout"]["margin"]["b"] == 35


def test_what_it_cannot_tell_is_left_to_plotly() -> None:
    spec = _spec([{"type": "scatter", "x": [1, 2], "y": [0.2, 0.9]}], yaxis={"tickformat": ".0%"},
                 xaxis={"visible": False})
    assert margins.reserve(spec)["layout"]["margin"] == {"l": 10, "r": 10, "t": 40, "b": 10}


def test_a_legend_under_the_plot_and_a_colour_bar_get_their_room() -> None:
    entries = [{"type": "scatter", "x": [None], "y": [None], "name": name} for name in ("a", "b", "c")]
    hidden = {"type": "scatter", "x": [None], "y": [None], "name": "d", "showlegend": False}
    spec = _spec([*entries, hidden], legend={"orientation": "v", "y": -0.01}, xaxis={"visible": False},
                 yaxis={"visible": False})
    assert margins.reserve(spec)["layout"]["margin"]["b"] == 81  # 24 + 3 entries × 19
    bar = {"type": "heatmap", "z": [[0.5]], "x": ["a"], "y": ["b"], "colorbar": {"ticktext": ["0 %", "100 %"]}}
    spec = _spec([bar], xaxis={"visible": False}, yaxis={"visible": False})
    assert margins.reserve(spec)["layout"]["margin"]["r"] == 97  # "100 %" 2.53 em × 12 + 66


def test_category_labels_too_many_to_stand_level_are_reserved_turned() -> None:
    """Plotly turns category labels by 30° when, level, they would overlap on a 900 px plot (a 1 440 px screen):
    56 labels "10"…"65" of 10 px each (1.0 em) with their 6 px gaps fit (896 px), 57 do not."""
    def bottom(count: int) -> int:
        labels = [str(n) for n in range(10, 10 + count)]
        spec = _spec([{"type": "bar", "x": labels, "y": [1] * count}],
                     xaxis={"type": "category", "tickfont": {"size": 10}})
        return margins.reserve(spec)["layout"]["margin"]["b"]

    assert bottom(56) == 35
    assert bottom(57) == 39  # 35 − 10 + 10 × sin 30° + 10 × cos 30°
    # an angle given is kept: level stays level
    level = _spec([{"type": "bar", "x": [str(n) for n in range(10, 70)], "y": [1] * 60}],
                  xaxis={"type": "category", "tickangle": 0, "tickfont": {"size": 10}})
    assert margins.reserve(level)["layout"]["margin"]["b"] == 35
