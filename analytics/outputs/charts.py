"""Plotly figures of the pages: pure functions from a DataFrame to a go.Figure, in French, colour-blind safe.

The frames come from the analytics modules with every label already French (months "janv. 2025", statuses…);
hover texts are preformatted with analytics.format so that numbers read "87,5 %" whatever the browser does.
Colours are the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies, and each
status also differs by its marker symbol or its position, never by colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from analytics.outputs.palette import (
    ATTENDANCE_COLOURS,
    BLUE,
    CADENCE_COLOURS,
    CADENCE_LABELS,
    GREEN,
    GREY,
    GRID,
    HOVER_BORDER,
    INK,
    LEGEND_INK,
    LIGHT,
    MEETING_COLOURS,
    MUTED,
    ORANGE,
    VERMILLION,
)
from analytics.wording.display import plural
from analytics.wording.format import number, percent

# Okabe & Ito (2008), "Color Universal Design".
MEETING_SYMBOLS = {"held": "circle", "planned": "circle-open", "cancelled": "x"}
# cos(47.75°) ≈ 0.673: one degree of longitude is 0.673 times one degree of latitude at Mulhouse
MAP_SCALE_RATIO = 1 / math.cos(math.radians(47.75))

# Plotly's own French locale (plotly.js dist/plotly-locale-fr), given in the chart config so that nothing
# is fetched: month names on date axes, the modebar's tooltips, decimal comma and thousands space.
PLOTLY_LOCALE_FR = {
    "dictionary": {
        "Autoscale": "Échelle automatique", "Box Select": "Sélection rectangulaire",
        "Click to enter Colorscale title": "Ajouter un titre à l'échelle de couleurs",
        "Click to enter Component A title": "Ajouter un titre à la composante A",
        "Click to enter Component B title": "Ajouter un titre à la composante B",
        "Click to enter Component C title": "Ajouter un titre à la composante C",
        "Click to enter Plot title": "Ajouter un titre au graphique",
        "Click to enter X axis title": "Ajouter un titre à l'axe des x",
        "Click to enter Y axis title": "Ajouter un titre à l'axe des y",
        "Compare data on hover": "Comparaison entre données en survol",
        "Double-click on legend to isolate one trace": "Double-cliquer sur la légende pour isoler une série",
        "Double-click to zoom back out": "Double-cliquer pour dézoomer",
        "Download plot as a png": "Télécharger le graphique en PNG", "Download plot": "Télécharger le graphique",
        "Edit in Chart Studio": "Éditer le graphique sur Chart Studio", "Lasso Select": "Sélection lasso",
        "Orbital rotation": "Rotation orbitale", "Pan": "Translation",
        "Produced with Plotly.js": "Généré avec Plotly.js",
        "Reset": "Réinitialiser", "Reset axes": "Réinitialiser les axes", "Reset view": "Réinitialiser",
        "Reset views": "Réinitialiser les vues", "Show closest data on hover": "Données les plus proches en survol",
        "Snapshot succeeded": "Conversion réussie", "Toggle Spike Lines": "Activer/désactiver les pics",
        "Toggle show closest data on hover": "Activer/désactiver le survol", "Turntable rotation": "Rotation plateau",
        "Zoom": "Zoom", "Zoom in": "Zoom intérieur", "Zoom out": "Zoom extérieur",
        "close:": "fermeture :", "high:": "haut :", "low:": "bas :", "open:": "ouverture :",
        "trace": "série", "max:": "max. :", "mean:": "moyenne :", "median:": "médiane :", "min:": "min. :",
        "lower fence:": "clôture inférieure :", "upper fence:": "clôture supérieure :",
        "q1:": "q1 :", "q3:": "q3 :", "new text": "nouveau texte",
    },
    "format": {
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                   "octobre", "novembre", "décembre"],
        "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                        "nov.", "déc."],
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": "\u202f",
    },
}
# The config every chart is shown with: French, and no Plotly toolbar: it showed over the legends (at the top of
# every chart, on a phone across its whole width); zooming by dragging and resetting by double-click remain, and
# Streamlit's own toolbar, above the chart, keeps the full-screen view.
CONFIG = {
    "locale": "fr",
    "locales": {"fr": PLOTLY_LOCALE_FR},
    "displayModeBar": False,
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d", "toggleSpikelines"],
    "toImageButtonOptions": {"format": "png", "filename": "gouvernance-m2a", "scale": 2},
}


# The style Streamlit's chart theme gave every axis (st.plotly_chart(theme="streamlit")), now the figures' own so
# that the charts are shown with theme=None: values a chart sets itself win, as they did over the theme's template.
# automargin keeps the axis labels inside the chart, whatever their length; the tick colour is given only to a
# heatmap's axes, whose ticks Plotly draws by default: on other axes it would make Plotly draw ticks.
_AXIS_STYLE = {"automargin": True, "gridcolor": GRID, "zerolinecolor": GRID, "tickfont.size": 12,
               "tickfont.color": MUTED, "title.font.size": 14, "title.font.color": MUTED}
_X_STYLE = _AXIS_STYLE | {"showgrid": False, "zeroline": False, "title.standoff": 20}
_Y_STYLE = _AXIS_STYLE | {"title.standoff": 24}
FONT_FAMILY = '"Source Sans", sans-serif'  # Streamlit's sans serif, as in the rest of the page


def _layout(fig: go.Figure, height: int, *, font: int = 14, legend: bool = True, **extra) -> go.Figure:
    """The common layout: French separators, readable font, legend above the plot, tight margins, and the style
    of the dashboard's other text (the charts are drawn without Streamlit's theme: see analytics.ui.widgets.chart)."""
    fig.update_layout(
        separators=", ",  # decimal comma, thin-space thousands
        height=height,
        font={"size": font, "color": INK, "family": FONT_FAMILY},
        margin={"l": 10, "r": 10, "t": 40 if legend else 10, "b": 10, "pad": 8},
        hoverlabel={"font": {"size": font, "color": MUTED, "family": FONT_FAMILY}, "align": "left",
                    "bgcolor": "#FFFFFF", "bordercolor": HOVER_BORDER,
                    "grouptitlefont": {"color": MUTED, "family": FONT_FAMILY}},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0,
                "title_text": "", "valign": "top", "font": {"size": 12, "color": LEGEND_INK}},
        # a chart's data never changes while it is shown (other data is another chart element, drawn afresh): said
        # to Plotly, its second Plotly.react, when Streamlit hands the drawn figure back, redraws nothing
        datarevision=1,
        **({"plot_bgcolor": "#FFFFFF", "paper_bgcolor": "#FFFFFF"} | extra),
    )
    # no template: every figure would carry Streamlit's (pio.templates.default), whose colours only its theme
    # replaces, and a template, a new object at every Plotly.react, makes Plotly recalculate the whole chart
    fig.layout.template = None
    ticks = {"tickcolor": GRID} if any(trace.type == "heatmap" for trace in fig.data) else {}
    for axes, style in ((fig.select_xaxes(), _X_STYLE), (fig.select_yaxes(), _Y_STYLE)):
        for axis in axes:
            for path, value in (style | ticks).items():
                if axis[path] is None:
                    axis[path] = value
            # a zero line where there is a grid, as under the theme (a given zero line colour would draw it always)
            if axis.zeroline is None:
                axis.zeroline = axis.showgrid is not False
    return fig


def percent_ticks(step: float = 0.2) -> dict:
    """Axis ticks of a rate (0 to 1) written the French way, "80 %": d3's ".0%" would print "80%"."""
    values = [round(i * step, 4) for i in range(int(round(1 / step)) + 1)]
    return {"tickvals": values, "ticktext": [f"{percent(v, 0)}" for v in values]}


def two_lines(labels) -> list[str]:
    """"janv. 2026" → "janv.<br>2026": month labels that fit under narrow columns without overlapping."""
    return [str(label).replace(" ", "<br>", 1) for label in labels]


def empty(message: str = "Aucune donnée pour ces filtres.", height: int = 200) -> go.Figure:
    """A blank chart saying why it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 16, "color": GREY}, x=0.5, y=0.5,
                       xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, height, legend=False)


def cadence_heatmap(frame: pd.DataFrame, *, font: int = 14) -> go.Figure:
    """Bodies × months coloured by cadence status.

    Columns: body_name, month_label (in order), status (met, in_progress, missed, no_rule, none), cell_text, hover.
    """
    if frame.empty:
        return empty()
    statuses = list(CADENCE_COLOURS)
    months = list(dict.fromkeys(frame["month_label"]))
    bodies = list(dict.fromkeys(frame["body_name"]))
    grid = frame.pivot(index="body_name", columns="month_label", values="status").reindex(index=bodies,
                                                                                          columns=months)
    z = grid.map(lambda s: statuses.index(s) if isinstance(s, str) else statuses.index("none"))
    text = frame.pivot(index="body_name", columns="month_label", values="cell_text").reindex(index=bodies,
                                                                                             columns=months)
    hover = frame.pivot(index="body_name", columns="month_label", values="hover").reindex(index=bodies,
                                                                                          columns=months)
    count = len(statuses)
    # a stepped colour scale: value i is drawn in colour i, with no blending between statuses
    scale = []
    for i, status in enumerate(statuses):
        scale += [[i / count, CADENCE_COLOURS[status]], [(i + 1) / count, CADENCE_COLOURS[status]]]
    fig = go.Figure(go.Heatmap(
        z=z.values, x=two_lines(months), y=bodies, zmin=-0.5, zmax=count - 0.5, colorscale=scale, xgap=2, ygap=2,
        text=text.fillna("").values, texttemplate="%{text}", textfont={"size": font - 2},
        customdata=hover.fillna("").values, hovertemplate="%{customdata}<extra></extra>",
        showscale=False,
    ))
    # the legend: one invisible marker per status, since a heatmap has no legend entries of its own
    for status in statuses:
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=CADENCE_LABELS[status], hoverinfo="skip",
            marker={"symbol": "square", "size": 14, "color": CADENCE_COLOURS[status],
                    "line": {"color": GREY, "width": 1}},
        ))
    fig.update_yaxes(autorange="reversed", tickfont={"size": font}, automargin=True)
    fig.update_xaxes(side="top", tickfont={"size": font - 2}, showgrid=False, tickangle=0)
    height = 60 + 30 * len(bodies)
    return _layout(fig, max(260, height), font=font,
                   legend_y=-0.02, legend_yanchor="top").update_layout(margin_t=30, margin_b=40)


def presence_trend(frame: pd.DataFrame, *, font: int = 14) -> go.Figure:
    """Presence and participation rates per month. Columns: month_label, presence_rate, participation_rate,
    presence_text, participation_text, recorded_text."""
    if frame.empty:
        return empty()
    fig = go.Figure()
    for column, name, colour, symbol, dash in (
        ("participation_rate", "Participation (présents, à distance, pouvoirs, suppléés)", GREEN, "square", "dot"),
        ("presence_rate", "Présence (présents et à distance)", BLUE, "circle", "solid"),
    ):
        label = column.replace("_rate", "_text")
        fig.add_trace(go.Scatter(
            x=two_lines(frame["month_label"]), y=frame[column], name=name, mode="lines+markers",
            line={"color": colour, "width": 3, "dash": dash}, marker={"size": 9, "symbol": symbol},
            customdata=frame[[label, "recorded_text"]].values,
            hovertemplate=name.split(" (")[0] + " : %{customdata[0]}"
                          "<br>%{customdata[1]}<extra></extra>",
        ))
    fig.update_yaxes(**percent_ticks(), rangemode="tozero", range=[0, 1.02], gridcolor=LIGHT)
    fig.update_xaxes(type="category", showgrid=False)
    return _layout(fig, 340, font=font, hovermode="x unified")


def meetings_timeline(frame: pd.DataFrame) -> go.Figure:
    """One marker per meeting on a date axis, one row per status. Columns: meeting_date, status, status_label,
    hover."""
    if frame.empty:
        return empty()
    fig = go.Figure()
    for status in ("held", "planned", "cancelled"):
        part = frame[frame["status"] == status]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["meeting_date"], y=part["status_label"], mode="markers", name=part["status_label"].iloc[0],
            marker={"size": 13, "color": MEETING_COLOURS[status], "symbol": MEETING_SYMBOLS[status],
                    "line": {"width": 2, "color": MEETING_COLOURS[status]}},
            customdata=part[["hover"]].values, hovertemplate="%{customdata[0]}<extra></extra>",
        ))
    fig.update_xaxes(type="date", tickformat="%b %Y", gridcolor=LIGHT)
    present = [label for label in ("annulée", "prévue", "tenue") if label in set(frame["status_label"])]
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=present, showgrid=False)
    return _layout(fig, 90 + 45 * len(present), legend=False)


# the periods the cadence chart draws as an outlined bar up to their requirement: outline colour, pattern
GHOSTS = {"missed": (VERMILLION, "/"), "in_progress": (ORANGE, "."), "not_judged": (GREY, "")}


def cadence_periods(frame: pd.DataFrame, axis_title: str = "") -> go.Figure:
    """Held meetings per cadence period against the requirement. Columns: period_label, held, required, status,
    status_label, hover."""
    if frame.empty:
        return empty()
    fig = go.Figure()
    for status in ("met", "in_progress", "missed", "not_judged", "no_rule"):
        part = frame[frame["status"] == status]
        if part.empty:
            continue
        short = status in GHOSTS
        if short:
            # a missed, running or unjudged period shows what it requires as an outlined bar (hatched when
            # missed, dotted while running): a period with no meeting would otherwise be a bar of height zero
            need = part["required"].fillna(part["held"]).clip(lower=1)
            line, shape = GHOSTS[status]
            fig.add_trace(go.Bar(
                x=part["period_label"], y=need, name=CADENCE_LABELS[status], legendgroup=status,
                marker={"color": "#FFFFFF", "line": {"color": line, "width": 2},
                        "pattern": {"shape": shape, "fgcolor": line, "bgcolor": "#FFFFFF", "solidity": 0.3}},
                text=[f"{number(h)} / {number(r)}" if status != "not_judged" else ""
                      for h, r in zip(part["held"], need)],
                textposition="outside", textfont={"size": 12}, cliponaxis=False,
                customdata=part[["hover"]].values, hovertemplate="%{customdata[0]}<extra></extra>",
            ))
        fig.add_trace(go.Bar(
            x=part["period_label"], y=part["held"], name=CADENCE_LABELS[status], legendgroup=status,
            showlegend=not short,
            marker={"color": CADENCE_COLOURS[status], "line": {"color": GREY, "width": 1}},
            customdata=part[["hover"]].values, hovertemplate="%{customdata[0]}<extra></extra>",
        ))
    required = frame.dropna(subset=["required"])
    if not required.empty:
        fig.add_trace(go.Scatter(
            x=required["period_label"], y=required["required"], name="séances requises", mode="markers",
            marker={"symbol": "line-ew", "size": 26, "line": {"width": 3, "color": INK}}, hoverinfo="skip",
        ))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(frame["period_label"]),
                     showgrid=False, title_text=axis_title)
    fig.update_yaxes(title_text="séances tenues", dtick=1, rangemode="tozero", gridcolor=LIGHT)
    return _layout(fig, 300, barmode="overlay")


def attendance_stacked(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Statuses of the convened at each meeting, stacked. Columns: meeting_label and one count column per status
    of `labels` (code → French label), in stacking order."""
    if frame.empty:
        return empty()
    fig = go.Figure()
    for status, label in labels.items():
        fig.add_trace(go.Bar(
            x=frame["meeting_label"], y=frame[status], name=label, marker_color=ATTENDANCE_COLOURS[status],
            marker_line={"color": "#FFFFFF", "width": 0.5},
            hovertemplate="%{x}<br>" + label + " : %{y}<extra></extra>",
        ))
    fig.update_xaxes(type="category", showgrid=False, tickangle=-45)
    fig.update_yaxes(title_text="convoqués", gridcolor=LIGHT)
    return _layout(fig, 360, barmode="stack", bargap=0.15, legend_traceorder="normal")


_QUORUM_COLOURS = {"reached": BLUE, "missed": VERMILLION, "exempt": GREY}


def _quorum_bars(fig: go.Figure, frame: pd.DataFrame, x: str, y: str, *, outline: bool = False) -> None:
    """One bar trace per quorum outcome (reached, missed hatched, exempt), labelled by outcome_label, hover text."""
    for outcome, colour in _QUORUM_COLOURS.items():
        part = frame[frame["outcome"] == outcome]
        if part.empty:
            continue
        marker: dict = {"color": colour, "pattern": {"shape": "/" if outcome == "missed" else ""}}
        if outline:
            marker["line"] = {"color": "#FFFFFF", "width": 0.5}
        fig.add_trace(go.Bar(
            x=part[x], y=part[y], name=part["outcome_label"].iloc[0], marker=marker,
            customdata=part[["hover"]].values, hovertemplate="%{customdata[0]}<extra></extra>",
        ))


def quorum_margin(frame: pd.DataFrame) -> go.Figure:
    """Margin of each sitting over its quorum (present − required). Columns: meeting_label, margin, outcome
    (reached, missed, exempt), outcome_label, hover."""
    if frame.empty:
        return empty("Aucune séance avec quorum sur la période.")
    fig = go.Figure()
    _quorum_bars(fig, frame, "meeting_label", "margin")
    fig.add_hline(y=0, line={"color": INK, "width": 2})
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(frame["meeting_label"]),
                     showgrid=False, tickangle=-45)
    fig.update_yaxes(title_text="présents au-delà du quorum", gridcolor=LIGHT, zeroline=False)
    return _layout(fig, 320)


def agenda_strip(frame: pd.DataFrame) -> go.Figure:
    """A sitting's agenda as a strip: one column per point (in agenda order), its height the members physically
    there (seats occupied, proxies excluded), the quorum as a line, the point where it was lost marked.
    Columns: item, present, required, outcome (reached, missed, exempt), outcome_label, lost (the point where the
    quorum was lost), hover."""
    if frame.empty:
        return empty("Aucun ordre du jour pour cette séance.")
    fig = go.Figure()
    _quorum_bars(fig, frame, "item", "present", outline=True)
    # the quorum of every point is the sitting's: a line across the strip, in the legend too
    fig.add_trace(go.Scatter(
        x=list(frame["item"]), y=list(frame["required"]), mode="lines", name="quorum",
        line={"color": INK, "width": 2, "dash": "dash", "shape": "hvh"}, hoverinfo="skip",
    ))
    for item in frame.loc[frame["lost"], "item"]:
        fig.add_annotation(x=item, y=float(frame["required"].max()), text=f"quorum perdu au point {item}",
                           showarrow=True, arrowhead=2, ax=0, ay=-34, font={"color": VERMILLION, "size": 13},
                           bgcolor="#FFFFFF")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(frame["item"]),
                     title_text="point de l'ordre du jour", showgrid=False)
    fig.update_yaxes(title_text="présents (pouvoirs exclus)", gridcolor=LIGHT, rangemode="tozero")
    return _layout(fig, 340, bargap=0.1)


# -- the map of the territory: the communes' outlines on plain axes (no geo trace, no tiles: it works offline) ------

# a single-hue sequential scale (ColorBrewer "Blues" without its near-white end): darker is higher, readable by
# colour-blind readers and in greyscale
MAP_SCALE = [[0.0, "#C6DBEF"], [0.25, "#9ECAE1"], [0.5, "#6BAED6"], [0.75, "#2171B5"], [1.0, "#08306B"]]
# communes large enough to carry their name on the map (the others are named on hover and in the table)
MAP_LABEL_POPULATION = 9_000


def _scale_low(values: pd.Series) -> float:
    """The bottom of the colour scale: the lowest rate rounded down to ten points, so that the differences show."""
    known = values.dropna()
    if known.empty:
        return 0.0
    return min(math.floor(float(known.min()) * 10) / 10, 0.9)


def _map_colour(value: float, low: float) -> str:
    from plotly.colors import sample_colorscale

    share = 0.0 if value <= low else min((value - low) / (1 - low), 1.0)
    return sample_colorscale(MAP_SCALE, [share])[0]


def _rings(shapes: pd.DataFrame):
    """(insee, lons, lats) of every ring of the outlines."""
    for (insee, _), ring in shapes.groupby(["insee", "part"], sort=False):
        yield insee, ring["lon"].tolist(), ring["lat"].tolist()


def _fill(fig: go.Figure, lons: list, lats: list, colour: str, label: str, pattern: dict | None = None) -> None:
    """One commune's ring, filled; hovering anywhere on it names the commune (a fill's hover shows its name)."""
    fig.add_trace(go.Scatter(x=lons, y=lats, mode="lines", fill="toself", fillcolor=colour, fillpattern=pattern,
                             line={"color": "#FFFFFF", "width": 1}, hoveron="fills", name=label,
                             hoverlabel={"namelength": 0}, showlegend=False))


def _legend_square(fig: go.Figure, name: str, colour: str) -> None:
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                             marker={"symbol": "square", "size": 14, "color": colour,
                                     "line": {"color": GREY, "width": 1}}))


def _map_axes(fig: go.Figure, height: int) -> go.Figure:
    # equal distances east-west and north-south: the y axis is stretched by 1/cos(latitude)
    fig.update_yaxes(scaleanchor="x", scaleratio=MAP_SCALE_RATIO, visible=False)
    fig.update_xaxes(visible=False)
    # the legend under the map on the left, a colour bar (if any) on the right
    return _layout(fig, height, plot_bgcolor="#FFFFFF", hovermode="closest", dragmode=False,
                   legend_y=-0.01, legend_yanchor="top", legend_orientation="v").update_layout(margin={"t": 10,
                                                                                                        "b": 60})


def _borders(fig: go.Figure, borders: pd.DataFrame) -> None:
    """The sectors' borders, a thick dark line over the communes, one legend entry for all."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for _, line in borders.groupby(["sector", "part"], sort=False):
        xs += line["lon"].tolist() + [None]
        ys += line["lat"].tolist() + [None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="limite de secteur", hoverinfo="skip",
                             line={"color": INK, "width": 3}, showlegend=True))


def _labels(fig: go.Figure, frame: pd.DataFrame, text: pd.Series, hover: pd.Series,
            colours: Sequence[str] | str = INK) -> None:
    """The communes' labels at their centroids (white on a dark fill, dark on a light one), and the hover text of
    each commune there (a fill's own hover shows only its name)."""
    fig.add_trace(go.Scatter(
        x=frame["lon"], y=frame["lat"], mode="text", text=text, textfont={"size": 12, "color": colours},
        customdata=hover.values, hovertemplate="%{customdata}<extra></extra>", showlegend=False,
    ))


def _sector_names(fig: go.Figure, frame: pd.DataFrame) -> None:
    """Each sector's name as a tag on one of its unlabelled communes: among the half nearest the middle of the
    sector, the one farthest from the communes that carry a label, so that the tag covers no name."""
    big = frame[frame["population"] >= MAP_LABEL_POPULATION]
    east = 1 / MAP_SCALE_RATIO  # distances on the ground: a degree of longitude is cos(latitude) of latitude's

    def far(x: float, y: float, xs: pd.Series, ys: pd.Series) -> float:
        return min((((x - bx) * east) ** 2 + (y - by) ** 2 for bx, by in zip(xs, ys)), default=0.0)

    for sector, part in frame.groupby("sector"):
        small = part[part["population"] < MAP_LABEL_POPULATION]
        if small.empty:
            continue
        centre = ((small["lon"] - part["lon"].mean()) * east) ** 2 + (small["lat"] - part["lat"].mean()) ** 2
        near = small[centre <= centre.median()]
        room = [far(x, y, big["lon"], big["lat"]) for x, y in zip(near["lon"], near["lat"])]
        spot = near.iloc[max(range(len(room)), key=room.__getitem__)]
        fig.add_annotation(x=spot["lon"], y=spot["lat"], text=f"secteur {sector}", showarrow=False,
                           font={"size": 12, "color": INK}, bgcolor="rgba(255,255,255,0.85)", bordercolor=INK,
                           borderwidth=1, borderpad=2)


def communes_choropleth(frame: pd.DataFrame, shapes: pd.DataFrame, borders: pd.DataFrame, title: str) -> go.Figure:
    """The communes drawn as their outlines (filled scatter polygons on plain axes, true distances), coloured by a
    rate, the sectors outlined; a commune outside `frame` (another sector than the one chosen) is drawn grey.

    frame: insee, name, sector, population, lon, lat, value (0–1), value_text, hover (one row per commune shown);
    shapes: territory.shapes (insee, name, sector, part, lon, lat); borders: territory.sector_borders.
    `title`: the rate's name, under the colour bar ("présence")."""
    if shapes.empty:
        return empty()
    low = _scale_low(frame["value"])
    shown = frame.set_index("insee")
    names = shapes.drop_duplicates("insee").set_index("insee")
    fig = go.Figure()
    groups: dict[str, str] = {}
    for insee, lons, lats in _rings(shapes):
        pattern = None
        if insee in shown.index:
            row = shown.loc[insee]
            missing = pd.isna(row["value"])
            colour = "#FFFFFF" if missing else _map_colour(float(row["value"]), low)
            if missing:
                pattern = {"shape": "/", "fgcolor": GREY, "bgcolor": "#FFFFFF"}
                groups["aucune convocation renseignée"] = "#FFFFFF"
            label = f"<b>{row['name']}</b> (secteur {row['sector']})<br>{title} : {row['value_text']}"
        else:
            colour = groups["hors du secteur choisi"] = LIGHT
            label = f"{names.loc[insee, 'name']} (secteur {names.loc[insee, 'sector']})"
        _fill(fig, lons, lats, colour, label, pattern)
    for group, colour in groups.items():
        _legend_square(fig, group, colour)
    _borders(fig, borders)
    _sector_names(fig, frame)
    big = frame["population"] >= MAP_LABEL_POPULATION
    text = pd.Series([f"<b>{n}</b><br>{v}" if b else "" for n, v, b in
                      zip(frame["name"], frame["value_text"], big)], index=frame.index)
    dark = [not pd.isna(v) and (v - low) / (1 - low) > 0.55 for v in frame["value"]]
    _labels(fig, frame, text, frame["hover"], ["#FFFFFF" if d else INK for d in dark])
    # the colour bar: one invisible marker carries the scale
    step = 0.05 if 1 - low <= 0.3 else 0.1
    ticks = [round(low + i * step, 4) for i in range(int(round((1 - low) / step)) + 1)]
    fig.add_trace(go.Scatter(
        x=[frame["lon"].iloc[0] if not frame.empty else shapes["lon"].iloc[0]],
        y=[frame["lat"].iloc[0] if not frame.empty else shapes["lat"].iloc[0]], mode="markers", hoverinfo="skip",
        showlegend=False, marker={"size": 0.1, "opacity": 0, "color": [low], "cmin": low, "cmax": 1.0,
                                  "colorscale": MAP_SCALE, "showscale": True,
                                  "colorbar": {"title": {"text": title, "side": "top"}, "thickness": 12,
                                               "orientation": "h", "x": 1, "xanchor": "right", "y": -0.01,
                                               "yanchor": "top", "len": 0.5, "tickvals": ticks,
                                               "ticktext": [percent(t, 0) for t in ticks], "outlinewidth": 0}},
    ))
    # under the map, the horizontal colour bar and its title take 90 px (what Plotly measures of them)
    return _map_axes(fig, 650).update_layout(margin_b=90)


def communes_met_map(frame: pd.DataFrame, shapes: pd.DataFrame, borders: pd.DataFrame) -> go.Figure:
    """The communes whose municipal council the Président has met, filled, the others hatched; the sectors
    outlined. frame: insee, name, sector, population, lon, lat, met (bool), hover; shapes and borders as for
    communes_choropleth."""
    if shapes.empty:
        return empty()
    shown = frame.set_index("insee")
    names = shapes.drop_duplicates("insee").set_index("insee")
    hatched: dict = {"shape": "/", "fgcolor": ORANGE, "bgcolor": "#FBE3C0", "size": 12, "solidity": 0.15}
    groups: dict[bool | None, tuple[str, str, dict | None]] = {
        True: ("rencontrée", BLUE, None), False: ("pas encore rencontrée", "#FBE3C0", hatched),
        None: ("hors du secteur choisi", LIGHT, None)}
    fig = go.Figure()
    present: dict[str, str] = {}
    for insee, lons, lats in _rings(shapes):
        met = bool(shown.loc[insee, "met"]) if insee in shown.index else None
        group, colour, pattern = groups[met]
        present[group] = colour if pattern is None else str(pattern["fgcolor"])
        _fill(fig, lons, lats, colour, f"{names.loc[insee, 'name']} : {group}", pattern)
    for group, colour in present.items():
        _legend_square(fig, group, colour)
    _borders(fig, borders)
    _sector_names(fig, frame)
    big = frame["population"] >= MAP_LABEL_POPULATION
    _labels(fig, frame, frame["name"].where(big, "").map(lambda n: f"<b>{n}</b>" if n else ""), frame["hover"],
            ["#FFFFFF" if m and b else INK for m, b in zip(frame["met"], big)])
    return _map_axes(fig, 520)


def grouped_rates(frame: pd.DataFrame, category: str) -> go.Figure:
    """Presence and participation side by side per category (sector…). Columns: `category`, presence_rate,
    participation_rate, presence_text, participation_text."""
    if frame.empty:
        return empty()
    fig = go.Figure()
    for column, name, colour, pattern in (("presence_rate", "Présence", BLUE, ""),
                                           ("participation_rate", "Participation", GREEN, ".")):
        text = column.replace("_rate", "_text")
        fig.add_trace(go.Bar(
            x=frame[category], y=frame[column], name=name, text=frame[text], textposition="outside",
            marker={"color": colour, "pattern": {"shape": pattern}},
            hovertemplate="%{x}<br>" + name + " : %{text}<extra></extra>",
        ))
    fig.update_yaxes(**percent_ticks(), range=[0, 1.12], gridcolor=LIGHT)
    fig.update_xaxes(type="category", showgrid=False)
    return _layout(fig, 320, barmode="group")


def matrix(frame: pd.DataFrame, row: str, column: str, value: str, hover: str, *, title: str) -> go.Figure:
    """A rate per row × column on a sequential colour-blind-safe scale (cividis), blank where nobody sits.
    Columns: `row`, `column`, `value` (0–1), `hover`; rows and columns keep their first-seen order."""
    if frame.empty:
        return empty()
    rows = list(dict.fromkeys(frame[row]))
    columns = list(dict.fromkeys(frame[column]))
    z = frame.pivot(index=row, columns=column, values=value).reindex(index=rows, columns=columns)
    text = frame.pivot(index=row, columns=column, values=hover).reindex(index=rows, columns=columns)
    fig = go.Figure(go.Heatmap(
        z=z.values, x=columns, y=rows, zmin=0, zmax=1, colorscale="Cividis", xgap=1, ygap=1,
        customdata=text.fillna("").values, hovertemplate="%{customdata}<extra></extra>",
        colorbar={"title": {"text": title, "side": "right"}, "thickness": 14, **percent_ticks()},
    ))
    fig.update_yaxes(autorange="reversed", automargin=True, tickfont={"size": 12})
    fig.update_xaxes(side="top", tickangle=-40, automargin=True, tickfont={"size": 12})
    return _layout(fig, 120 + 18 * len(rows), legend=False)


def rate_bands(frame: pd.DataFrame, quartiles: Sequence[float] | None, band_labels: Sequence[str] = (),
               *, selected: str | None = None) -> go.Figure:
    """How people's presence rates spread, as a histogram with the quartile bands shaded: who is where, without a
    ranking. Columns: presence_rate (people with at least 4 recorded convocations). `selected`: the label of one
    person's rate to mark, given as "label|rate". band_labels: the four bands' legend texts, lowest first."""
    if frame.empty or quartiles is None:
        return empty("Moins de personnes classables (4 convocations renseignées au moins) que nécessaire.")
    q1, median, q3 = quartiles
    rates = frame["presence_rate"].dropna().astype(float)
    # 5-point bins under 100 %, and 100 % as a bar of its own beside them: many people often share it exactly
    full = rates >= 1.0
    edges = [round(i * 0.05, 2) for i in range(21)]
    counts = pd.cut(rates[~full], edges, right=False).value_counts(sort=False).tolist()
    centres = [e + 0.025 for e in edges[:-1]]
    hovers = [f"{plural(n, 'personne')} de {percent(e, 0)} à moins de {percent(e + 0.05, 0)}"
              for n, e in zip(counts, edges[:-1])]
    fig = go.Figure(go.Bar(x=centres, y=counts, width=0.05, marker_color=BLUE,
                           marker_line={"color": "#FFFFFF", "width": 1}, name="personnes", showlegend=False,
                           customdata=hovers, hovertemplate="%{customdata}<extra></extra>"))
    top = int(full.sum())
    if top:
        fig.add_trace(go.Bar(x=[FULL_X], y=[top], width=0.04, marker={"color": INK}, showlegend=False,
                             text=[f"{number(top)} à {percent(1, 0)}"], textposition="outside", textfont={"size": 12},
                             cliponaxis=False, constraintext="none",
                             hovertemplate=f"{plural(top, 'personne')} à {percent(1, 0)}<extra></extra>"))
    bands = ((0, q1, band_labels[0], "#FBE3D6"), (q1, median, band_labels[1], "#FFF3C4"),
             (median, q3, band_labels[2], "#DDEBF7"), (q3, 1.05, band_labels[3], "#B9D7EE"))
    for low, high, label, colour in bands:
        fig.add_vrect(x0=_band_x(low), x1=high if high > 1 else _band_x(high), fillcolor=colour, opacity=0.8,
                      layer="below", line_width=0)
        # the band's name in the legend: the bands can be too narrow to hold a label
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label, hoverinfo="skip",
                                 marker={"symbol": "square", "size": 14, "color": colour}))
    # « médiane » left of its line: on the right, a median near 100 % ran into the count over the 100 % bar
    fig.add_vline(x=_band_x(median), line={"color": INK, "width": 2, "dash": "dash"}, annotation_text="médiane",
                  annotation_position="top left", annotation_font_size=12)
    if selected:
        label, rate = selected.rsplit("|", 1)
        fig.add_vline(x=_band_x(float(rate), marker=True), line={"color": VERMILLION, "width": 3},
                      annotation_text=label, annotation_position="bottom right")
    ticks = [round(i * 0.1, 1) for i in range(10)]
    fig.update_xaxes(tickvals=[*ticks, FULL_X], ticktext=[percent(t, 0) for t in ticks] + [percent(1, 0)],
                     range=[0, 1.05], title_text="taux de présence", gridcolor=LIGHT)
    fig.update_yaxes(title_text="personnes", gridcolor=LIGHT, range=[0, max([*counts, top, 1]) * 1.15])
    _layout(fig, 340, bargap=0.05, barmode="overlay")
    if top:  # room right of the plot for the count over the 100 % bar, the rightmost bar (« 66 à 100 % » was cut)
        fig.update_layout(margin_r=RIGHT_ROOM)
    return fig


# where the bands chart draws a rate of exactly 100 % (its own bar, right of the 95–100 % bin), and the right margin
# (px) that holds the count written over it, centred on a bar at the plot's right edge
FULL_X = 1.025
RIGHT_ROOM = 40


def _band_x(rate: float, *, marker: bool = False) -> float:
    """The x of a rate on the bands chart: a cut at 100 % falls between the 5-point bins and the 100 % bar; a
    person at 100 % is marked on that bar."""
    if rate >= 1.0:
        return FULL_X if marker else 1.0
    return rate


def person_timeline(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Every convocation of one person: date × body, the status as colour and symbol. Columns: meeting_date,
    body_name, status, hover."""
    if frame.empty:
        return empty("Aucune convocation sur la période.")
    symbols = {"present": "circle", "remote": "circle-open", "proxy": "triangle-up", "substituted": "diamond",
               "excused": "square-open", "absent": "x", "not_recorded": "line-ew-open"}
    fig = go.Figure()
    for status, label in labels.items():
        part = frame[frame["status"] == status]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["meeting_date"], y=part["body_name"], mode="markers", name=label,
            marker={"size": 13, "symbol": symbols[status], "color": ATTENDANCE_COLOURS[status] if status !=
                    "not_recorded" else GREY, "line": {"width": 2, "color": ATTENDANCE_COLOURS[status]
                                                       if status != "not_recorded" else GREY}},
            customdata=part[["hover"]].values, hovertemplate="%{customdata[0]}<extra></extra>",
        ))
    bodies = list(dict.fromkeys(frame.sort_values("sort_order")["body_name"]))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=bodies[::-1], automargin=True,
                     showgrid=True, gridcolor=LIGHT)
    fig.update_xaxes(type="date", tickformat="%b %Y", gridcolor=LIGHT)
    return _layout(fig, 140 + 40 * len(bodies))


def seats_comparison(frame: pd.DataFrame, left: str, right: str, left_name: str, right_name: str) -> go.Figure:
    """Seats per commune under two distributions, as a dot plot (communes by decreasing population).
    Columns: name, `left`, `right`, hover."""
    if frame.empty:
        return empty()
    fig = go.Figure()
    # a hollow ring and a small filled diamond: both stay visible when the two counts are equal
    for column, name, colour, symbol, size in ((left, left_name, BLUE, "circle-open", 16),
                                               (right, right_name, ORANGE, "diamond", 9)):
        fig.add_trace(go.Scatter(
            x=frame[column], y=frame["name"], mode="markers", name=name,
            marker={"size": size, "color": colour, "symbol": symbol, "line": {"width": 2.5, "color": colour}},
            customdata=frame[["hover"]].values, hovertemplate="%{customdata[0]}<extra></extra>",
        ))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(frame["name"])[::-1],
                     automargin=True, gridcolor=LIGHT, tickfont={"size": 12})
    top = max(int(frame[[left, right]].max().max()), 1)
    fig.update_xaxes(title_text="sièges", range=[-0.5, top + 1.5], dtick=2 if top > 10 else 1, gridcolor=LIGHT)
    return _layout(fig, 120 + 19 * len(frame), legend_y=1.0, legend_yanchor="bottom").update_layout(margin_t=50)


def months_stacked(frame: pd.DataFrame) -> go.Figure:
    """Meetings per month, held / cancelled / planned stacked. Columns: month_label, held, cancelled, planned."""
    if frame.empty:
        return empty()
    fig = go.Figure()
    for status, label in (("held", "tenues"), ("cancelled", "annulées"), ("planned", "prévues")):
        fig.add_trace(go.Bar(
            x=two_lines(frame["month_label"]), y=frame[status], name=label,
            marker={"color": MEETING_COLOURS[status], "pattern": {"shape": "x" if status == "cancelled" else
                                                                  ("/" if status == "planned" else "")}},
            customdata=frame[["month_label"]].values,
            hovertemplate="%{customdata[0]}<br>séances " + label + " : %{y}<extra></extra>",
        ))
    fig.update_xaxes(type="category", showgrid=False, tickangle=0)
    fig.update_yaxes(title_text="séances", gridcolor=LIGHT)
    return _layout(fig, 340, barmode="stack", legend_traceorder="normal")


def agenda(meetings: pd.DataFrame, holidays: pd.DataFrame, start, end) -> go.Figure:
    """Meetings of the coming weeks (date × body) with the public holidays greyed.
    meetings: meeting_date, body_name, status, sort_order, hover; holidays: day, name."""
    fig = go.Figure()
    for status, label in (("held", "tenue"), ("planned", "prévue"), ("cancelled", "annulée")):
        part = meetings[meetings["status"] == status]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["meeting_date"], y=part["body_name"], mode="markers", name=f"séance {label}",
            marker={"size": 13, "color": MEETING_COLOURS[status], "symbol": MEETING_SYMBOLS[status],
                    "line": {"width": 2, "color": MEETING_COLOURS[status]}},
            customdata=part[["hover"]].values, hovertemplate="%{customdata[0]}<extra></extra>",
        ))
    for day in holidays["day"]:
        # a public holiday: the whole day greyed, its name on hover of the band's label
        fig.add_vrect(x0=pd.Timestamp(day), x1=pd.Timestamp(day) + pd.Timedelta(days=1), fillcolor=GREY,
                      opacity=0.25, layer="below", line_width=0)
    if not holidays.empty:
        fig.add_trace(go.Scatter(
            x=[pd.Timestamp(d) + pd.Timedelta(hours=12) for d in holidays["day"]],
            y=[None] * len(holidays), mode="markers", name="jour férié", hoverinfo="skip",
            marker={"symbol": "square", "size": 14, "color": GREY, "opacity": 0.5},
        ))
    bodies = list(dict.fromkeys(meetings.sort_values("sort_order")["body_name"])) if not meetings.empty else []
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=bodies[::-1], automargin=True,
                     gridcolor=LIGHT)
    # a margin of two days on each side, so that a meeting on the first or last day shows whole; one tick per
    # week, on Mondays (the window starts on a Monday)
    fig.update_xaxes(type="date", range=[pd.Timestamp(start) - pd.Timedelta(days=2),
                                         pd.Timestamp(end) + pd.Timedelta(days=2)],
                     tick0=pd.Timestamp(start), tickformat="%d %b", dtick=7 * 24 * 3600 * 1000, gridcolor=LIGHT)
    if meetings.empty:
        fig.add_annotation(text="Aucune séance sur ces semaines.", showarrow=False, x=0.5, y=0.5, xref="paper",
                           yref="paper", font={"size": 16, "color": GREY})
    return _layout(fig, 160 + 32 * max(len(bodies), 3))


# The colour and the pattern of each reply to a convocation, as its status would be on the sign-in sheet
_REPLY_STYLE = {"present": (ATTENDANCE_COLOURS["present"], ""), "remote": (ATTENDANCE_COLOURS["remote"], ""),
                "substitute": (ATTENDANCE_COLOURS["substituted"], ""), "none": (GREY, "."),
                "excused": (ATTENDANCE_COLOURS["excused"], "x"), "proxy": (ATTENDANCE_COLOURS["proxy"], "x")}


def member_probabilities(frame: pd.DataFrame, required: int | None = None) -> go.Figure:
    """Each member's probability of counting for the quorum at a sitting to come (outputs.forecast.members_frame:
    name, reply, reply_label, probability, hover), one bar each, the least likely at the top; the colour and the
    pattern say the reply (ruled out: crossed; no reply: dotted)."""
    if frame.empty:
        return empty("Aucun membre en exercice à cette date.")
    fig = go.Figure()
    for reply, (colour, pattern) in _REPLY_STYLE.items():
        part = frame[frame["reply"] == reply]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            x=part["probability"], y=part["name"], orientation="h", name=part["reply_label"].iloc[0],
            marker={"color": colour, "pattern": {"shape": pattern}}, customdata=part[["hover"]].values,
            hovertemplate="%{customdata[0]}<extra></extra>"))
    fig.update_xaxes(range=[0, 1], gridcolor=LIGHT, title_text="probabilité d'occuper son siège",
                     **percent_ticks(0.25))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(frame["name"])[::-1],
                     showgrid=False, automargin=True)
    if required:
        fig.update_layout(title={"text": f"<b>quorum : {required} présents</b>", "font": {"size": 13}, "x": 1,
                                 "xanchor": "right", "pad": {"l": 4}})
    return _layout(fig, 120 + 18 * len(frame), barmode="overlay", bargap=0.25)
