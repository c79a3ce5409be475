"""The dashboard's colours, shared by the Plotly charts and the PDF pack: Okabe–Ito, safe for colour-blind readers."""

from __future__ import annotations

from analytics.wording.labels import CADENCE_STATUS

BLUE, SKY, GREEN, YELLOW, ORANGE, VERMILLION, PURPLE = (
    "#0072B2", "#56B4E9", "#009E73", "#F0E442", "#E69F00", "#D55E00", "#CC79A7")
GREY, LIGHT, INK = "#9AA3AD", "#E9ECEF", "#1C2430"
# the greys of Streamlit's chart theme (its light theme), which the charts keep now that they set their own style:
# axis labels and hover text, legend text, grid and ticks, the hover label's border
MUTED, LEGEND_INK, GRID, HOVER_BORDER = "#808495", "#262730", "#E6EAF1", "rgba(28, 36, 48, 0.2)"

# a period that cannot be judged (before the recorded history or the mandate, or a paused month) is grey
CADENCE_COLOURS = {"met": BLUE, "in_progress": YELLOW, "missed": VERMILLION, "not_judged": GREY, "no_rule": LIGHT,
                   "none": "#FFFFFF"}
CADENCE_LABELS = {**CADENCE_STATUS, "none": "pas d'obligation ce mois-ci"}
ATTENDANCE_COLOURS = {"present": BLUE, "remote": SKY, "proxy": GREEN, "substituted": PURPLE, "excused": ORANGE,
                      "absent": VERMILLION, "not_recorded": LIGHT}
SECTOR_COLOURS = {"Centre": BLUE, "Nord": ORANGE, "Sud": GREEN}
# the gravity of an alert, as the dashboard colours its icon: the law in red, the charter and people in orange…
GRAVITY_COLOURS = {"legal": VERMILLION, "charter": ORANGE, "follow_up": ORANGE, "watch": BLUE, "data": GREY}
MEETING_COLOURS = {"held": BLUE, "planned": SKY, "cancelled": VERMILLION}
