"""The PDF canvas of the monthly pack (analytics.report): fpdf2, the bundled DejaVu Sans, the dashboard's palette,
and the few drawings the pack needs — headline cards, tables whose cells can hold bars, the cadence heatmap, month
calendars. Everything is drawn natively: no browser, no network, a few hundred milliseconds.

The anonymised edition is guarded here, at the single place every string goes through before it is written
(`normalize_text`): a person's name reaching the page raises NameLeak instead of producing the document.
"""

from __future__ import annotations

import copy
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import cast

from fpdf import FPDF
from fpdf.drawing_primitives import Transform
from fpdf.fonts import TTFFont

from analytics import settings
from analytics.outputs.palette import BLUE, GREY, INK, LIGHT, ORANGE, SKY, VERMILLION

FONT_DIR = settings.FONT_DIR
FONT = "DejaVu"
MUTED = "#5B6673"      # secondary text: darker than the charts' GREY so that it stays legible on paper
STRIPE = "#F5F7F9"     # every other table row
RULE = "#D5DAE0"       # table separators
ON_DARK = "#FFFFFF"
PAGE_MARGIN = 12.0
TOP = 17.0             # below the running header
BOTTOM = 14.0          # above the footer
# A section a little too long for its pages is drawn smaller rather than end on a near-empty "(suite)" page:
# down to this scale (7 pt type becomes 6 pt), and only when its last page would be less than this full.
MIN_SCALE = 0.85
MIN_LAST_PAGE = 0.4


class NameLeak(RuntimeError):
    """A person's name was about to be printed in the anonymised edition."""


def name_guard(names: Iterable[tuple[str, str]]) -> Callable[[str], None]:
    """A check that raises NameLeak when a text holds a person's name: "NOM Prénom", "Prénom NOM" (any case), or
    the last name alone in capitals as the pages write it ("ROSSIGNOL"). The last name alone in other cases is not
    checked: a person called Bureau or Forum must not make the body names unprintable."""
    full: set[str] = set()
    upper: set[str] = set()
    for last, first in names:
        last, first = (last or "").strip(), (first or "").strip()
        if len(last) < 2 or last.upper() == "ANONYME":  # erased people keep "ANONYME n° 12": not a name
            continue
        upper.add(re.escape(last.upper()))
        if first:
            full.add(re.escape(f"{last} {first}"))
            full.add(re.escape(f"{first} {last}"))
    patterns = []
    if full:
        patterns.append(re.compile(r"(?<!\w)(?:" + "|".join(sorted(full, key=len, reverse=True)) + r")(?!\w)",
                                   re.IGNORECASE))
    if upper:
        patterns.append(re.compile(r"(?<!\w)(?:" + "|".join(sorted(upper, key=len, reverse=True)) + r")(?!\w)"))

    def check(text: str) -> None:
        for pattern in patterns:
            found = pattern.search(text)
            if found:
                raise NameLeak(f"nom de personne dans l'édition anonymisée : « {found.group(0)} »")

    return check


# -- cell contents -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    """A cell's text, with an optional second line in small grey type (a rule under a body's name, a delay…)."""

    text: str
    bold: bool = False
    colour: str = INK
    sub: str | None = None


@dataclass(frozen=True)
class Bar:
    """A number and its bar: `label` is printed, `value` / `scale` fills the track; `tick` marks a reference (the
    expected rate, the quorum) with a dark stroke; `ghost` draws a lighter second bar behind (participation)."""

    label: str
    value: float | None
    scale: float = 1.0
    colour: str = BLUE
    tick: float | None = None
    ghost: float | None = None
    ghost_colour: str = "#B7DCCF"
    label_width: float = 12.0
    band: tuple[float, float] | None = None  # a shaded stretch of the track (the middle half: quartiles 1 to 3)


@dataclass(frozen=True)
class Swatch:
    """A coloured square before a short text (a gravity, a status)."""

    colour: str
    text: str
    bold: bool = False


Cell = str | Text | Bar | Swatch


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    align: str = "L"


@dataclass(frozen=True)
class Group:
    """A full-width row that opens a group of rows (a sector)."""

    title: str


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    delta: str | None
    tone: str  # "good", "bad" or "neutral": the colour of the change
    caption: str


@dataclass
class Day:
    """What a day of the month calendar shows."""

    holiday: str | None = None
    meetings: list[str] = field(default_factory=list)  # statuses: held, planned, cancelled
    due: int = 0


# -- the document ----------------------------------------------------------------------------------------------------

class PackPDF(FPDF):
    """A4 portrait, French, DejaVu Sans; a running header (title, edition) and a footer (data date, page n / N)."""

    def __init__(self, *, running_title: str, edition: str, edition_colour: str, footer_note: str,
                 guard: Callable[[str], None] | None = None, created: date | None = None) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self._guard = guard
        self.running_title = running_title
        self.edition = edition
        self.edition_colour = edition_colour
        self.footer_note = footer_note
        self.page_title_text = ""
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(PAGE_MARGIN, TOP, PAGE_MARGIN)
        self.c_margin = 0.4  # the tables pad their cells themselves
        # breaks are decided here, block by block, so that a table row or a card never splits
        self.set_auto_page_break(False, margin=BOTTOM)
        self.set_lang("fr-FR")
        self.set_creator("Gouvernance m2A")
        self.set_author("Mulhouse Alsace Agglomération — direction générale")
        if created is not None:
            # a fixed date (the data's) rather than "now": the same data gives the same file
            self.set_creation_date(datetime(created.year, created.month, created.day, tzinfo=UTC))
        self.set_font(FONT, "", 9)
        self.set_text_color(INK)
        self._glyphs: set[int] | None = None
        self._scale = 1.0           # the scale of the section being drawn (see fitted)
        self._scaled: ExitStack | None = None
        self._measuring = False     # measuring a section's height (see fitted): the page never ends
        self.scales: list[float] = []  # the scale each page was drawn at, for the tests and the bench

    # every string goes through here before it is measured or written
    def normalize_text(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        if self._guard is not None:
            self._guard(text)
        font = self.current_font
        if isinstance(font, TTFFont):  # what is_ttf_font tells, narrowed for the type checker
            if self._glyphs is None:
                self._glyphs = set(font.cmap)
            if any(ord(ch) not in self._glyphs and ch not in "\n\r\t" for ch in text):
                text = "".join(ch if ord(ch) in self._glyphs or ch in "\n\r\t" else _fallback(ch, self._glyphs)
                               for ch in text)
        return super().normalize_text(text)

    def render(self) -> bytes:
        """The finished document; the font files, which fontTools keeps open while it reads them lazily, are
        closed afterwards."""
        try:
            return bytes(self.output())
        finally:
            for font in self.fonts.values():
                ttfont = getattr(font, "ttfont", None)
                if ttfont is not None:
                    ttfont.close()

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    @property
    def bottom(self) -> float:
        if self._measuring:
            return math.inf
        # drawn at a scale s about the top of the page body, the body holds 1/s times as much
        return TOP + (self.h - BOTTOM - TOP) / self._scale

    @property
    def body_height(self) -> float:
        """The printable height of a page, between the running header and the footer."""
        return self.h - BOTTOM - TOP

    def fitted(self, draw: Callable[[PackPDF], None]) -> float:
        """Draw one section (`draw` opens its page) so that it does not end on a near-empty carry-over. Drawn as is
        first; if its last page is less than MIN_LAST_PAGE full, the document is put back as it was, the section's
        height measured on a page that never ends, and the section drawn smaller, down to MIN_SCALE, so that it
        fills one page fewer. Returns the scale used."""
        before = copy.deepcopy(self.__dict__)  # a few milliseconds: the fonts are shared, not copied
        first = self.page + 1
        draw(self)
        pages = self.page - first + 1
        if pages <= 1 or self.get_y() - TOP >= MIN_LAST_PAGE * self.body_height:
            return 1.0
        self.__dict__ = copy.deepcopy(before)
        self._measuring = True
        draw(self)
        needed = self.get_y() - TOP
        self.__dict__ = copy.deepcopy(before)
        # a page break wastes the rest of a page (a heading keeps some of what follows with it) and repeats a
        # heading: a little slack; and a section that broke early for that reason alone is still drawn smaller
        scale = min((pages - 1) * self.body_height * 0.96 / needed, 0.97)
        if scale < MIN_SCALE:
            self.__dict__ = before
            draw(self)  # too long to shrink legibly: as first drawn
            return 1.0
        self._scale = scale
        try:
            draw(self)
        finally:
            self._unscale()
            self._scale = 1.0
        return scale

    def add_page(self, *args, **kwargs) -> None:
        """A new page: the running header and the previous page's footer are drawn unscaled, the body at the scale
        of the section (see fitted)."""
        self._unscale()
        super().add_page(*args, **kwargs)
        self.scales.append(self._scale)
        if self._scale != 1.0:
            self._scaled = ExitStack()
            self._scaled.enter_context(self.transform(Transform.scaling(self._scale).about(self.l_margin, TOP)))
            # laid out 1/s as wide, the body spans the page's width once scaled
            self.r_margin = self.w - self.l_margin - (self.w - 2 * PAGE_MARGIN) / self._scale

    def _unscale(self) -> None:
        if self._scaled is not None:
            self._scaled.close()
            self._scaled = None
        self.r_margin = PAGE_MARGIN

    def header(self) -> None:
        self.set_font(FONT, "", 7)
        self.set_text_color(MUTED)
        self.set_xy(self.l_margin, 7)
        self.cell(self.width / 2, 4, self.running_title)
        self.set_font(FONT, "B", 7)
        self.set_text_color(self.edition_colour)
        self.set_xy(self.l_margin + self.width / 2, 7)
        self.cell(self.width / 2, 4, self.edition, align="R")
        self.set_draw_color(RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, 12, self.w - self.r_margin, 12)
        self.set_text_color(INK)
        self.set_xy(self.l_margin, TOP)

    def footer(self) -> None:
        self.set_draw_color(RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.h - 10.5, self.w - self.r_margin, self.h - 10.5)
        self.set_font(FONT, "", 6.5)
        self.set_text_color(MUTED)
        self.set_xy(self.l_margin, self.h - 9.5)
        self.cell(self.width - 25, 4, self.footer_note)
        self.set_xy(self.w - self.r_margin - 25, self.h - 9.5)
        self.cell(25, 4, f"page {self.page_no()} / {{nb}}", align="R")
        self.set_text_color(INK)

    # -- blocks --------------------------------------------------------------------------------------------------

    def fits(self, height: float) -> bool:
        return self.get_y() + height <= self.bottom

    def new_page(self, title: str, subtitle: str | None = None) -> None:
        """A page with its title: a blue mark, the title in large type, a grey subtitle."""
        self.add_page()
        self.page_title_text = title
        self.set_fill_color(BLUE)
        y = self.get_y()
        self.rect(self.l_margin, y + 0.6, 1.6, 7.2, style="F")
        self.set_xy(self.l_margin + 4, y)
        self.set_font(FONT, "B", 16)
        self.set_text_color(INK)
        self.cell(self.width - 4, 8.5, title)
        self.ln(9)
        if subtitle:
            self.set_x(self.l_margin + 4)
            self.set_font(FONT, "", 8.5)
            self.set_text_color(MUTED)
            self.multi_cell(self.width - 4, 4.2, subtitle, align="L")
            self.set_text_color(INK)
        self.ln(2.5)

    def continued(self) -> None:
        """A new page for the rest of the current one: the same title, "(suite)"."""
        self.add_page()
        self.set_font(FONT, "B", 11)
        self.set_text_color(MUTED)
        self.cell(self.width, 6, f"{self.page_title_text} (suite)")
        self.ln(8)
        self.set_text_color(INK)

    def section(self, title: str, note: str | None = None, *, keep: float = 25.0) -> None:
        """A section heading, moved to the next page with at least `keep` mm of what follows."""
        note_h = self._text_height(note, self.width, 7.5, 3.6) if note else 0
        if not self.fits(8 + note_h + keep):
            self.continued()
        self.ln(1.5)
        self.set_font(FONT, "B", 10.5)
        self.set_text_color(INK)
        self.cell(self.width, 5.5, title)
        self.ln(6.3)
        self.set_draw_color(BLUE)
        self.set_line_width(0.35)
        self.line(self.l_margin, self.get_y(), self.l_margin + 18, self.get_y())
        self.ln(1.0)
        if note:
            self.paragraph(note, size=7.5, colour=MUTED, line=3.6)
        self.ln(0.8)

    def paragraph(self, text: str, *, size: float = 8.5, colour: str = INK, line: float = 4.2,
                  bold: bool = False) -> None:
        height = self._text_height(text, self.width, size, line, bold)
        if not self.fits(height):
            self.continued()
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(colour)
        self.set_x(self.l_margin)
        self.multi_cell(self.width, line, text, align="L")
        self.set_text_color(INK)

    def rich_line(self, parts: Sequence[tuple[str, bool]], *, size: float = 8.5, line: float = 4.4) -> None:
        """One paragraph mixing bold and regular runs."""
        self.set_x(self.l_margin)
        self.set_text_color(INK)
        for text, bold in parts:
            self.set_font(FONT, "B" if bold else "", size)
            self.write(line, text)
        self.ln(line)

    def _text_height(self, text: str, width: float, size: float, line: float, bold: bool = False) -> float:
        return self._lines(text, width, size, bold) * line

    def cards(self, cards: Sequence[Card]) -> None:
        """The headline figures side by side: label, value, change against the previous period, a caption."""
        gap = 3.0
        width = (self.width - gap * (len(cards) - 1)) / len(cards)
        captions = [self._text_height(c.caption, width - 6, 6.8, 3.1) for c in cards]
        height = 25 + max(captions)
        x0, y0 = self.l_margin, self.get_y()
        tones = {"good": "#007A5A", "bad": VERMILLION, "neutral": MUTED}
        for i, card in enumerate(cards):
            x = x0 + i * (width + gap)
            self.set_fill_color("#F3F6FA")
            self.set_draw_color(RULE)
            self.set_line_width(0.2)
            self.rect(x, y0, width, height, style="DF", round_corners=True, corner_radius=1.5)
            self.set_xy(x + 3, y0 + 2.5)
            self.set_font(FONT, "", 7.5)
            self.set_text_color(MUTED)
            self.cell(width - 6, 4, card.label)
            self.set_xy(x + 3, y0 + 7)
            self.set_font(FONT, "B", 17)
            self.set_text_color(INK)
            self.cell(width - 6, 8, card.value)
            self.set_xy(x + 3, y0 + 15.5)
            self.set_font(FONT, "B", 8)
            if card.delta:
                self.set_text_color(tones.get(card.tone, MUTED))
                arrow = {"up": "▲ ", "down": "▼ "}.get(_direction(card.delta), "")
                self.cell(width - 6, 4, arrow + card.delta)
            else:
                self.set_text_color(MUTED)
                self.cell(width - 6, 4, "pas de comparaison")
            self.set_xy(x + 3, y0 + 21)
            self.set_font(FONT, "", 6.8)
            self.set_text_color(MUTED)
            self.multi_cell(width - 6, 3.1, card.caption, align="L")
        self.set_text_color(INK)
        self.set_xy(self.l_margin, y0 + height + 2)

    def chips(self, chips: Sequence[tuple[str, str]], *, size: float = 7.2) -> None:
        """Short labels in rounded boxes, each with a coloured square: the alert counts per kind."""
        self.set_font(FONT, "", size)
        x, y, h = self.l_margin, self.get_y(), 5.2
        for colour, text in chips:
            w = self.get_string_width(text) + 8
            if x + w > self.l_margin + self.width:
                x, y = self.l_margin, y + h + 1.5
            self.set_draw_color(RULE)
            self.set_fill_color("#FFFFFF")
            self.set_line_width(0.2)
            self.rect(x, y, w, h, style="DF", round_corners=True, corner_radius=1.2)
            self.set_fill_color(colour)
            self.rect(x + 1.8, y + 1.6, 2, 2, style="F")
            self.set_xy(x + 4.6, y + 0.6)
            self.set_text_color(INK)
            self.cell(w - 5, 4, text)
            x += w + 2
        self.set_xy(self.l_margin, y + h + 2)

    def legend(self, items: Sequence[tuple[str, str, bool] | tuple[str, str, bool, str]], *,
               size: float = 6.8) -> None:
        """One line of legend: (colour, label, outlined[, shape]) per mark; shape "square" (default), "dot" or
        "ring" (a hollow dot in the colour), like the marks they explain."""
        self.set_font(FONT, "", size)
        self.set_text_color(INK)
        x, y = self.l_margin, self.get_y()
        for item in items:
            colour, label, outlined = item[:3]
            shape = item[3] if len(item) > 3 else "square"
            w = self.get_string_width(label) + 6
            if x + w > self.l_margin + self.width:
                x, y = self.l_margin, y + 4.2
            self.set_line_width(0.3 if shape == "ring" else 0.2)
            if shape in ("dot", "ring"):
                self.set_draw_color(colour)
                self.set_fill_color("#FFFFFF" if shape == "ring" else colour)
                self.circle(x + 1.4, y + 2.2, 1.0, style="DF")
            else:
                self.set_fill_color(colour)
                self.set_draw_color(GREY if outlined else colour)
                self.rect(x, y + 0.8, 2.8, 2.8, style="DF")
            self.set_xy(x + 3.8, y)
            self.cell(w - 4, 4.4, label)
            x += w + 2.5
        self.set_xy(self.l_margin, y + 5.2)

    # -- tables ----------------------------------------------------------------------------------------------------

    def data_table(self, columns: Sequence[Column], rows: Sequence[Sequence[Cell] | Group], *, size: float = 7.4,
                   header: bool = True, stripes: bool = True, padding: float = 1.2,
                   line: float | None = None) -> None:
        """Rows of cells under a header that repeats after a page break; a row never splits across pages. (Not
        named `table`: that would hide FPDF.table, a context manager with another signature.)"""
        line = line or size * 0.46
        total = sum(c.width for c in columns)
        if 0 < total < self.width - 0.01:
            # columns sized for the page: stretched to the body's width when a section is drawn smaller
            columns = [Column(c.header, c.width * self.width / total, c.align) for c in columns]
        if header:
            self._table_header(columns)
        for index, row in enumerate(rows):
            if isinstance(row, Group):
                if not self.fits(6 + 2 * (line + 2 * padding)):
                    self.continued()
                    if header:
                        self._table_header(columns)
                self._group_row(row)
                continue
            height = max(self._cell_height(cell, col.width - 2 * padding, size, line)
                         for cell, col in zip(row, columns)) + 2 * padding
            if not self.fits(height):
                self.continued()
                if header:
                    self._table_header(columns)
            y = self.get_y()
            if stripes and index % 2 == 1:
                self.set_fill_color(STRIPE)
                self.rect(self.l_margin, y, self.width, height, style="F")
            x = self.l_margin
            for cell, col in zip(row, columns):
                self._draw_cell(cell, x + padding, y + padding, col.width - 2 * padding, col.align, size, line)
                x += col.width
            self.set_draw_color(RULE)
            self.set_line_width(0.15)
            self.line(self.l_margin, y + height, self.l_margin + self.width, y + height)
            self.set_xy(self.l_margin, y + height)
        self.ln(1.5)

    def _header_size(self, column: Column) -> float:
        size = 6.6
        self.set_font(FONT, "B", size)
        longest = max((self.get_string_width(word) for word in column.header.split()), default=0)
        room = column.width - 2 - 2 * self.c_margin
        if longest > room:
            size = max(5.0, size * room / longest * 0.97)  # a little slack: rounding must not break the word
        return size

    def _table_header(self, columns: Sequence[Column]) -> None:
        sizes = [self._header_size(c) for c in columns]
        heights = [self._lines(c.header, c.width - 2, size, True) * 3.0 for c, size in zip(columns, sizes)]
        height = max(heights) + 2.4
        if not self.fits(height + 8):
            self.continued()
        y = self.get_y()
        self.set_fill_color("#EEF1F5")
        self.rect(self.l_margin, y, self.width, height, style="F")
        x = self.l_margin
        self.set_text_color(MUTED)
        for col, h, size in zip(columns, heights, sizes):
            # headers sit on the bottom line, like the numbers under them
            self.set_font(FONT, "B", size)
            self._write(x + 1, y + height - 1.2 - h, col.width - 2, 3.0, col.header, col.align)
            x += col.width
        self.set_text_color(INK)
        self.set_draw_color(GREY)
        self.set_line_width(0.25)
        self.line(self.l_margin, y + height, self.l_margin + self.width, y + height)
        self.set_xy(self.l_margin, y + height)

    def _group_row(self, group: Group) -> None:
        y = self.get_y() + 1
        self.set_xy(self.l_margin, y)
        self.set_font(FONT, "B", 7.8)
        self.set_text_color(BLUE)
        self.cell(self.width, 5, group.title)
        self.set_text_color(INK)
        self.set_draw_color(BLUE)
        self.set_line_width(0.25)
        self.line(self.l_margin, y + 5, self.l_margin + self.width, y + 5)
        self.set_xy(self.l_margin, y + 5)

    def _lines(self, text: str, width: float, size: float, bold: bool = False) -> int:
        self.set_font(FONT, "B" if bold else "", size)
        if "\n" not in text and self.get_string_width(text) <= width - 2 * self.c_margin:
            return 1  # most cells: no need for multi_cell's (slow) dry run
        # output="LINES" makes multi_cell return the lines alone; its annotation covers every output mode
        lines = cast(list[str], self.multi_cell(width, 3, text, dry_run=True, output="LINES"))
        return max(1, len(lines))

    def _write(self, x: float, y: float, width: float, line: float, text: str, align: str) -> None:
        """Text at (x, y) in a box `width` wide: one cell when it fits, else wrapped lines."""
        self.set_xy(x, y)
        if "\n" not in text and self.get_string_width(text) <= width - 2 * self.c_margin:
            self.cell(width, line, text, align=align)
            self.set_xy(x, y + line)
        else:
            self.multi_cell(width, line, text, align=align)

    def _cell_height(self, cell: Cell, width: float, size: float, line: float) -> float:
        if isinstance(cell, Bar):
            return line
        if isinstance(cell, Swatch):
            return self._lines(cell.text, width - 4, size, cell.bold) * line
        text = cell if isinstance(cell, Text) else Text(str(cell))
        height = self._lines(text.text, width, size, text.bold) * line
        if text.sub:
            height += self._lines(text.sub, width, size - 1.2) * (line - 0.5)
        return height

    def _draw_cell(self, cell: Cell, x: float, y: float, width: float, align: str, size: float, line: float) -> None:
        if isinstance(cell, Bar):
            self._draw_bar(cell, x, y, width, size, line)
            return
        if isinstance(cell, Swatch):
            self.set_fill_color(cell.colour)
            self.rect(x, y + (line - 2.4) / 2, 2.4, 2.4, style="F")
            self.set_font(FONT, "B" if cell.bold else "", size)
            self.set_text_color(INK)
            self._write(x + 3.6, y, width - 3.6, line, cell.text, align)
            return
        text = cell if isinstance(cell, Text) else Text(str(cell))
        self.set_font(FONT, "B" if text.bold else "", size)
        self.set_text_color(text.colour)
        self._write(x, y, width, line, text.text, align)
        if text.sub:
            self.set_font(FONT, "", size - 1.2)
            self.set_text_color(MUTED)
            self._write(x, self.get_y(), width, line - 0.5, text.sub, align)
        self.set_text_color(INK)

    def _draw_bar(self, bar: Bar, x: float, y: float, width: float, size: float, line: float) -> None:
        self.set_font(FONT, "", size)
        self.set_text_color(INK)
        self.set_xy(x, y)
        self.cell(bar.label_width, line, bar.label, align="R")
        track_x = x + bar.label_width + 1.5
        track_w = max(width - bar.label_width - 1.5, 2)
        bar_h = min(2.6, line - 0.6)
        top = y + (line - bar_h) / 2
        self.set_fill_color("#E4E8ED")
        self.rect(track_x, top, track_w, bar_h, style="F")

        def extent(value: float | None) -> float:
            if value is None or bar.scale <= 0:
                return 0.0
            return track_w * min(max(value / bar.scale, 0.0), 1.0)

        inner_top, inner_h = top, bar_h
        if bar.band is not None:
            # the band spans the track's height and the bar is drawn thinner on it, so that both stay visible
            low, high = extent(bar.band[0]), extent(bar.band[1])
            self.set_fill_color("#AEB8C4")
            self.rect(track_x + low, top, max(high - low, 0.3), bar_h, style="F")
            inner_top, inner_h = top + bar_h * 0.25, bar_h * 0.5
        if bar.ghost is not None:
            self.set_fill_color(bar.ghost_colour)
            self.rect(track_x, inner_top, extent(bar.ghost), inner_h, style="F")
        if bar.value is not None and extent(bar.value) > 0:
            self.set_fill_color(bar.colour)
            self.rect(track_x, inner_top, extent(bar.value), inner_h, style="F")
        if bar.tick is not None:
            tick_x = track_x + extent(bar.tick)
            self.set_draw_color(INK)
            self.set_line_width(0.45)
            self.line(tick_x, top - 0.7, tick_x, top + bar_h + 0.7)

    # -- heatmap -----------------------------------------------------------------------------------------------------

    def heatmap(self, rows: Sequence[str], columns: Sequence[str], cells: dict[tuple[int, int], tuple[str, str]],
                *, hatched: AbstractSet[tuple[int, int]] = frozenset(), highlight: int | None = None,
                cell_width: float = 9.4, row_height: float = 3.95) -> None:
        """Rows × columns of coloured cells with a short text in each (the cadence heatmap). `cells` maps
        (row, column) to (fill colour, text); `hatched` cells get diagonal stripes (missed: readable in grey
        print too); the `highlight` column (the month of the pack) is framed. The column header repeats after a
        page break."""
        name_width = self.width - cell_width * len(columns)
        x0 = self.l_margin + name_width
        header_h = 7.0
        gap = 0.45

        def header() -> float:
            y0 = self.get_y()
            for j, label in enumerate(columns):
                month, _, year = label.partition(" ")
                self.set_font(FONT, "B" if j == highlight else "", 6.4)
                self.set_text_color(INK if j == highlight else MUTED)
                self.set_xy(x0 + j * cell_width, y0)
                self.cell(cell_width, 3.2, month, align="C")
                self.set_xy(x0 + j * cell_width, y0 + 3.1)
                self.cell(cell_width, 3.2, year, align="C")
            return y0 + header_h

        def frame(top: float, bottom: float) -> None:
            if highlight is not None and bottom > top:
                self.set_draw_color(INK)
                self.set_line_width(0.4)
                self.rect(x0 + highlight * cell_width, top - 0.2, cell_width, bottom - top + 0.4)

        if not self.fits(header_h + row_height * min(len(rows), 4)):
            self.continued()
        y = top = header()
        for i, name in enumerate(rows):
            if y + row_height > self.bottom:
                frame(top, y)
                self.continued()
                y = top = header()
            self.set_font(FONT, "", 7)
            self.set_text_color(INK)
            self.set_xy(self.l_margin, y)
            self.cell(name_width - 1.5, row_height, _fit(self, name, name_width - 2))
            for j in range(len(columns)):
                colour, text = cells.get((i, j), ("#FFFFFF", ""))
                cx, cy = x0 + j * cell_width + gap / 2, y + gap / 2
                w, h = cell_width - gap, row_height - gap
                self.set_fill_color(colour)
                if colour.upper() == "#FFFFFF":
                    self.set_draw_color(LIGHT)
                    self.set_line_width(0.15)
                    self.rect(cx, cy, w, h, style="DF")
                else:
                    self.rect(cx, cy, w, h, style="F")
                if (i, j) in hatched:
                    self._hatch(cx, cy, w, h)
                if text:
                    self.set_font(FONT, "B", 6.2)
                    self.set_text_color(ON_DARK if _dark(colour) else INK)
                    self.set_xy(cx, cy)
                    self.cell(w, h, text, align="C")
            y += row_height
        frame(top, y)
        self.set_text_color(INK)
        self.set_xy(self.l_margin, y + 1.5)

    def _hatch(self, x: float, y: float, w: float, h: float) -> None:
        self.set_draw_color("#FFFFFF")
        self.set_line_width(0.3)
        with self.rect_clip(x, y, w, h):
            step = 1.6
            offset = -h
            while offset < w:
                self.line(x + offset, y + h, x + offset + h, y)
                offset += step

    # -- month calendar ----------------------------------------------------------------------------------------------

    def month_grid(self, x: float, y: float, width: float, first: date, days: dict[date, Day], title: str,
                   colours: dict[str, str]) -> float:
        """A Monday-first month: holidays greyed, a mark per meeting (colour by status), due dates framed in
        orange. Returns the height drawn."""
        col_w = width / 7
        row_h = 7.6
        self.set_xy(x, y)
        self.set_font(FONT, "B", 9)
        self.set_text_color(INK)
        self.cell(width, 5, title)
        y += 6
        self.set_font(FONT, "", 6.3)
        self.set_text_color(MUTED)
        for i, name in enumerate(("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")):
            self.set_xy(x + i * col_w, y)
            self.cell(col_w, 3.6, name, align="C")
        y += 4
        day = first
        row = 0
        while day.month == first.month:
            col = day.weekday()
            cx, cy = x + col * col_w, y + row * row_h
            marks = days.get(day, Day())
            fill = "#DADFE5" if marks.holiday else ("#F3F5F7" if col >= 5 else "#FFFFFF")
            self.set_fill_color(fill)
            self.set_draw_color(RULE)
            self.set_line_width(0.15)
            self.rect(cx, cy, col_w, row_h, style="DF")
            if marks.due:
                self.set_draw_color(ORANGE)
                self.set_line_width(0.7)
                self.rect(cx + 0.45, cy + 0.45, col_w - 0.9, row_h - 0.9)
            self.set_font(FONT, "B" if marks.holiday else "", 6.5)
            self.set_text_color(INK)
            self.set_xy(cx + 0.6, cy + 0.5)
            self.cell(col_w - 1.2, 3, str(day.day))
            if marks.holiday:
                self.set_font(FONT, "", 5)
                self.set_text_color(MUTED)
                self.set_xy(cx + 0.6, cy + 0.5)
                self.cell(col_w - 1.2, 3, "férié", align="R")
            for k, status in enumerate(marks.meetings[:8]):
                mx = cx + 1.0 + (k % 4) * 2.5
                my = cy + 3.9 + (k // 4) * 1.8
                colour = colours.get(status, SKY)
                self.set_line_width(0.3)
                self.set_draw_color(colour)
                self.set_fill_color(colour if status != "planned" else "#FFFFFF")
                self.circle(mx + 0.75, my + 0.75, 0.75, style="DF")
            if len(marks.meetings) > 8:
                self.set_font(FONT, "B", 5.5)
                self.set_text_color(INK)
                self.set_xy(cx + col_w - 5, cy + 0.5)
                self.cell(4.6, 3, f"+{len(marks.meetings) - 8}", align="R")
            if col == 6:
                row += 1
            day = date.fromordinal(day.toordinal() + 1)
        last = date.fromordinal(day.toordinal() - 1)
        weeks = (first.weekday() + last.day - 1) // 7 + 1
        self.set_text_color(INK)
        return 10 + weeks * row_h


def _direction(delta: str) -> str:
    if delta.startswith("+"):
        return "up"
    if delta.startswith(("-", "−")):
        return "down"
    return "flat"


def _dark(colour: str) -> bool:
    """Whether white text reads better than ink on this fill (relative luminance under 0.4)."""
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.4


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The text, cut with an ellipsis if it is wider than `width` at the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip(" –-") + "…"


def _fallback(ch: str, glyphs: set[int]) -> str:
    """A character the bundled font lacks: its unaccented base letters if the font has them, else "?"."""
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and all(ord(c) in glyphs for c in base):
        return base
    return "?"
