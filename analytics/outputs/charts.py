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
    INK,
    LIGHT,
    MEETING_COLOURS,
    ORANGE,
    SECTOR_COLOURS,
    VERMILLION,
)
from analytics.wording.format import percent

# Okabe & Ito (2008), "Color Universal Design".
MEETING_SYMBOLS = {"held": "circle", "planned": "circle-open", "cancelled": "x"}
SECTOR_SYMBOLS = {"Centre": "circle", "Nord": "diamond", "Sud": "square"}
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
# The config every chart is shown with: French, no Plotly logo, a PNG export named in French.
CONFIG = {
    "locale": "fr",
    "locales": {"fr": PLOTLY_LOCALE_FR},
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d", "toggleSpikelines"],
    "toImageButtonOptions": {"format": "png", "filename": "gouvernance-m2a", "scale": 2},
}


def _layout(fig: go.Figure, height: int, *, font: int = 14, legend: bool = True, **extra) -> go.Figure:
    """The common layout: French separators, readable font, legend above the plot, tight margins."""
    fig.update_layout(
        separators=", ",  # decimal comma, thin-space thousands
        height=height,
        font={"size": font, "color": INK},
        margin={"l": 10, "r": 10, "t": 40 if legend else 10, "b": 10},
        hoverlabel={"font_size": font, "align": "left"},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0,
                "title_text": ""},
        **({"plot_bgcolor": "#FFFFFF"} | extra),
    )
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
        fig.add_trace(go.Bar(
            x=part["period_label"], y=part["held"], name=CADENCE_LABELS[status],
            marker={"color": CADENCE_COLOURS[status], "line": {"color": GREY, "width": 1},
                    "pattern": {"shape": "/" if status == "missed" else ""}},
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


def quorum_margin(frame: pd.DataFrame) -> go.Figure:
    """Margin of each sitting over its quorum (present − required). Columns: meeting_label, margin, outcome
    (reached, missed, exempt), outcome_label, hover."""
    if frame.empty:
        return empty("Aucune séance avec quorum sur la période.")
    colours = {"reached": BLUE, "missed": VERMILLION, "exempt": GREY}
    fig = go.Figure()
    for outcome in ("reached", "missed", "exempt"):
        part = frame[frame["outcome"] == outcome]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            x=part["meeting_label"], y=part["margin"], name=part["outcome_label"].iloc[0],
            marker={"color": colours[outcome], "pattern": {"shape": "/" if outcome == "missed" else ""}},
            customdata=part[["hover"]].values, hovertemplate="%{customdata[0]}<extra></extra>",
        ))
    fig.add_hline(y=0, line={"color": INK, "width": 2})
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(frame["meeting_label"]),
                     showgrid=False, tickangle=-45)
    fig.update_yaxes(title_text="présents au-delà du quorum", gridcolor=LIGHT, zeroline=False)
    return _layout(fig, 320)


def communes_map(frame: pd.DataFrame, *, colour_by: str = "sector", highlight: str | None = None) -> go.Figure:
    """The communes at their centroids (no tiles, no geo trace: it works offline), true distances.

    Columns: lon, lat, name, sector, population, hover, and the boolean `highlight` column if given (drawn filled,
    the others hollow: e.g. communes met by the Président).
    """
    if frame.empty:
        return empty()
    fig = go.Figure()
    size = 8 + 34 * (frame["population"] / frame["population"].max()) ** 0.5
    frame = frame.assign(_size=size)
    for sector in ("Centre", "Nord", "Sud"):
        part = frame[frame["sector"] == sector]
        if part.empty:
            continue
        groups = [(part, None)] if highlight is None else [(part[part[highlight]], True),
                                                             (part[~part[highlight]], False)]
        for group, filled in groups:
            if group.empty:
                continue
            name = f"Secteur {sector}"
            if filled is not None:
                name += " — rencontrée" if filled else " — pas encore rencontrée"
            fig.add_trace(go.Scatter(
                x=group["lon"], y=group["lat"], mode="markers+text", name=name,
                text=group["name"].where(group["population"] >= 9000, ""), textposition="top center",
                textfont={"size": 11, "color": INK},
                marker={"size": group["_size"], "color": SECTOR_COLOURS[sector] if filled is not False else "#FFFFFF",
                        "symbol": SECTOR_SYMBOLS[sector], "opacity": 0.85,
                        "line": {"color": SECTOR_COLOURS[sector] if filled is not None else "#FFFFFF",
                                 "width": 2.5 if filled is not None else 1}},
                customdata=group[["hover"]].values, hovertemplate="%{customdata[0]}<extra></extra>",
            ))
    # equal distances east-west and north-south: the y axis is stretched by 1/cos(latitude)
    fig.update_yaxes(scaleanchor="x", scaleratio=MAP_SCALE_RATIO, visible=False)
    fig.update_xaxes(visible=False)
    return _layout(fig, 560, plot_bgcolor="#F7F8FA")


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
    fig = go.Figure(go.Histogram(
        x=frame["presence_rate"], xbins={"start": 0, "end": 1.0001, "size": 0.05}, marker_color=BLUE,
        marker_line={"color": "#FFFFFF", "width": 1}, name="personnes", showlegend=False,
        hovertemplate="%{y} personne(s) dans cette tranche de 5 points<extra></extra>",
    ))
    bands = ((0, q1, band_labels[0], "#FBE3D6"), (q1, median, band_labels[1], "#FFF3C4"),
             (median, q3, band_labels[2], "#DDEBF7"), (q3, 1.0001, band_labels[3], "#B9D7EE"))
    for low, high, label, colour in bands:
        fig.add_vrect(x0=low, x1=high, fillcolor=colour, opacity=0.8, layer="below", line_width=0)
        # the band's name in the legend: the bands can be too narrow to hold a label
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label, hoverinfo="skip",
                                 marker={"symbol": "square", "size": 14, "color": colour}))
    fig.add_vline(x=median, line={"color": INK, "width": 2, "dash": "dash"}, annotation_text="médiane",
                  annotation_position="top", annotation_font_size=12)
    if selected:
        label, rate = selected.rsplit("|", 1)
        fig.add_vline(x=float(rate), line={"color": VERMILLION, "width": 3},
                      annotation_text=label, annotation_position="bottom right")
    fig.update_xaxes(**percent_ticks(0.1), range=[0, 1.0001], title_text="taux de présence", gridcolor=LIGHT)
    fig.update_yaxes(title_text="personnes", gridcolor=LIGHT)
    return _layout(fig, 320, bargap=0.05)


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
