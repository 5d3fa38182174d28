"""The people and places of a placement round, as validated Pydantic models.

* :class:`Candidate` — the person starting a placement (persona candidata,
  soggetto svantaggiato, tirocinante);
* :class:`GuideWorker` — an experienced co-worker who accompanies them on the job
  (lavoratore guida; the lead one is the *referente di progetto*);
* :class:`PeerSupporter` — a person with lived experience who walks beside them;
* :class:`PlacementSite` with its :class:`Position` s — where the placement happens
  (azienda ospitante, or a team of the cooperative);
* :class:`CompanyTutor` — the host company's tutor (tutor aziendale), a person who
  follows at most three trainees;
* :class:`DeskOperator` — the job desk's operator of an area (operatore dello
  sportello lavoro), who follows a caseload of people placed at host companies;
* :class:`Cooperative` — a type-B social cooperative whose teams are sites, with the
  head counts of its L. 381/91 30 % share;
* :class:`Review` — who reviews a round's matches and whether they approved them
  (the responsabile degli inserimenti);
* :class:`Relationship`, :class:`Pairing`, :class:`Pin`, :class:`Forbid` — the ties
  between them that a :class:`~matchwork.round.Round` carries.

Fields that hold health or referral data carry ``"sensitive": true`` in their JSON
Schema; :func:`sensitive_fields` reads them, so redaction never depends on a hand
list. Every field also carries its Italian term (``"it"``) for the documentation.

Examples
--------
>>> from matchwork.model.profiles import Candidate, Location
>>> c = Candidate(id="C1", name="Anna", area="Mantova",
...               location=Location(lat=45.156, lon=10.791), skills={"cleaning": 2})
>>> sorted(map(str, c.languages)), c.max_commute_km
(['it'], 15.0)
>>> sorted(sensitive_fields(Candidate))
['care_team', 'category', 'peer_experience', 'peer_experience_required', 'referring_service', 'support_intensity']
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from matchwork.model.geo import MunicipalityError, comune
from matchwork.model.vocab import (
    WEEKDAYS,
    Accommodation,
    Category,
    EndReason,
    Gender,
    Language,
    LivedExperience,
    Mobility,
    ReferringService,
    RelationshipKind,
    ReviewStatus,
    Role,
    SiteKind,
    Skill,
    Slot,
    SupportIntensity,
    ateco_section,
)

__all__ = [
    "PROFILE_TYPES",
    "Candidate",
    "CompanyTutor",
    "Cooperative",
    "DeskOperator",
    "Forbid",
    "GuideWorker",
    "Location",
    "Pairing",
    "PeerSupporter",
    "Pin",
    "PlacementSite",
    "Position",
    "Relationship",
    "Review",
    "parse_day",
    "sensitive_fields",
]

Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"),
]
"""An identifier: letters, digits, ``_ . -``, starting with a letter or digit, ≤ 64 chars."""


class FreeText:
    """Marks a field as free text typed by people (spreadsheets must not run it as a formula)."""

    def __repr__(self) -> str:
        return "FreeText()"


FREE_TEXT = FreeText()
_NO_CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029"

Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=rf"^[^{_NO_CONTROL}]*$"),
    FREE_TEXT,
]
"""A short line of text without control characters."""

AreaName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=rf"^[^;,{_NO_CONTROL}]*$"),
    FREE_TEXT,
]
"""The name of a territorial area (ambito); no ``;`` or ``,``, which separate list items in tables."""

Level = Annotated[int, Field(ge=1, le=3)]
"""A skill level: 1 basic, 2 autonomous, 3 expert."""


@functools.lru_cache(maxsize=4096)
def _check_sector(code: str) -> str:
    import ateco

    try:
        ateco_section(code)
    except ValueError as exc:
        division = re.match(r"^\d{2}", code.strip())
        if division and "division" in str(exc):
            raise PydanticCustomError("sector_division", str(exc), {"division": division.group()}) from None
        raise PydanticCustomError("sector", "an ATECO 2007 section letter A-U or a code such as 81.21") from None
    code = code.strip().upper()
    if ateco.lookup(code, edition="2022") is None:  # ATECO 2007 as updated in 2022: matchwork's sections
        raise PydanticCustomError("sector_unknown", "an existing ATECO 2007 code (2022 update)")
    return code


SectorCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=8),
    AfterValidator(_check_sector),
]
"""An ATECO 2007 sector: a section letter (``N``) or a code such as ``81.21``."""


def _rounder(digits: int) -> AfterValidator:
    # Values are kept to a sensible precision so that every table format, Excel
    # included (16 significant digits), gives them back exactly.
    return AfterValidator(lambda x: round(x, digits) + 0.0)


def _not_zero(x: float) -> float:
    if x == 0:
        raise PydanticCustomError(
            "rounds_to_zero", "a number of at least 0.001 (a smaller one rounds to 0)", {"least": 0.001}
        )
    return x


Degrees = Annotated[float, _rounder(7)]
"""Degrees, kept to 1e-7 (about 1 cm)."""
Measure = Annotated[float, _rounder(3)]
"""Kilometres, hours or years, kept to three decimals."""
PositiveMeasure = Annotated[Measure, AfterValidator(_not_zero)]
"""A measure that must stay above 0 once kept to three decimals."""

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ITALIAN_DAY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def parse_day(value: Any) -> dt.date:
    """A day from a date, an ISO text (``2026-02-03``) or an Italian one (``3/2/2026``, gg/mm/aaaa).

    A number is not a date (it would be read as seconds since 1970); nor is text with
    anything after the date.

    >>> parse_day("3/2/2026"), parse_day("2026-02-03")
    (datetime.date(2026, 2, 3), datetime.date(2026, 2, 3))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if _ISO_DAY.match(text):
                return dt.date.fromisoformat(text)
            found = _ITALIAN_DAY.match(text)
            if found:
                day, month, year = (int(g) for g in found.groups())
                return dt.date(year, month, day)
        except ValueError:
            pass
    raise PydanticCustomError("date", "a date as dd/mm/yyyy or yyyy-mm-dd")


Day = Annotated[dt.date, BeforeValidator(parse_day)]
"""A day: a date, ``YYYY-MM-DD`` or ``gg/mm/aaaa`` — never a number."""
Hours = Annotated[Measure, Field(ge=0, le=168)]


def _located(column: str, kind: str, message: str, value: Any, **context: Any) -> ValidationError:
    """A Pydantic error at ``column`` of the model being validated, with a type and context to translate."""
    error = PydanticCustomError(kind, message, context or None)
    return ValidationError.from_exception_data("Location", [InitErrorDetails(type=error, loc=(column,), input=value)])


def _field(it: str, description: str, *, sensitive: bool = False, **kw: Any) -> Any:
    extra: dict[str, Any] = {"it": it}
    if sensitive:
        extra["sensitive"] = True
    return Field(description=description, json_schema_extra=extra, **kw)  # type: ignore[arg-type]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        use_enum_values=False,
        validate_default=True,
    )


def _location_schema(schema: dict[str, Any]) -> None:
    for name in ("lat", "lon"):
        schema["properties"][name].pop("default", None)
    schema["anyOf"] = [{"required": ["lat", "lon"]}, {"required": ["municipality"]}]


class Location(_Model):
    """A point on the map, in WGS84 degrees, and its municipality (comune).

    Give the municipality (a name, ``"Castro (LE)"``, or an ISTAT code) and the point
    is read from the shipped table of Italian comuni (:mod:`matchwork.model.geo`);
    give ``lat`` and ``lon`` and they are used as they are (the municipality is then
    only read by people). After validation ``lat`` and ``lon`` are always set.

    >>> Location(municipality="20064")
    Location(lat=45.07096, lon=11.02178, municipality='Sustinente')
    """

    model_config = ConfigDict(json_schema_extra=_location_schema)

    lat: Degrees = _field(
        "latitudine", "Latitude in degrees, -90 to 90; empty: the municipality's.", ge=-90, le=90, default=None
    )
    lon: Degrees = _field(
        "longitudine", "Longitude in degrees, -180 to 180; empty: the municipality's.", ge=-180, le=180, default=None
    )
    municipality: Text | None = _field(
        "comune", "Italian municipality (name or ISTAT code); gives the point when lat and lon are empty.", default=None
    )

    @model_validator(mode="before")
    @classmethod
    def _point_of_municipality(cls, data: Any) -> Any:
        """Fill ``lat`` and ``lon`` from the municipality when both are empty (validation stays in Pydantic)."""
        if not isinstance(data, dict):
            return data
        lat, lon, name = data.get("lat"), data.get("lon"), data.get("municipality")
        if lat is not None or lon is not None:
            if (lat is None) != (lon is None):
                missing = "lat" if lat is None else "lon"
                raise _located(missing, "coordinates_half", "a value (lat and lon go together)", data)
            return data
        if name is None or (isinstance(name, str) and not name.strip()):
            expected = "a value (a name or an ISTAT code), or lat and lon"
            raise _located("municipality", "location_missing", expected, data)
        try:
            found = comune(name)
        except MunicipalityError as exc:
            options = " or ".join(exc.options) if exc.kind == "unknown" else ", ".join(exc.options)
            expected = {
                "unknown": "an Italian comune" + (" (did you mean {options}?)" if options else ""),
                "ambiguous": "the province too, as one of: {options}",
            }[exc.kind]
            raise _located("municipality", f"municipality_{exc.kind}", expected, name, options=options) from None
        return {**data, "lat": found.lat, "lon": found.lon, "municipality": found.display}


class Candidate(_Model):
    """A person starting a placement (persona candidata, tirocinante).

    Referred by a territorial service; what matters for matching is where they
    live and how far they can travel, what they can and wish to do, when, in
    which languages, what adjustments they need and how much support.
    """

    id: Id = _field("codice", "Unique identifier across the whole round.")
    name: Text = _field("nome", "Name or pseudonym, as the case team knows them.")
    area: AreaName = _field("ambito territoriale", "Territorial area (ambito) the candidate belongs to.")
    location: Location = _field("domicilio", "Where the candidate lives.")
    max_commute_km: PositiveMeasure = _field(
        "distanza massima", "Longest trip to work the candidate can make, in km.", default=15.0, gt=0, le=300
    )
    mobility: Mobility = _field("mobilità", "How the candidate travels.", default=Mobility.PUBLIC_TRANSPORT)
    skills: dict[Skill, Level] = _field("competenze", "Skills with level 1-3.", default_factory=dict)
    wished_sectors: frozenset[SectorCode] = _field(
        "settori desiderati", "ATECO sectors the candidate wishes to work in.", default_factory=frozenset
    )
    languages: frozenset[Language] = _field(
        "lingue", "Languages spoken (ISO 639-1).", default=frozenset({Language("it")}), min_length=1
    )
    availability: frozenset[Slot] = _field(
        "disponibilità", "Half-day slots the candidate can work.", default=WEEKDAYS, min_length=1
    )
    accommodations: frozenset[Accommodation] = _field(
        "accomodamenti", "Workplace adjustments the candidate needs.", default_factory=frozenset
    )
    support_intensity: SupportIntensity = _field(
        "intensità del sostegno",
        "How much accompaniment is needed.",
        default=SupportIntensity.MEDIUM,
        sensitive=True,
    )
    wants_peer: bool = _field("vuole un peer supporter", "Whether a peer supporter is wanted.", default=False)
    peer_experience: frozenset[LivedExperience] = _field(
        "esperienza del pari",
        "Lived experience wished for in the peer supporter.",
        default_factory=frozenset,
        sensitive=True,
    )
    peer_experience_required: bool = _field(
        "esperienza del pari richiesta",
        "The peer supporter must bring every lived experience wished for (a hard rule), not only score for it.",
        default=False,
        sensitive=True,
    )
    preferred_gender: Gender | None = _field(
        "genere preferito", "Gender the candidate prefers for guide and peer, if any.", default=None
    )
    excluded_ids: frozenset[Id] = _field(
        "esclusioni", "People or sites the candidate must not be paired with.", default_factory=frozenset
    )
    most_important: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")] | None = _field(
        "criterio più importante", "The feature the candidate cares most about, weighted up.", default=None
    )
    category: Category | None = _field(
        "categoria L. 381/91", "Disadvantaged-worker category (L. 381/91 art. 4).", default=None, sensitive=True
    )
    referring_service: ReferringService | None = _field(
        "servizio inviante", "Territorial service that referred the candidate.", default=None, sensitive=True
    )
    care_team: frozenset[Id] = _field(
        "équipe di cura",
        "Ids of the professionals following the candidate.",
        default_factory=frozenset,
        sensitive=True,
    )
    priority: bool = _field(
        "priorità",
        "Placed first at equal placements (policy continuity.priority_bonus), e.g. after a placement broke down.",
        default=False,
    )


class GuideWorker(_Model):
    """An experienced co-worker who accompanies a newcomer on the job (lavoratore guida).

    Seed 002: lavoratori guida are workers "con buone capacità tecnico-professionali e
    con specifica formazione inerente alla relazione educativa", and one of the group
    is the *referente di progetto* of the first two weeks. So two fields: ``trained``
    (the training in the educational relationship, which every guide needs to be lead
    or squad) and ``can_lead`` (the cooperative names them as possible referente;
    only a trained guide may be). Before ``trained`` existed, ``can_lead`` meant
    "trained: may lead"; an empty ``trained`` still reads it that way (see
    :attr:`is_trained`), so older tables keep their meaning.
    """

    id: Id = _field("codice", "Unique identifier across the whole round.")
    name: Text = _field("nome", "Name, as the cooperative knows them.")
    site_id: Id = _field("sede", "The placement site (or cooperative team) they work in.")
    position_id: Id | None = _field(
        "mansione", "The position whose team they work in; empty: every position of the site.", default=None
    )
    skills: dict[Skill, Level] = _field("competenze", "Skills with level 1-3.", default_factory=dict)
    languages: frozenset[Language] = _field(
        "lingue", "Languages spoken (ISO 639-1).", default=frozenset({Language("it")}), min_length=1
    )
    availability: frozenset[Slot] = _field("disponibilità", "Half-day slots they work.", default=WEEKDAYS, min_length=1)
    gender: Gender | None = _field("genere", "Gender, if stated.", default=None)
    trained: bool | None = _field(
        "formazione sulla relazione educativa",
        "Trained in the educational relationship (needed to be lead or squad); empty: as can_lead says.",
        default=None,
    )
    can_lead: bool = _field(
        "può essere referente",
        "May be the lead guide (referente di progetto) of the first two weeks; requires the training.",
        default=False,
    )
    max_mentees: int | None = _field(
        "massimo affiancamenti",
        "Newcomers they can follow at once; empty: the policy default.",
        default=None,
        ge=0,
        le=50,
    )
    current_mentees: int = _field("affiancamenti in corso", "Newcomers they follow now.", default=0, ge=0, le=50)
    current_leads: int | None = _field(
        "referente in corso",
        "Newcomers they lead now, inside the lead period; empty: the lead pairings in place within it.",
        default=None,
        ge=0,
        le=50,
    )
    years_experience: Measure = _field("anni di esperienza", "Years of work in the service.", default=0.0, ge=0, le=60)

    @model_validator(mode="after")
    def _load_within_capacity(self) -> GuideWorker:
        if self.max_mentees is not None and self.current_mentees > self.max_mentees:
            raise PydanticCustomError("mentees_over_max", "current_mentees must not exceed max_mentees")
        if self.can_lead and self.trained is False:
            raise PydanticCustomError(
                "lead_untrained", "a guide who can_lead must be trained in the educational relationship"
            )
        return self

    @property
    def is_trained(self) -> bool:
        """Trained in the educational relationship: ``trained``, or ``can_lead`` when it is empty.

        >>> GuideWorker(id="G1", name="Bruno", site_id="S1", can_lead=True).is_trained
        True
        >>> GuideWorker(id="G2", name="Carla", site_id="S1").is_trained
        False
        """
        return self.can_lead if self.trained is None else self.trained


class PeerSupporter(_Model):
    """A person with lived experience who supports the newcomer (peer supporter).

    Their weekly hours are capped to protect them from burnout, and lower while
    they are new to the role.
    """

    id: Id = _field("codice", "Unique identifier across the whole round.")
    name: Text = _field("nome", "Name, as the programme knows them.")
    areas_served: frozenset[AreaName] = _field("ambiti serviti", "Territorial areas they serve.", min_length=1)
    location: Location | None = _field("domicilio", "Where they live, if known.", default=None)
    languages: frozenset[Language] = _field(
        "lingue", "Languages spoken (ISO 639-1).", default=frozenset({Language("it")}), min_length=1
    )
    availability: frozenset[Slot] = _field(
        "disponibilità", "Half-day slots they can give.", default=WEEKDAYS, min_length=1
    )
    gender: Gender | None = _field("genere", "Gender, if stated.", default=None)
    lived_experience: frozenset[LivedExperience] = _field(
        "esperienza vissuta", "Kinds of lived experience they bring.", default_factory=frozenset, sensitive=True
    )
    hours_per_week: Hours | None = _field(
        "ore settimanali", "Hours a week they may give; empty: the policy default.", default=None
    )
    hours_in_use: Hours = _field("ore impegnate", "Hours a week already given to others.", default=0.0)
    started_on: Day | None = _field("in servizio dal", "When they started as a peer supporter.", default=None)
    former_client_of: frozenset[ReferringService] = _field(
        "ex utente di", "Services they were once a client of.", default_factory=frozenset, sensitive=True
    )
    current_people: int | None = _field(
        "persone seguite",
        "People they support now; empty: those of the pairings in place.",
        default=None,
        ge=0,
        le=100,
    )

    @model_validator(mode="after")
    def _load_within_hours(self) -> PeerSupporter:
        if self.hours_per_week is not None and self.hours_in_use > self.hours_per_week:
            raise PydanticCustomError("hours_over_cap", "hours_in_use must not exceed hours_per_week")
        return self


class Position(_Model):
    """An open position at a placement site (mansione, posizione aperta)."""

    id: Id = _field("codice", "Unique identifier across the whole round.")
    title: Text = _field("mansione", "What the job is, in a few words.")
    min_skills: dict[Skill, Level] = _field(
        "competenze minime", "Skills required at least at this level (a hard rule).", default_factory=dict
    )
    skills: dict[Skill, Level] = _field(
        "competenze utili", "Skills the job uses, with the level that fits best.", default_factory=dict
    )
    shifts: frozenset[Slot] = _field("turni", "Half-day slots the job is worked.", default=WEEKDAYS, min_length=1)
    hours_per_week: PositiveMeasure = _field(
        "ore settimanali", "Hours a week of the placement.", default=20.0, gt=0, le=168
    )
    openings: int = _field("posti aperti", "Trainees this position can still take.", default=1, ge=0, le=1000)


class PlacementSite(_Model):
    """Where the placement happens (sede di tirocinio, azienda ospitante, settore operativo).

    The legal trainee limit is counted per operating site from its staff. Give the
    staff by its parts (``permanent_employees``, ``fixed_term_covering``,
    ``apprentices``, ``owners``, ``worker_members``) and the policy's rule set says
    which parts count (nationally: permanent and covering fixed-term employees;
    apprentices never); or give ``headcount`` alone, already counted that way. The
    hiring bonus reads ``trainees_24m`` and ``hired_24m``. The company-tutor limit
    comes from the site's tutors in the ``tutors`` table, or, when it lists none for
    the site, from ``company_tutors``.
    """

    id: Id = _field("codice", "Unique identifier across the whole round.")
    name: Text = _field("ragione sociale", "Name of the company or cooperative team.")
    kind: SiteKind = _field("tipo", "A host company or a team of the cooperative.", default=SiteKind.COMPANY)
    sector: SectorCode = _field("settore ATECO", "ATECO sector of the site.")
    area: AreaName = _field("ambito territoriale", "Territorial area (ambito) of the site.")
    location: Location = _field("sede operativa", "Where the site is.")
    headcount: int | None = _field(
        "dipendenti",
        "Employees at this operating site as the trainee limit counts them; empty: counted from the parts below.",
        default=None,
        ge=0,
        le=1_000_000,
    )
    permanent_employees: int | None = _field(
        "dipendenti a tempo indeterminato",
        "Permanent employees at this operating site.",
        default=None,
        ge=0,
        le=1_000_000,
    )
    fixed_term_covering: int | None = _field(
        "tempi determinati che coprono il tirocinio",
        "Fixed-term employees whose contract starts before and ends after the traineeship.",
        default=None,
        ge=0,
        le=1_000_000,
    )
    apprentices: int | None = _field(
        "apprendisti", "Apprentices (never counted for the trainee limit).", default=None, ge=0, le=1_000_000
    )
    owners: int | None = _field(
        "titolari", "Owners working at the site (counted in Lombardy).", default=None, ge=0, le=10_000
    )
    worker_members: int | None = _field(
        "soci lavoratori", "Worker members of a cooperative (counted in Lombardy).", default=None, ge=0, le=1_000_000
    )
    trainees_present: int = _field("tirocinanti presenti", "Trainees hosted now.", default=0, ge=0, le=100_000)
    exempt_trainees_present: int = _field(
        "tirocinanti presenti esenti",
        "Of the trainees hosted now, those a regional rule set exempts from the limit (disabled, disadvantaged).",
        default=0,
        ge=0,
        le=100_000,
    )
    trainees_24m: int | None = _field(
        "tirocinanti negli ultimi 24 mesi",
        "Extracurricular trainees hosted in the previous 24 months (for the hiring bonus).",
        default=None,
        ge=0,
        le=100_000,
    )
    hired_24m: int | None = _field(
        "tirocinanti assunti negli ultimi 24 mesi",
        "Of those, trainees hired for at least 6 months (part-time at least 50 %).",
        default=None,
        ge=0,
        le=100_000,
    )
    company_tutors: int = _field(
        "tutor aziendali",
        "Company tutors who can follow trainees, when the tutors table lists none for this site.",
        default=1,
        ge=0,
        le=10_000,
    )
    cooperative_id: Id | None = _field(
        "cooperativa",
        "The type-B cooperative this team belongs to; checked against the cooperatives table when the round lists any.",
        default=None,
    )
    accommodations: frozenset[Accommodation] = _field(
        "accomodamenti offerti", "Adjustments the site can offer.", default_factory=frozenset
    )
    fragile_workers_hosted: int = _field(
        "inserimenti svolti", "Fragile workers hosted in the past.", default=0, ge=0, le=100_000
    )
    positions: tuple[Position, ...] = _field("posizioni", "The open positions.", min_length=1)

    @model_validator(mode="after")
    def _consistent_counts(self) -> PlacementSite:
        if self.headcount is None and self.permanent_employees is None:
            raise PydanticCustomError(
                "staff_missing", "headcount, or permanent_employees and the other parts of the staff"
            )
        if self.exempt_trainees_present > self.trainees_present:
            raise PydanticCustomError("exempt_over_present", "exempt_trainees_present must not exceed trainees_present")
        if self.hired_24m is not None and (self.trainees_24m is None or self.hired_24m > self.trainees_24m):
            raise PydanticCustomError("hired_over_trainees", "hired_24m needs trainees_24m and must not exceed it")
        if self.cooperative_id is not None and self.kind != SiteKind.COOPERATIVE:
            raise PydanticCustomError(
                "cooperative_of_company", "only a site of kind cooperative belongs to a cooperative (cooperative_id)"
            )
        return self


class CompanyTutor(_Model):
    """A company tutor (tutor aziendale): the person at the host who follows the trainee.

    The law caps the trainees one tutor follows at once (three: the policy's
    ``trainee_limits.tutor_limit``); a lower figure of their own wins.
    """

    id: Id = _field("codice", "Unique identifier across the whole round.")
    name: Text = _field("nome", "Name, as the host knows them.")
    site_id: Id = _field("sede", "The placement site they work at.")
    languages: frozenset[Language] = _field(
        "lingue", "Languages spoken (ISO 639-1).", default=frozenset({Language("it")}), min_length=1
    )
    gender: Gender | None = _field("genere", "Gender, if stated.", default=None)
    max_trainees: int | None = _field(
        "massimo tirocinanti", "Trainees they can follow at once; empty: the legal limit.", default=None, ge=0, le=10
    )
    current_trainees: int = _field("tirocinanti seguiti", "Trainees they follow now.", default=0, ge=0, le=100)

    @model_validator(mode="after")
    def _load_within_capacity(self) -> CompanyTutor:
        if self.max_trainees is not None and self.current_trainees > self.max_trainees:
            raise PydanticCustomError("trainees_over_max", "current_trainees must not exceed max_trainees")
        return self


class DeskOperator(_Model):
    """An operator of the job desk (operatore dello sportello lavoro) for one or more areas.

    Seed 003: one operator per ambito, working with the CPS, interviews the people,
    finds host companies and monitors and tutors the placement. Their active
    caseload is capped (IPS fidelity scale: 20 or fewer people per full-time
    specialist); a lower figure of their own wins.
    """

    id: Id = _field("codice", "Unique identifier across the whole round.")
    name: Text = _field("nome", "Name, as the desk knows them.")
    areas_served: frozenset[AreaName] = _field("ambiti serviti", "Territorial areas they serve.", min_length=1)
    languages: frozenset[Language] = _field(
        "lingue", "Languages spoken (ISO 639-1).", default=frozenset({Language("it")}), min_length=1
    )
    max_caseload: int | None = _field(
        "carico massimo", "People they can follow at once; empty: the policy's cap.", default=None, ge=0, le=200
    )
    caseload: int = _field("persone in carico", "People they follow now.", default=0, ge=0, le=1000)

    @model_validator(mode="after")
    def _load_within_capacity(self) -> DeskOperator:
        if self.max_caseload is not None and self.caseload > self.max_caseload:
            raise PydanticCustomError("caseload_over_max", "caseload must not exceed max_caseload")
        return self


class Cooperative(_Model):
    """A type-B social cooperative (cooperativa sociale di tipo B) whose teams are sites.

    L. 381/91 art. 4: disadvantaged people must be at least 30 % of its workers,
    counted per head on the annual average (of a mixed A+B cooperative, the staff of
    its type-B activities; volunteers excluded).
    """

    id: Id = _field("codice", "Unique identifier across the whole round.")
    name: Text = _field("ragione sociale", "Name of the cooperative.")
    workers: int = _field(
        "lavoratori", "Workers, per head, annual average (members and not; volunteers excluded).", ge=0, le=1_000_000
    )
    disadvantaged_workers: int = _field(
        "lavoratori svantaggiati", "Of the workers, disadvantaged people of L. 381/91 art. 4.", ge=0, le=1_000_000
    )
    year: int | None = _field("anno", "The year the averages refer to.", default=None, ge=1991, le=2100)

    @model_validator(mode="after")
    def _share_within_workers(self) -> Cooperative:
        if self.disadvantaged_workers > self.workers:
            raise PydanticCustomError("disadvantaged_over_workers", "disadvantaged_workers must not exceed workers")
        return self


class Relationship(_Model):
    """A tie between two people (or a person and a site) that may forbid pairing them."""

    a: Id = _field("persona A", "One end: a person, a site or a care-team member id.")
    b: Id = _field("persona B", "The other end.")
    kind: RelationshipKind = _field("tipo di relazione", "What ties them.", sensitive=True)

    @model_validator(mode="after")
    def _distinct_ends(self) -> Relationship:
        if self.a == self.b:
            raise PydanticCustomError("distinct_ends", "a relationship needs two different ends")
        return self


class Pairing(_Model):
    """A pairing already in place from an earlier round (abbinamento in corso).

    For the ``site`` role, ``partner_id`` is a position id. A pairing with ``until``
    before the round's date has ended: it is history, not a pairing in place.

    >>> Pairing(candidate_id="C1", partner_id="G1", role="lead_guide", since="2026-01-05").ongoing(None)
    True
    >>> Pairing(candidate_id="C1", partner_id="G1", role="guide", until="2026-02-01",
    ...         end_reason="interruzione").end_reason.value
    'breakdown'
    """

    candidate_id: Id = _field("candidato", "The candidate.")
    partner_id: Id = _field("partner", "The position, guide worker or peer supporter.")
    role: Role = _field("ruolo", "The role the partner plays.")
    since: Day | None = _field("dal", "When the pairing began.", default=None)
    until: Day | None = _field("al", "When the pairing ended; empty: it goes on.", default=None)
    end_reason: EndReason | None = _field(
        "motivo della fine", "Why it ended (completed, hired, breakdown, withdrew, moved).", default=None
    )

    @model_validator(mode="after")
    def _ends_after_it_begins(self) -> Pairing:
        if self.since is not None and self.until is not None and self.until < self.since:
            raise PydanticCustomError("until_before_since", "until must not be before since")
        if self.end_reason is not None and self.until is None:
            raise PydanticCustomError("reason_without_end", "an end_reason needs the date the pairing ended (until)")
        return self

    def ongoing(self, on: dt.date | None) -> bool:
        """Whether the pairing still holds on day ``on`` (no date: every pairing not ended holds)."""
        return self.until is None or (on is not None and self.until >= on)


class Pin(_Model):
    """A pair the office forces (abbinamento imposto).

    ``partner_id`` may be a site, a position, a guide worker or a peer supporter.
    For a guide worker, ``role`` says whether as lead (default) or squad member.
    """

    candidate_id: Id = _field("candidato", "The candidate.")
    partner_id: Id = _field("partner", "The site, position, guide worker or peer supporter.")
    role: Role | None = _field("ruolo", "The role; empty: inferred from the partner.", default=None)


class Forbid(_Model):
    """A pair the office forbids (abbinamento escluso); no role forbids it in every role."""

    candidate_id: Id = _field("candidato", "The candidate.")
    partner_id: Id = _field("partner", "The site, position, guide worker or peer supporter.")
    role: Role | None = _field("ruolo", "The role; empty: every role.", default=None)


class Review(_Model):
    """Who reviews a round's matches and where they stand (draft → approved).

    Seed 002: the *responsabile degli inserimenti lavorativi* monitors and evaluates
    the whole path; here they are the reviewer who approves the round's matches.
    Matches are a draft until approved, and an approval says who and when.

    >>> Review(reviewer="R. Rossi").status.value
    'draft'
    >>> Review(status="approved", reviewer="R. Rossi", approved_at="2026-02-02T10:30").approved_at.isoformat()
    '2026-02-02T10:30:00'
    """

    status: ReviewStatus = _field("stato", "draft, or approved by the reviewer.", default=ReviewStatus.DRAFT)
    reviewer: Text | None = _field(
        "responsabile inserimenti", "Who reviews and approves the round's matches.", default=None
    )
    approved_at: dt.datetime | None = _field("approvato il", "When the matches were approved.", default=None)

    @model_validator(mode="after")
    def _approval_says_who_and_when(self) -> Review:
        if self.status == ReviewStatus.APPROVED and (self.reviewer is None or self.approved_at is None):
            raise PydanticCustomError("approval_incomplete", "an approved round needs its reviewer and approved_at")
        if self.status == ReviewStatus.DRAFT and self.approved_at is not None:
            raise PydanticCustomError("draft_approved_at", "a draft has no approved_at")
        return self

    def approve(self, by: str | None = None, at: dt.datetime | None = None) -> Review:
        """This review approved by ``by`` (default: the reviewer named) at ``at`` (default: now, to the minute)."""
        when = at or dt.datetime.now().replace(second=0, microsecond=0)
        return Review(status=ReviewStatus.APPROVED, reviewer=by or self.reviewer, approved_at=when)


PROFILE_TYPES: dict[str, type[_Model]] = {
    "candidates": Candidate,
    "guides": GuideWorker,
    "peers": PeerSupporter,
    "sites": PlacementSite,
    "positions": Position,
    "tutors": CompanyTutor,
    "operators": DeskOperator,
    "cooperatives": Cooperative,
    "relationships": Relationship,
    "pairings": Pairing,
    "pins": Pin,
    "forbids": Forbid,
}
"""Table name → model, in the order tables are read and written."""


def sensitive_fields(model: type[BaseModel]) -> frozenset[str]:
    """Names of the fields of ``model`` marked sensitive in its schema.

    >>> sorted(sensitive_fields(PeerSupporter))
    ['former_client_of', 'lived_experience']
    """
    out = set()
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get("sensitive"):
            out.add(name)
    return frozenset(out)
