"""Controlled vocabularies shared by every profile.

Each vocabulary is a :class:`enum.StrEnum`, so a table cell, a JSON value and a
Python string all validate the same way and the JSON Schema lists the allowed
codes. Every code has an Italian and an English label (:func:`label`), used by
the documentation and by explanations.

The vocabularies are closed on purpose: a misspelt skill or language would
silently change a match, so an unknown code is an error with a "did you mean".

Examples
--------
>>> from matchwork.model.vocab import Skill, label
>>> Skill("forklift")
<Skill.FORKLIFT: 'forklift'>
>>> label(Skill.FORKLIFT, "it")
'carrello elevatore'
"""

from __future__ import annotations

import difflib
import functools
import re
from enum import StrEnum
from typing import TYPE_CHECKING

from matchwork._validation import Lang, choice
from matchwork.i18n import TEXTS, text

__all__ = [
    "DISABILITY_CATEGORIES",
    "L381_CATEGORIES",
    "Accommodation",
    "Category",
    "EndReason",
    "Gender",
    "Language",
    "LivedExperience",
    "Mobility",
    "ReferringService",
    "Region",
    "RelationshipKind",
    "ReviewStatus",
    "Role",
    "SiteKind",
    "Skill",
    "Slot",
    "SupportIntensity",
    "Vocabulary",
    "ateco_ancestors",
    "ateco_section",
    "label",
    "suggest",
]


class Vocabulary(StrEnum):
    """A closed vocabulary whose codes may also be written as their Italian or English label.

    An office fills a spreadsheet with words, not codes: ``mezzi pubblici`` and
    ``public transport`` are read as ``public_transport``, ``Italiano`` as ``it``;
    case does not matter. Anything else is still an error (with a "did you mean").

    >>> Mobility("Mezzi pubblici"), Language("inglese")
    (<Mobility.PUBLIC_TRANSPORT: 'public_transport'>, <Language.EN: 'en'>)
    """

    @classmethod
    def _missing_(cls, value: object) -> Vocabulary | None:
        if not isinstance(value, str):
            return None
        return _words_of(cls).get(" ".join(value.split()).casefold())


@functools.cache
def _words_of(vocabulary: type[Vocabulary]) -> dict[str, Vocabulary]:
    words: dict[str, Vocabulary] = {}
    for member in vocabulary:
        for word in (member.value, *TEXTS.get(f"label.{member.value}", ())):
            words.setdefault(word.casefold(), member)
    return words


class Slot(Vocabulary):
    """A half-day of the week (mezza giornata): ``mon_am`` … ``sun_pm``."""

    MON_AM = "mon_am"
    MON_PM = "mon_pm"
    TUE_AM = "tue_am"
    TUE_PM = "tue_pm"
    WED_AM = "wed_am"
    WED_PM = "wed_pm"
    THU_AM = "thu_am"
    THU_PM = "thu_pm"
    FRI_AM = "fri_am"
    FRI_PM = "fri_pm"
    SAT_AM = "sat_am"
    SAT_PM = "sat_pm"
    SUN_AM = "sun_am"
    SUN_PM = "sun_pm"


WEEKDAYS: frozenset[Slot] = frozenset(list(Slot)[:10])
"""Monday to Friday, mornings and afternoons: the default availability."""


class Skill(Vocabulary):
    """A work skill (competenza), held at level 1 (basic) to 3 (expert)."""

    CLEANING = "cleaning"
    LAUNDRY = "laundry"
    GARDENING = "gardening"
    GARDEN_MACHINERY = "garden_machinery"
    WAREHOUSE = "warehouse"
    FORKLIFT = "forklift"
    DRIVING_B = "driving_b"
    PACKAGING = "packaging"
    ASSEMBLY = "assembly"
    QUALITY_CHECK = "quality_check"
    FOOD_PREP = "food_prep"
    FOOD_HYGIENE = "food_hygiene"
    DISHWASHING = "dishwashing"
    SERVING = "serving"
    CASH_REGISTER = "cash_register"
    SHELF_STOCKING = "shelf_stocking"
    CUSTOMER_SERVICE = "customer_service"
    DATA_ENTRY = "data_entry"
    COMPUTER_BASICS = "computer_basics"
    MAINTENANCE = "maintenance"
    PAINTING = "painting"
    CARPENTRY = "carpentry"
    WASTE_SORTING = "waste_sorting"


class Accommodation(Vocabulary):
    """A workplace adjustment (accomodamento ragionevole) a candidate needs."""

    FLEXIBLE_HOURS = "flexible_hours"
    PART_TIME = "part_time"
    STEP_FREE_ACCESS = "step_free_access"
    SEATED_WORK = "seated_work"
    NO_HEAVY_LIFTING = "no_heavy_lifting"
    QUIET_SPACE = "quiet_space"
    WRITTEN_INSTRUCTIONS = "written_instructions"
    VISUAL_INSTRUCTIONS = "visual_instructions"
    FREQUENT_BREAKS = "frequent_breaks"
    JOB_COACH_ON_SITE = "job_coach_on_site"
    ALCOHOL_FREE = "alcohol_free"
    TRANSPORT_SUPPORT = "transport_support"


class LivedExperience(Vocabulary):
    """A kind of lived experience (esperienza vissuta) a peer supporter brings."""

    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_USE = "substance_use"
    ALCOHOL = "alcohol"
    JUSTICE = "justice"
    SERIOUS_ILLNESS = "serious_illness"
    INJURY = "injury"
    DISABILITY = "disability"
    HOMELESSNESS = "homelessness"


class Category(Vocabulary):
    """Disadvantaged-worker category of L. 381/1991 art. 4, and of regional laws.

    The first ten are the persons of L. 381/91 art. 4 (``detained``: the text as
    amended by L. 193/2000, "detenuti o internati … lavoro all'esterno"). The last
    three are not: ``social_health_fragility`` is Emilia-Romagna's L.R. 14/2015
    ("compresenza di problematiche … sociale o sanitaria", seed 002);
    ``international_protection`` and ``violence_or_trafficking`` are the other
    people Lombardy's traineeship rules (DGR X/7763/2018) exempt from the headcount
    limits. :data:`L381_CATEGORIES` holds the first ten.
    """

    PHYSICAL_DISABILITY = "physical_disability"
    PSYCHIC_DISABILITY = "psychic_disability"
    SENSORY_DISABILITY = "sensory_disability"
    FORMER_PSYCHIATRIC_INPATIENT = "former_psychiatric_inpatient"
    PSYCHIATRIC_TREATMENT = "psychiatric_treatment"
    DRUG_ADDICTION = "drug_addiction"
    ALCOHOLISM = "alcoholism"
    MINOR_FAMILY_DIFFICULTY = "minor_family_difficulty"
    ALTERNATIVE_DETENTION = "alternative_detention"
    DETAINED = "detained"
    SOCIAL_HEALTH_FRAGILITY = "social_health_fragility"
    INTERNATIONAL_PROTECTION = "international_protection"
    VIOLENCE_OR_TRAFFICKING = "violence_or_trafficking"


L381_CATEGORIES: frozenset[Category] = frozenset(
    c
    for c in Category
    if c not in (Category.SOCIAL_HEALTH_FRAGILITY, Category.INTERNATIONAL_PROTECTION, Category.VIOLENCE_OR_TRAFFICKING)
)
"""The disadvantaged persons of L. 381/91 art. 4: those who count toward a type-B cooperative's 30 %."""

DISABILITY_CATEGORIES: frozenset[Category] = frozenset(
    {Category.PHYSICAL_DISABILITY, Category.PSYCHIC_DISABILITY, Category.SENSORY_DISABILITY}
)
"""The categories read as disabled people for traineeship durations (longer maximum duration)."""


class ReferringService(Vocabulary):
    """The territorial service that refers the candidate (servizio inviante)."""

    SERD = "serd"
    CPS = "cps"
    GENITORIALITA = "genitorialita"
    SOCIALE_ADULTI = "sociale_adulti"
    UEPE = "uepe"
    NIL = "nil"
    ASP = "asp"
    OTHER = "other"


class SupportIntensity(Vocabulary):
    """How much accompaniment the candidate needs (intensità del sostegno)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class RelationshipKind(Vocabulary):
    """A tie between two people that may forbid pairing them."""

    THERAPEUTIC = "therapeutic"
    FAMILY = "family"
    CONFLICT = "conflict"
    FAILED_PAIRING = "failed_pairing"


class Gender(Vocabulary):
    """Gender, as stated by the person: ``f``, ``m`` or ``x`` (other)."""

    F = "f"
    M = "m"
    X = "x"


class Mobility(Vocabulary):
    """How the candidate gets to work."""

    WALK = "walk"
    BIKE = "bike"
    PUBLIC_TRANSPORT = "public_transport"
    CAR = "car"


class SiteKind(Vocabulary):
    """A host company (azienda ospitante) or a team of the cooperative."""

    COMPANY = "company"
    COOPERATIVE = "cooperative"


class Role(Vocabulary):
    """The role a partner plays for a candidate."""

    SITE = "site"
    LEAD_GUIDE = "lead_guide"
    GUIDE = "guide"
    PEER = "peer"
    TUTOR = "tutor"
    OPERATOR = "operator"


class Region(Vocabulary):
    """An Italian region (or autonomous province): its traineeship rules apply to a round."""

    ABRUZZO = "abruzzo"
    BASILICATA = "basilicata"
    BOLZANO = "bolzano"
    CALABRIA = "calabria"
    CAMPANIA = "campania"
    EMILIA_ROMAGNA = "emilia-romagna"
    FRIULI_VENEZIA_GIULIA = "friuli-venezia-giulia"
    LAZIO = "lazio"
    LIGURIA = "liguria"
    LOMBARDIA = "lombardia"
    MARCHE = "marche"
    MOLISE = "molise"
    PIEMONTE = "piemonte"
    PUGLIA = "puglia"
    SARDEGNA = "sardegna"
    SICILIA = "sicilia"
    TOSCANA = "toscana"
    TRENTO = "trento"
    UMBRIA = "umbria"
    VALLE_D_AOSTA = "valle-d-aosta"
    VENETO = "veneto"


class EndReason(Vocabulary):
    """Why a pairing ended between rounds, as the office reports it (motivo della fine)."""

    COMPLETED = "completed"
    """The pairing ran its course (a traineeship or a support period done)."""
    HIRED = "hired"
    """The person was hired: the placement ends in a job."""
    BREAKDOWN = "breakdown"
    """The pairing failed: never again for this pair, priority next round, a cool-down."""
    WITHDREW = "withdrew"
    """The person withdrew."""
    MOVED = "moved"
    """The partner (with a role) or the person (without) moved away: a new partner is needed, no fault."""


class ReviewStatus(Vocabulary):
    """Where a round's matches stand: a draft, or approved by the responsabile inserimenti."""

    DRAFT = "draft"
    APPROVED = "approved"


_ISO_639_1 = [
    "aa",
    "ab",
    "ae",
    "af",
    "ak",
    "am",
    "an",
    "ar",
    "as",
    "av",
    "ay",
    "az",
    "ba",
    "be",
    "bg",
    "bi",
    "bm",
    "bn",
    "bo",
    "br",
    "bs",
    "ca",
    "ce",
    "ch",
    "co",
    "cr",
    "cs",
    "cu",
    "cv",
    "cy",
    "da",
    "de",
    "dv",
    "dz",
    "ee",
    "el",
    "en",
    "eo",
    "es",
    "et",
    "eu",
    "fa",
    "ff",
    "fi",
    "fj",
    "fo",
    "fr",
    "fy",
    "ga",
    "gd",
    "gl",
    "gn",
    "gu",
    "gv",
    "ha",
    "he",
    "hi",
    "ho",
    "hr",
    "ht",
    "hu",
    "hy",
    "hz",
    "ia",
    "id",
    "ie",
    "ig",
    "ii",
    "ik",
    "io",
    "is",
    "it",
    "iu",
    "ja",
    "jv",
    "ka",
    "kg",
    "ki",
    "kj",
    "kk",
    "kl",
    "km",
    "kn",
    "ko",
    "kr",
    "ks",
    "ku",
    "kv",
    "kw",
    "ky",
    "la",
    "lb",
    "lg",
    "li",
    "ln",
    "lo",
    "lt",
    "lu",
    "lv",
    "mg",
    "mh",
    "mi",
    "mk",
    "ml",
    "mn",
    "mr",
    "ms",
    "mt",
    "my",
    "na",
    "nb",
    "nd",
    "ne",
    "ng",
    "nl",
    "nn",
    "no",
    "nr",
    "nv",
    "ny",
    "oc",
    "oj",
    "om",
    "or",
    "os",
    "pa",
    "pi",
    "pl",
    "ps",
    "pt",
    "qu",
    "rm",
    "rn",
    "ro",
    "ru",
    "rw",
    "sa",
    "sc",
    "sd",
    "se",
    "sg",
    "sh",
    "si",
    "sk",
    "sl",
    "sm",
    "sn",
    "so",
    "sq",
    "sr",
    "ss",
    "st",
    "su",
    "sv",
    "sw",
    "ta",
    "te",
    "tg",
    "th",
    "ti",
    "tk",
    "tl",
    "tn",
    "to",
    "tr",
    "ts",
    "tt",
    "tw",
    "ty",
    "ug",
    "uk",
    "ur",
    "uz",
    "ve",
    "vi",
    "vo",
    "wa",
    "wo",
    "xh",
    "yi",
    "yo",
    "za",
    "zh",
    "zu",
]

if TYPE_CHECKING:  # type checkers know the functional API of StrEnum only
    Language = StrEnum("Language", {c.upper(): c for c in _ISO_639_1})  # type: ignore[misc]
else:
    Language = Vocabulary("Language", {c.upper(): c for c in _ISO_639_1})
Language.__doc__ = "A language as its ISO 639-1 two-letter code (``it``, ``en``, ``ar``…)."
Language.__module__ = __name__


# ATECO 2007 (NACE Rev. 2) divisions by section, as ISTAT publishes them.
_SECTIONS: tuple[tuple[int, int, str], ...] = (
    (1, 3, "A"),
    (5, 9, "B"),
    (10, 33, "C"),
    (35, 35, "D"),
    (36, 39, "E"),
    (41, 43, "F"),
    (45, 47, "G"),
    (49, 53, "H"),
    (55, 56, "I"),
    (58, 63, "J"),
    (64, 66, "K"),
    (68, 68, "L"),
    (69, 75, "M"),
    (77, 82, "N"),
    (84, 84, "O"),
    (85, 85, "P"),
    (86, 88, "Q"),
    (90, 93, "R"),
    (94, 96, "S"),
    (97, 98, "T"),
    (99, 99, "U"),
)
_ATECO_RE = re.compile(r"^(?:[A-U]|\d{2}(?:\.\d{1,2}(?:\.\d{1,2})?)?)$")


@functools.lru_cache(maxsize=4096)
def ateco_section(code: str) -> str:
    """The ATECO 2007 section letter of a sector code.

    A code is a section letter (``"N"``) or a numeric ATECO code at division,
    group, class or category level (``"81"``, ``"81.2"``, ``"81.21"``, ``"81.21.00"``).

    >>> ateco_section("81.21")
    'N'
    >>> ateco_section("I")
    'I'
    """
    code = code.strip().upper()
    if not _ATECO_RE.match(code):
        raise ValueError("an ATECO section letter A-U or a code such as '81.21'")
    if code.isalpha():
        return code
    division = int(code[:2])
    for low, high, letter in _SECTIONS:
        if low <= division <= high:
            return letter
    raise ValueError(f"an ATECO code; division {code[:2]} does not exist")


def ateco_ancestors(code: str) -> tuple[str, ...]:
    """The code and every broader ATECO code above it, broadest first.

    >>> ateco_ancestors("81.21")
    ('N', '81', '81.2', '81.21')
    """
    code = code.strip().upper()
    out = [ateco_section(code)]
    if not code.isalpha():
        parts = code.split(".")
        out.append(parts[0])
        if len(parts) > 1:
            out.append(f"{parts[0]}.{parts[1][0]}")
            if len(parts[1]) > 1:
                out.append(f"{parts[0]}.{parts[1]}")
        if len(parts) > 2:
            out.append(code)
    return tuple(dict.fromkeys(out))


def label(code: StrEnum | str, lang: str = "it") -> str:
    """Human label of a vocabulary code in Italian (``"it"``) or English (``"en"``).

    The common languages have names; other language codes, and unknown codes, are
    returned unchanged.

    >>> label("step_free_access", "en")
    'step-free access'
    """
    choice("lang", lang, Lang)
    key = f"label.{code}"
    return text(key, lang) if key in TEXTS else str(code)


def suggest(value: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The closest known code to a misspelt ``value``, or None.

    A value that is the Italian or English label of a code suggests that code.

    >>> suggest("forklfit", [s.value for s in Skill])
    'forklift'
    >>> suggest("Italiano", [lang.value for lang in Language])
    'it'
    >>> suggest("magazzino", [s.value for s in Skill])
    'warehouse'
    >>> suggest("italien", [lang.value for lang in Language])
    'it'
    """
    wanted = str(value).strip().lower()
    lowered: dict[str, str] = {}
    for option in choices:
        lowered.setdefault(str(option).lower(), str(option))
    for option in choices:  # a label, exactly, or misspelt after the codes
        for word in TEXTS.get(f"label.{option}", ()):
            if word.lower() == wanted:
                return str(option)
            lowered.setdefault(word.lower(), str(option))
    close = difflib.get_close_matches(wanted, list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None
