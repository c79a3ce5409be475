"""French labels of the English codes stored in the database, and the spellings accepted on import."""

from __future__ import annotations

from functools import lru_cache

from analytics.wording.text import fold

ATTENDANCE_STATUS = {
    "present": "présent",
    "remote": "à distance",
    "excused": "excusé",
    "absent": "absent",
    "proxy": "pouvoir",
    "substituted": "suppléé",
    "not_recorded": "non renseigné",
}
CADENCE_STATUS = {"met": "respectée", "missed": "manquée", "in_progress": "en cours", "not_judged": "non jugée",
                  "no_rule": "sans règle"}
MEETING_STATUS = {"held": "tenue", "cancelled": "annulée", "planned": "prévue"}
MEETING_FORMAT = {"in_person": "présentiel", "video": "visio", "mixed": "mixte"}
MEETING_TYPE = {"ordinary": "ordinaire", "requested": "à la demande", "reconvened": "reconvoquée"}
ROLE = {
    "president": "président",
    "vice_president": "vice-président",
    "delegate": "conseiller délégué",
    "councillor": "conseiller communautaire",
    "substitute": "suppléant",
    "special_adviser": "conseiller spécial",
    "mayor": "maire",
    "municipal_councillor": "conseiller municipal",
    "dgs": "DGS",
    "director": "directeur",
    "staff": "agent",
    "development_council": "membre du Conseil de développement",
    "partner": "partenaire",
    "pilot": "pilote",
    "member": "membre",
}
ALERT_KIND = {
    "legal_floor_missed": "Plancher légal non tenu",
    "quorum_not_reached": "Quorum non atteint",
    "quorum_lost": "Quorum perdu en cours de séance",
    "proxy_limit": "Pouvoirs en surnombre",
    "request_rule": "Conférence à la demande irrégulière",
    "convocation_late": "Convocation tardive",
    "cadence_missed": "Cadence manquée",
    "consecutive_absences": "Absences consécutives",
    "low_attendance": "Assiduité insuffisante",
    "cadence_at_risk": "Échéance proche",
    "sheet_missing": "Émargement manquant",
}
# The gravity of each kind of alert: the law, the charter, the follow-up of people, a date to watch, missing data.
ALERT_GRAVITY = {"legal_floor_missed": "legal", "quorum_not_reached": "legal", "quorum_lost": "legal",
                 "proxy_limit": "legal",
                 "request_rule": "legal", "convocation_late": "legal", "cadence_missed": "charter",
                 "consecutive_absences": "follow_up",
                 "low_attendance": "follow_up", "cadence_at_risk": "watch", "sheet_missing": "data"}
# in tables, where markdown is not rendered: the gravity in words
GRAVITY_WORD = {"legal": "légale", "charter": "charte", "follow_up": "suivi", "watch": "à surveiller",
                "data": "donnée manquante"}
# A convened member's reply to the convocation of a planned sitting (DESIGN.md §5c); "none": no reply yet.
REPLY = {
    "present": "présent",
    "remote": "à distance",
    "excused": "excusé",
    "proxy": "pouvoir",
    "substitute": "suppléant",
}
REPLY_NONE = "sans réponse"
FAMILY = {
    "decision": "Instances de décision",
    "validation": "Instances de validation",
    "co_construction": "Instances de co-construction",
    "information": "Instances d'information et d'appropriation",
}

# Other spellings met in sign-in sheets and spreadsheets (feminine forms, abbreviations).
_SYNONYMS: dict[str, dict[str, str]] = {
    "attendance": {
        "presente": "present", "a distance": "remote", "distance": "remote", "visio": "remote",
        "excusee": "excused", "absente": "absent", "procuration": "proxy", "supplee": "substituted",
        "suppleee": "substituted", "remplace": "substituted", "remplacee": "substituted",
        "non renseignee": "not_recorded",
    },
    "reply": {
        "presente": "present", "viendra": "present", "oui": "present", "a distance": "remote",
        "distance": "remote", "visio": "remote", "excusee": "excused", "procuration": "proxy",
        "supplee": "substitute", "suppleee": "substitute", "suppleante": "substitute", "remplace": "substitute",
        "remplacee": "substitute",
    },
    "meeting_status": {"tenu": "held", "annule": "cancelled", "prevu": "planned"},
    "meeting_format": {"presentielle": "in_person", "video": "video", "visioconference": "video", "hybride": "mixed"},
    "meeting_type": {"ordinaire": "ordinary", "demande": "requested", "a la demande": "requested",
                     "reconvoque": "reconvened"},
    "role": {
        "presidente": "president", "vice-presidente": "vice_president", "vp": "vice_president",
        "conseillere deleguee": "delegate", "conseiller delegue": "delegate",
        "conseillere communautaire": "councillor", "conseiller": "councillor", "conseillere": "councillor",
        "suppleante": "substitute", "conseillere speciale": "special_adviser", "secretaire de mairie": "dgs",
        "directrice": "director", "direction generale": "director", "agente": "staff",
        "conseil de developpement": "development_council", "partenaire": "partner", "pilote": "pilot",
        "conseillere municipale": "municipal_councillor",
    },
}
_TABLES = {
    "attendance": ATTENDANCE_STATUS,
    "meeting_status": MEETING_STATUS,
    "meeting_format": MEETING_FORMAT,
    "meeting_type": MEETING_TYPE,
    "role": ROLE,
    "reply": REPLY,
}


@lru_cache(maxsize=1024)
def parse(kind: str, text: str) -> str | None:
    """Return the code for a French label of `kind` (case- and accent-insensitive), or None if unknown."""
    key = fold(text)
    labels = _TABLES[kind]
    for code, label in labels.items():
        if key in (fold(label), code):
            return code
    return _SYNONYMS[kind].get(key)


def accepted(kind: str) -> str:
    """The accepted labels of `kind`, for error messages."""
    return ", ".join(label for code, label in _TABLES[kind].items() if code != "not_recorded")
