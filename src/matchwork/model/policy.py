"""The policy: what a programme decides — feature weights, caps, legal limits, solver options.

A :class:`Policy` is a Pydantic model loadable from TOML. Its defaults live in
this module only, each with its reason: ``Policy()`` is the documented default,
and :meth:`Policy.to_toml` writes it as a commented file (``matchwork policy``)
that a programme copies and changes where it decides differently. Legal trainee limits are *named, versioned rule sets*
(placement law is regional and changes), not constants; the rule set in force is
chosen by the round's region unless the policy names one, and a region's exemptions
for disadvantaged trainees are a switch of that rule set.

Examples
--------
>>> from matchwork import Policy
>>> policy = Policy.default()
>>> policy.caps.lead_newcomers, policy.caps.squad_size, policy.caps.peer_hours_per_week
(1, 2, 8.0)
>>> policy.trainee_rule_set().limit(4), policy.trainee_rule_set().limit(12), policy.trainee_rule_set().limit(57)
(1, 2, 6)
>>> policy.trainee_limits.name_for("lombardia"), policy.trainee_limits.name_for("veneto")
('lombardia', 'national-2017')
>>> policy.with_weights(site={"commute": 40}).weights["site"]["commute"]
40.0
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_serializer, model_validator

from matchwork._validation import Backend, Keep, Objective
from matchwork.errors import PolicyValidationError, Problem
from matchwork.model.validation import key_of
from matchwork.model.vocab import (
    DISABILITY_CATEGORIES,
    L381_CATEGORIES,
    Category,
    Region,
    RelationshipKind,
    SiteKind,
    SupportIntensity,
    suggest,
)

__all__ = [
    "DEFAULT_RULE_SETS",
    "HEADCOUNT_PARTS",
    "STAGES",
    "Caps",
    "Continuity",
    "Duration",
    "Policy",
    "Scoring",
    "SolverOptions",
    "SquadOptions",
    "Team",
    "TraineeLimits",
    "TraineeRuleSet",
]

STAGES = ("site", "guide", "peer")
"""The three scoring stages: candidate × position, × guide worker, × peer supporter."""

MAX_WEIGHT = 1_000_000.0
"""The largest feature weight: weights are relative, and a bound keeps every score finite."""
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_serializer("*", when_used="json")
    def _sorted_sets(self, value: Any) -> Any:
        """Sets as sorted lists, so that the same policy always writes the same bytes."""
        return sorted(value) if isinstance(value, (set, frozenset)) else value


class Scoring(_Section):
    """How scores are formed and pruned."""

    most_important_boost: float = Field(
        2.0, ge=1, le=10, description="The candidate's own 'most important' criterion counts this many times."
    )
    min_score: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: {"site": 0.0, "guide": 0.0, "peer": 0.0},
        description="Pairs scoring below this (0-100) are not proposed.",
    )
    top_k: int = Field(60, ge=1, le=10_000, description="Options kept per candidate and stage on large rounds.")
    dense_max_pairs: int = Field(
        4_000_000, ge=0, le=10**12, description="Above this many pairs a stage is scored sparsely."
    )

    @model_validator(mode="after")
    def _stages(self) -> Scoring:
        unknown = set(self.min_score) - set(STAGES)
        if unknown:
            raise ValueError(f"min_score keys must be stages ({', '.join(STAGES)}), not {sorted(unknown)}")
        return self


class Caps(_Section):
    """Workload and burnout caps."""

    lead_newcomers: int = Field(
        1,
        ge=0,
        le=10,
        description="Newcomers a lead guide takes on in one round: the first two weeks are intensive.",
    )
    squad_size: int = Field(2, ge=0, le=10, description="Guide workers besides the lead, for the first months.")
    guide_max_mentees: int = Field(3, ge=0, le=50, description="A guide worker's limit when they do not state one.")
    peer_hours_per_week: float = Field(
        8.0,
        ge=0,
        le=168,
        description="Burnout cap: hours a week a peer supporter may give (their own lower figure wins).",
    )
    peer_new_fraction: float = Field(0.5, ge=0, le=1, description="Share of the cap while a peer supporter is new.")
    peer_new_months: int = Field(3, ge=0, le=60, description="How long a peer supporter counts as new, in months.")
    peer_max_people: int = Field(
        4,
        ge=0,
        le=100,
        description="Burnout cap: people a peer supporter follows at once (their tasks, not only their hours).",
    )
    peer_new_max_people: int = Field(
        2, ge=0, le=100, description="People a peer supporter follows at once while new (seed 004: enthusiasm)."
    )
    operator_caseload: int = Field(
        20,
        ge=0,
        le=200,
        description="People a job-desk operator follows at once (IPS fidelity scale: 20 or fewer); "
        "their own lower figure wins.",
    )
    lead_min_shift_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of the position's shifts the lead guide must work: they work beside the person.",
    )
    hours_by_intensity: dict[SupportIntensity, Annotated[float, Field(ge=0.1, le=40)]] = Field(
        default_factory=lambda: {SupportIntensity.LOW: 1.0, SupportIntensity.MEDIUM: 2.0, SupportIntensity.HIGH: 3.0},
        description="Peer-supporter hours a week each candidate needs, by support intensity.",
    )

    @model_validator(mode="after")
    def _every_intensity(self) -> Caps:
        missing = set(SupportIntensity) - set(self.hours_by_intensity)
        if missing:
            raise ValueError(f"hours_by_intensity needs a figure for {sorted(m.value for m in missing)}")
        if self.peer_new_max_people > self.peer_max_people:
            raise ValueError("peer_new_max_people must not exceed peer_max_people")
        return self


class SquadOptions(_Section):
    """How squads of guide workers are formed."""

    require_full: bool = Field(
        True,
        description="Place a person only with a full squad of caps.squad_size guide workers of the site "
        "(a pinned person excepted): after the lead's two weeks the squad follows them for months.",
    )


class Team(_Section):
    """Who accompanies a trainee, by the kind of site; who gets a peer supporter."""

    guides_at: frozenset[SiteKind] = Field(
        default_factory=lambda: frozenset(SiteKind),
        description="Site kinds whose guide workers may lead and join squads, where the site lists them (seed 002: "
        "the cooperative's lavoratori guida); ['cooperative'] keeps them to cooperative teams.",
    )
    tutor_at: frozenset[SiteKind] = Field(
        default_factory=lambda: frozenset({SiteKind.COMPANY}),
        description="Site kinds whose trainees get a company tutor by name from the tutors table (seed 003); "
        "the legal tutor limit holds at every site.",
    )
    operator_at: frozenset[SiteKind] = Field(
        default_factory=lambda: frozenset({SiteKind.COMPANY}),
        description="Site kinds whose trainees are followed by the job desk's operator of their area, within "
        "the caseload cap, when the round lists operators (seed 003).",
    )
    peer_for_waiting: bool = Field(
        False,
        description="Offer a peer supporter also to people left waiting for a placement (zero exclusion); "
        "otherwise only to people placed in the round.",
    )


class Rules(_Section):
    """Which hard rules apply, and which relationships forbid a pair."""

    forbidding_relationships: frozenset[RelationshipKind] = Field(
        default_factory=lambda: frozenset(RelationshipKind),
        description="Relationship kinds that forbid pairing two people.",
    )
    disabled: frozenset[str] = Field(
        default_factory=frozenset, description="Rule codes switched off, e.g. ['no_schedule_overlap']."
    )
    flagged: frozenset[str] = Field(
        default_factory=lambda: frozenset({"former_client_dual_role"}),
        description="Rule codes that do not forbid a pair but flag it for the case team to discuss "
        "(seed 004: a peer supporter's dual role is discussed openly); remove a code to forbid instead.",
    )

    @model_validator(mode="after")
    def _disabled_or_flagged(self) -> Rules:
        both = self.disabled & self.flagged
        if both:
            raise ValueError(f"a rule is either disabled or flagged, not both: {sorted(both)}")
        return self


HEADCOUNT_PARTS: tuple[str, ...] = ("permanent", "fixed_term_covering", "owners", "worker_members")
"""Parts of a site's staff a rule set may count (apprentices never count)."""

Percent = Annotated[float, Field(ge=0, le=100)]


class Duration(BaseModel):
    """How long a traineeship may last for one category of person, in months, and the source."""

    model_config = ConfigDict(frozen=True)

    max_months: int
    extendable_to: int | None = None
    condition: str = ""


class TraineeRuleSet(_Section):
    """A legal trainee-limit rule set: who counts, the bands, the percentage above them, bonus, exemptions.

    ``bands`` is a list of ``(max_employees, trainees)`` in increasing order; above
    the last band the limit is ``above_percent`` % of the employees, rounded as
    ``rounding`` says (``up`` in the 2017 national guidelines). The employees are
    the parts of the staff in ``counts``. Units with more than ``bonus_above``
    permanent employees that hired at least ``hiring_bonus[i][0]`` % of the
    trainees of the previous 24 months may host ``hiring_bonus[i][1]`` more.
    Trainees whose category is in ``exempt_categories`` do not count.

    >>> rs = TraineeRuleSet(bands=[(5, 1), (20, 2)], above_percent=10)
    >>> [rs.limit(n) for n in (0, 5, 6, 20, 21, 30, 31, 40, 100, 101)]
    [1, 1, 2, 2, 3, 3, 4, 4, 10, 11]
    >>> rs.limit(45, hired_share=60)  # 5 by the percentage, +2 for hiring over half its trainees
    7
    """

    description: str = ""
    source: str = ""
    bands: tuple[tuple[Annotated[int, Field(ge=0, le=10**9)], Annotated[int, Field(ge=0, le=10**9)]], ...] = (
        (5, 1),
        (20, 2),
    )
    above_percent: float = Field(10.0, ge=0, le=100)
    rounding: Literal["up", "down", "half_up"] = "up"
    counts: frozenset[Literal["permanent", "fixed_term_covering", "owners", "worker_members"]] = frozenset(
        {"permanent", "fixed_term_covering"}
    )
    hiring_bonus: tuple[tuple[Percent, Annotated[int, Field(ge=0, le=100)]], ...] = (
        (20.0, 1),
        (50.0, 2),
        (75.0, 3),
        (100.0, 4),
    )
    bonus_above: int = Field(20, ge=0, description="Permanent employees a unit must exceed for the hiring bonus.")
    exempt_categories: frozenset[Category] = frozenset()
    max_months: int = Field(12, ge=1, le=120)
    max_months_by_category: dict[Category, Annotated[int, Field(ge=1, le=120)]] = Field(default_factory=dict)
    extendable_by_category: dict[Category, Annotated[int, Field(ge=1, le=120)]] = Field(default_factory=dict)
    extension_condition: str = ""

    @model_validator(mode="after")
    def _increasing(self) -> TraineeRuleSet:
        limits = [b[0] for b in self.bands]
        if limits != sorted(limits) or len(set(limits)) != len(limits):
            raise ValueError("bands must have strictly increasing max_employees")
        shares = [b[0] for b in self.hiring_bonus]
        if shares != sorted(shares) or len(set(shares)) != len(shares):
            raise ValueError("hiring_bonus must have strictly increasing shares")
        return self

    def limit(self, employees: int, hired_share: float | None = None, permanent: int | None = None) -> int:
        """Trainees a site with ``employees`` counted employees may host at once.

        ``hired_share`` is the percentage of the previous 24 months' trainees that
        the unit hired; ``permanent`` its permanent employees (default: ``employees``),
        which must exceed ``bonus_above`` for the hiring bonus.
        """
        for max_employees, trainees in self.bands:
            if employees <= max_employees:
                base = trainees
                break
        else:
            raw = employees * self.above_percent / 100
            # forgive the binary error of e.g. 10 % of 30 = 3.0000000000000004 in every direction
            if self.rounding == "up":
                rounded = math.ceil(raw - 1e-9)
            elif self.rounding == "down":
                rounded = math.floor(raw + 1e-9)
            else:
                rounded = math.floor(raw + 0.5 + 1e-9)
            base = max(rounded, self.bands[-1][1] if self.bands else 0)
        return base + self.bonus(hired_share, employees if permanent is None else permanent)

    def bonus(self, hired_share: float | None, permanent: int) -> int:
        """Extra trainees for hiring earlier trainees (premialità): 0 when not earned.

        >>> TraineeRuleSet().bonus(50, permanent=30), TraineeRuleSet().bonus(100, permanent=20)
        (2, 0)
        """
        if hired_share is None or permanent <= self.bonus_above:
            return 0
        earned = [extra for share, extra in self.hiring_bonus if hired_share + 1e-9 >= share]
        return max(earned, default=0)

    def headcount(self, parts: dict[str, int | None]) -> int:
        """The employees this rule set counts, from the parts of a site's staff (missing parts: 0).

        >>> TraineeRuleSet().headcount({"permanent": 18, "fixed_term_covering": 3, "owners": 2})
        21
        """
        return sum(int(parts.get(part) or 0) for part in self.counts)

    def duration(self, category: Category | None) -> Duration:
        """The longest traineeship for a person of ``category`` (information: matching does not use it).

        >>> TraineeRuleSet(max_months_by_category={"physical_disability": 24}).duration("physical_disability")
        Duration(max_months=24, extendable_to=None, condition='')
        """
        if category is None:
            return Duration(max_months=self.max_months)
        cat = Category(category)
        extendable = self.extendable_by_category.get(cat)
        return Duration(
            max_months=self.max_months_by_category.get(cat, self.max_months),
            extendable_to=extendable,
            condition=self.extension_condition if extendable else "",
        )


_DISABLED_24 = dict.fromkeys(sorted(DISABILITY_CATEGORIES), 24)

DEFAULT_RULE_SETS: dict[str, TraineeRuleSet] = {
    "national-2017": TraineeRuleSet(
        description="2017 national guidelines on extracurricular traineeships (Accordo Stato-Regioni 25 May 2017, "
        "§6): 1 trainee up to 5 permanent employees, 2 from 6 to 20, 10 % rounded up above 20; permanent "
        "employees plus fixed-term ones covering the traineeship, apprentices excluded; 12 months, 24 for "
        "disabled people",
        source="Accordo Stato-Regioni 25/05/2017 (secondary sources: DDP 13/07/2017, Il Sole 24 Ore 30/05/2017); "
        "hiring bonus thresholds as published for Lombardy (the national wording was not seen)",
        max_months_by_category=_DISABLED_24,
    ),
    "lombardia": TraineeRuleSet(
        description="Lombardy (DGR X/7763 of 17 January 2018): the national bands, 10 % rounded up, counting "
        "owners and cooperative worker-members too; the headcount limits do not apply to disabled (L. 68/99) "
        "and disadvantaged (L. 381/91) people, asylum seekers and refugees, victims of violence or trafficking; "
        "12 months for disadvantaged people (24 with a competent third party's opinion), 24 for disabled people",
        source="DGR X/7763/2018 as summarised by Assolombarda Kit Stage (limiti, deroghe, tirocini per persone "
        "disabili e svantaggiate)",
        counts=frozenset({"permanent", "fixed_term_covering", "owners", "worker_members"}),
        exempt_categories=frozenset(c for c in Category if c != Category.SOCIAL_HEALTH_FRAGILITY),
        max_months_by_category=_DISABLED_24,
        extendable_by_category=dict.fromkeys(sorted(L381_CATEGORIES - DISABILITY_CATEGORIES), 24),
        extension_condition="con il parere di un soggetto terzo competente (with a competent third party's opinion)",
    ),
}
"""The shipped legal rule sets, by name."""


class TraineeLimits(_Section):
    """The legal trainee limit in force and the company-tutor limit."""

    rule_set: str | None = Field(
        None, description="The rule set in force, by name; empty: the one of the round's region."
    )
    regions: dict[Region, str] = Field(
        default_factory=lambda: {Region.LOMBARDIA: "lombardia"},
        description="Region → rule set; a round of another region, or of none, uses default_rule_set.",
    )
    default_rule_set: str = Field("national-2017", description="The rule set of regions without one of their own.")
    tutor_limit: int = Field(3, ge=0, le=100, description="Trainees a company tutor may follow at once.")
    rule_sets: dict[str, TraineeRuleSet] = Field(
        default_factory=lambda: dict(DEFAULT_RULE_SETS), description="Named, versioned legal rule sets."
    )

    @model_validator(mode="after")
    def _known_rule_set(self) -> TraineeLimits:
        named = {"rule_set": self.rule_set, "default_rule_set": self.default_rule_set}
        named |= {f"regions.{region.value}": name for region, name in self.regions.items()}
        for key, name in named.items():
            if name is not None and name not in self.rule_sets:
                raise ValueError(f"{key} {name!r} is not one of {sorted(self.rule_sets)}")
        return self

    def name_for(self, region: Region | str | None = None) -> str:
        """The name of the rule set in force for a round of ``region``."""
        if self.rule_set is not None:
            return self.rule_set
        if region is not None and Region(region) in self.regions:
            return self.regions[Region(region)]
        return self.default_rule_set


class Continuity(_Section):
    """Pairings in place and time: what a round keeps, how long the lead and the squad last.

    Seed 002: the lead guide (referente di progetto) accompanies the person for the
    first two weeks, then the squad of lavoratori guida follows them "per i primi
    mesi" (``squad_months`` is an assumption: the seed gives no figure).
    """

    keep: Keep = Field(
        "always",
        description="'always': a pairing in place stays, even if a rule now fails (flagged kept_with_issue for the "
        "case team); 'unless_rule': it stays unless a rule now fails (then the person is matched again and the "
        "change says why); 'score': only continuity_bonus keeps it (the person is matched again).",
    )
    lead_period_days: int = Field(
        14,
        ge=1,
        le=365,
        description="Days the lead role lasts from the pairing's start (seed 002: the first two weeks); then the "
        "lead joins the person's squad and may lead a newcomer again.",
    )
    squad_months: int = Field(
        6, ge=1, le=60, description="Months a squad member follows the person from the pairing's start (assumption)."
    )
    rematch_cooldown_days: int = Field(
        90,
        ge=0,
        le=3650,
        description="Days after a breakdown during which the person is not paired again with the same partner.",
    )
    priority_bonus: float = Field(
        50.0,
        ge=0,
        le=1000,
        description="Points added to every option of a person with priority (after a breakdown): among plans that "
        "place as many people, those that place them win.",
    )


class SolverOptions(_Section):
    """Objective, backend and the soft costs that enter the optimisation."""

    objective: Objective = Field(
        "total",
        description="'total': most people placed, then the highest total score; 'fair': raise the lowest score first.",
    )
    backend: Backend = Field("auto", description="Min-cost-flow backend: auto, highs, networkx or ortools.")
    continuity_bonus: float = Field(
        100.0,
        ge=0,
        le=1000,
        description="Points for keeping a pairing already in place: a whole stage score, so it is kept "
        "unless a rule forbids it or it would leave someone out.",
    )
    lead_load_cost: float = Field(
        0.0,
        ge=0,
        le=100,
        description="Points a new lead costs per newcomer the guide already follows (those in place included).",
    )
    guide_load_cost: float = Field(
        4.0,
        ge=0,
        le=100,
        description="Points, times the share of the guide's capacity in use, per added newcomer (lead or squad).",
    )
    peer_load_cost: float = Field(
        2.0, ge=0, le=100, description="Points, times the share of the peer's hours in use, per added hour."
    )
    time_limit: float | None = Field(
        None,
        ge=0.01,
        le=86_400,
        description="Seconds each branch and bound of the joint stage may take, and the peer stage's whole solve "
        "(shared among its components by size); past it the best solution "
        "found is kept and its proven gap reported in result.metrics['solver'] and the explanations. Empty: no "
        "limit (always exact; on some rounds of thousands the joint stage's proof runs for hours: set one).",
    )


DEFAULT_WEIGHTS: dict[str, dict[str, tuple[float, str]]] = {
    "site": {
        "skill_fit": (25.0, "IPS: jobs that fit the person's skills last longer"),
        "wished_sector": (30.0, "IPS: the person's own preference weighs most"),
        "commute": (20.0, "travel is the first practical cause of drop-out"),
        "schedule": (15.0, "how much of the job's shifts the person can cover"),
        "site_experience": (10.0, "a host used to fragile workers (inserimenti svolti)"),
    },
    "guide": {
        "language": (30.0, "the guide explains the job"),
        "schedule": (30.0, "seed 002: the guide works beside the person, on the position's shifts"),
        "guide_skill": (20.0, "seed 002: 'buone capacità tecnico-professionali' in the position's work"),
        "guide_experience": (25.0, "experienced co-workers"),
        "gender": (15.0, "only when the person states a preference"),
    },
    "peer": {
        "lived_experience": (40.0, "the heart of peer support: a similar path"),
        "language": (25.0, ""),
        "schedule": (15.0, ""),
        "gender": (10.0, ""),
        "proximity": (10.0, ""),
    },
}
"""Default feature weights per stage, each with its reason. Weights are relative: each
candidate's weights are scaled to sum to 100 points, so a stage score is on a 0-100 scale."""


def _default_weights() -> dict[str, dict[str, float]]:
    return {stage: {name: w for name, (w, _) in ws.items()} for stage, ws in DEFAULT_WEIGHTS.items()}


class Policy(_Section):
    """Everything a programme decides about a round, in one validated, loadable object.

    Use :meth:`default` for the documented default, :meth:`from_toml` to load a
    file, and :meth:`with_weights` or ``model_copy(update=...)`` to vary it.
    """

    weights: dict[str, dict[str, Weight]] = Field(
        default_factory=_default_weights, description="Feature weights per stage (relative; see DEFAULT_WEIGHTS)."
    )
    scoring: Scoring = Scoring()
    caps: Caps = Caps()
    squad: SquadOptions = SquadOptions()
    team: Team = Team()
    continuity: Continuity = Continuity()
    rules: Rules = Rules()
    trainee_limits: TraineeLimits = TraineeLimits()
    solver: SolverOptions = SolverOptions()

    @model_validator(mode="after")
    def _every_stage_weighted(self) -> Policy:
        for stage in self.weights:
            if stage not in STAGES:
                raise ValueError(f"weights.{stage} is not a stage; the stages are {', '.join(STAGES)}")
        for stage in STAGES:
            if stage not in self.weights:
                raise ValueError(f"weights.{stage} is missing")
            if not any(w > 0 for w in self.weights[stage].values()):
                raise ValueError(f"weights.{stage} needs at least one positive weight")
        return self

    # ------------------------------------------------------------ loading

    @classmethod
    def default(cls) -> Policy:
        """The documented default policy: the same as ``Policy()``."""
        return cls()

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Policy:
        """Load a policy from a TOML file; keys left out keep the default.

        Raises
        ------
        PolicyValidationError
            Listing every unknown key and bad value with its key path.
        """
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problem = Problem.of("policy_file", file.name, detail=exc.__class__.__name__)
            raise PolicyValidationError([problem]) from None
        return cls.from_toml_text(text, source=file.name)

    @classmethod
    def from_toml_text(cls, text: str, *, source: str = "policy") -> Policy:
        """Load a policy from TOML text, over the default."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyValidationError([Problem.of("toml", source, detail=str(exc))]) from None
        except RecursionError:
            raise PolicyValidationError([Problem.of("toml", source, detail="nested too deep")]) from None
        return cls.from_dict(_merge(cls().model_dump(mode="json"), data), source=source)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "policy") -> Policy:
        """Validate a policy from a mapping (e.g. parsed TOML or JSON)."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = []
            for err in exc.errors(include_url=False):
                key = ".".join(str(p) for p in err["loc"])
                value = err.get("input") if not isinstance(err.get("input"), (dict, list)) else None
                shown = None if value is None else str(value)[:60]
                if err["type"] == "extra_forbidden":
                    hint = suggest(str(err["loc"][-1]), _siblings(err["loc"]))
                    problems.append(Problem.of("policy_key", source, key or None, value=shown, hint=hint))
                    continue
                found = key_of(err)
                if found is None:
                    msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
                    problems.append(Problem(source, key or None, msg, value=shown))
                else:
                    problems.append(Problem.of(found[0], source, key or None, value=shown, **found[1]))
            raise PolicyValidationError(problems) from None

    # ------------------------------------------------------------ variations

    def with_weights(self, **stages: dict[str, float]) -> Policy:
        """A copy with some feature weights changed, e.g. ``with_weights(site={"commute": 40})``."""
        weights = {stage: dict(w) for stage, w in self.weights.items()}
        for stage, changes in stages.items():
            if stage not in STAGES:
                raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}")
            weights[stage].update(changes)
        return Policy.from_dict({**self.model_dump(mode="json"), "weights": weights})

    def with_solver(self, **changes: Any) -> Policy:
        """A copy with some solver options changed (``None`` keeps the current value), validated.

        >>> Policy.default().with_solver(objective="fair", backend=None).solver.objective
        'fair'
        """
        update = {k: v for k, v in changes.items() if v is not None}
        if not update:
            return self
        data = self.model_dump(mode="json")
        return Policy.from_dict({**data, "solver": {**data["solver"], **update}})

    def trainee_rule_set(self, region: Region | str | None = None) -> TraineeRuleSet:
        """The trainee-limit rule set in force for a round of ``region`` (by default: no region stated).

        Its name is ``policy.trainee_limits.name_for(region)``.
        """
        return self.trainee_limits.rule_sets[self.trainee_limits.name_for(region)]

    def to_dict(self) -> dict[str, Any]:
        """The policy as JSON-ready data (recorded with every run)."""
        return self.model_dump(mode="json")

    def to_toml(self) -> str:
        """The policy as a TOML file, each key with its description as a comment.

        ``Policy.from_toml_text(policy.to_toml()) == policy`` for every policy.

        >>> text = Policy().to_toml()
        >>> Policy.from_toml_text(text) == Policy()
        True
        >>> print(text.splitlines()[0])
        # matchwork policy. Every key is documented in docs/scoring.md; an unknown key is an error.
        """
        return _to_toml(self)


def _siblings(loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed beside the last element of ``loc`` in the policy structure."""
    model: Any = Policy
    for part in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = field.annotation
    return list(getattr(model, "model_fields", {}))


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``over`` into ``base``: a file states only what it changes (a weight of 0 drops a feature)."""
    out = dict(base)
    for key, value in over.items():
        if key in out and isinstance(out[key], dict) and isinstance(value, dict) and key != "rule_sets":
            out[key] = _merge(out[key], value)
        elif key == "rule_sets" and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _comment(text: str) -> str:
    return f"  # {text}" if text else ""


def _section(out: list[str], header: str, model: BaseModel, data: dict[str, Any]) -> None:
    """Write one table: scalar keys with their descriptions, nested models as sub-tables after."""
    out += ["", f"[{header}]"]
    if model.__doc__:
        out.append(f"# {model.__doc__.strip().splitlines()[0]}")
    nested: list[tuple[str, Any]] = []
    for name, info in type(model).model_fields.items():
        value = data[name]
        sub = getattr(model, name)
        if isinstance(sub, BaseModel):
            nested.append((name, sub))
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            nested += [(f"{name}.{_toml_key(k)}", getattr(model, name)[k]) for k in value]
        elif value is None:
            out.append(f"# {name} = (empty){_comment(info.description or '')}")
        elif isinstance(value, dict) and name == "hours_by_intensity":
            nested.append((name, value))
        else:
            out.append(f"{name} = {_toml_value(value)}{_comment(info.description or '')}")
    for name, sub in nested:
        if isinstance(sub, BaseModel):
            _section(out, f"{header}.{name}", sub, sub.model_dump(mode="json"))
        else:
            out += ["", f"[{header}.{name}]"]
            out += [f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in sub.items()]


def _to_toml(policy: Policy) -> str:
    data = policy.model_dump(mode="json")
    out = [
        "# matchwork policy. Every key is documented in docs/scoring.md; an unknown key is an error.",
        "# Copy this file, change what your programme decides differently, and load it with",
        "# matchwork.Policy.from_toml(path) or `matchwork run --policy path`; keys left out keep the default.",
    ]
    for stage in STAGES:
        notes = DEFAULT_WEIGHTS.get(stage, {})
        out += ["", f"[weights.{stage}]"]
        out += [
            f"{_toml_key(name)} = {_toml_value(w)}{_comment(notes.get(name, (0, ''))[1])}"
            for name, w in data["weights"][stage].items()
        ]
    for name in ("scoring", "caps", "squad", "team", "continuity", "rules", "trainee_limits", "solver"):
        _section(out, name, getattr(policy, name), data[name])
    return "\n".join(out) + "\n"
