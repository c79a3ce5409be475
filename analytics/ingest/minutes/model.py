"""What the minutes reader takes (the members in office) and what it gives back (a reading to check, then import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# the status codes of the attendance table and of the indicators JSON
STATUSES = ("present", "remote", "excused", "absent", "proxy", "substituted")


@dataclass(frozen=True)
class Member:
    """A member of the body in office on the date of the sitting.

    `role` is 'councillor', 'president', 'vice_president', 'substitute'…; a substitute is the member with role
    'substitute' of a commune with a single seat. `single_seat` says whether the person's commune has one seat.
    """

    person_id: int
    last_name: str
    first_name: str
    commune_insee: str | None
    commune_name: str | None
    role: str
    single_seat: bool

    @property
    def is_substitute(self) -> bool:
        return self.role == "substitute"

    @property
    def display(self) -> str:
        """The French administrative form "NOM Prénom", as the warnings name people."""
        return f"{self.last_name.strip().upper()} {self.first_name.strip()}"


@dataclass(frozen=True)
class Row:
    """One attendance row read from the text; `delegate_id` is the proxy holder or the substitute who sat."""

    person_id: int
    status: str
    delegate_id: int | None
    from_item: str | None
    to_item: str | None
    written: str
    line: int


@dataclass(frozen=True)
class Unmatched:
    """A name of the text that matches no member in office ('unknown') or several ('ambiguous').

    `suggestions` holds person ids to offer in a picker: the candidates of an ambiguous name, or the members whose
    name is close to an unknown one (fuzzy matching only suggests, it never resolves). `context` says what the name
    was for: 'attendee' (a row of its own), 'delegate' (the proxy holder or the substitute of `for_person`),
    'titular' (the titular a substitute replaced). `status` is the status the row would have.
    """

    written: str
    line: int
    reason: str
    suggestions: tuple[int, ...] = ()
    context: str = "attendee"
    status: str | None = None
    for_person: int | None = None
    note: str = ""

    @property
    def key(self) -> tuple[int, str]:
        """The key of `choices` in `read_minutes` that resolves this name."""
        return (self.line, self.written)


@dataclass(frozen=True)
class Conflict:
    """A person named twice with statuses that cannot both hold at the same points: the reader does not choose."""

    person_id: int
    lines: tuple[int, ...]
    statuses: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Section:
    """A heading of the text and its list: what the French summary shows beside the figures announced."""

    heading: str
    line: int
    kind: str
    announced: int | None
    found: int


@dataclass
class Reading:
    """Everything read from one set of minutes. Nothing in it is guessed: see `unmatched`, `conflicts`, `warnings`."""

    sitting_date: date | None = None
    convocation_date: date | None = None
    declared: dict[str, int | None] = field(
        default_factory=lambda: {"in_office": None, "present": None, "proxy": None, "voting": None})
    rows: list[Row] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    not_mentioned: list[int] = field(default_factory=list)
    agenda: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every name is resolved and no person has conflicting rows: the reading may be written."""
        return not self.unmatched and not self.conflicts
