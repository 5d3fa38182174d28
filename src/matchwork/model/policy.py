"""The policy: what a programme decides — feature weights, caps, legal limits, solver options.

A :class:`Policy` is a Pydantic model loadable from TOML. The documented default
ships with the package (``default_policy.toml``); a programme copies it and changes
what it decides differently. Legal trainee limits are *named, versioned rule sets*
(placement law is regional and changes), not constants; the rule set in force is
chosen by name, and a region's exemptions for disadvantaged trainees are a switch
of that rule set.

Examples
--------
>>> from matchwork import Policy
>>> policy = Policy.default()
>>> policy.caps.lead_newcomers, policy.caps.squad_size, policy.caps.peer_hours_per_week
(1, 2, 8.0)
>>> policy.trainee_rule_set().limit(4), policy.trainee_rule_set().limit(12), policy.trainee_rule_set().limit(57)
(1, 2, 5)
>>> policy.with_weights(site={"commute": 40}).weights["site"]["commute"]
40.0
"""

from __future__ import annotations

import math
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from matchwork._validation import Backend, Objective
from matchwork.errors import PolicyValidationError, Problem
from matchwork.model.vocab import Category, RelationshipKind, SupportIntensity, suggest

__all__ = ["STAGES", "Caps", "Policy", "Scoring", "SolverOptions", "TraineeLimits", "TraineeRuleSet"]

STAGES = ("site", "guide", "peer")
"""The three scoring stages: candidate × position, × guide worker, × peer supporter."""

Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Scoring(_Section):
    """How scores are formed and pruned."""

    most_important_boost: float = Field(2.0, ge=1, le=10, description="Multiplier of the candidate's own criterion.")
    min_score: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: {"site": 0.0, "guide": 0.0, "peer": 0.0},
        description="Pairs scoring below this (0-100) are not proposed.",
    )
    top_k: int = Field(60, ge=1, le=10_000, description="Options kept per candidate and stage on large rounds.")
    dense_max_pairs: int = Field(4_000_000, ge=0, description="Above this many pairs a stage is scored sparsely.")

    @model_validator(mode="after")
    def _stages(self) -> Scoring:
        unknown = set(self.min_score) - set(STAGES)
        if unknown:
            raise ValueError(f"min_score keys must be stages ({', '.join(STAGES)}), not {sorted(unknown)}")
        return self


class Caps(_Section):
    """Workload and burnout caps."""

    lead_newcomers: int = Field(1, ge=0, le=10, description="Newcomers a lead guide takes on in one round.")
    squad_size: int = Field(2, ge=0, le=10, description="Guide workers besides the lead.")
    guide_max_mentees: int = Field(3, ge=0, le=50, description="A guide's limit when they do not state one.")
    peer_hours_per_week: float = Field(8.0, ge=0, le=168, description="Hours a week a peer supporter may give.")
    peer_new_fraction: float = Field(0.5, ge=0, le=1, description="Share of the cap while a peer is new.")
    peer_new_months: int = Field(3, ge=0, le=60, description="Months a peer supporter counts as new.")
    hours_by_intensity: dict[SupportIntensity, Annotated[float, Field(gt=0, le=40)]] = Field(
        default_factory=lambda: {SupportIntensity.LOW: 1.0, SupportIntensity.MEDIUM: 2.0, SupportIntensity.HIGH: 3.0},
        description="Peer-supporter hours a week each candidate needs, by support intensity.",
    )

    @model_validator(mode="after")
    def _every_intensity(self) -> Caps:
        missing = set(SupportIntensity) - set(self.hours_by_intensity)
        if missing:
            raise ValueError(f"hours_by_intensity needs a figure for {sorted(m.value for m in missing)}")
        return self


class Rules(_Section):
    """Which hard rules apply, and which relationships forbid a pair."""

    forbidding_relationships: frozenset[RelationshipKind] = Field(
        default_factory=lambda: frozenset(RelationshipKind),
        description="Relationship kinds that forbid pairing two people.",
    )
    disabled: frozenset[str] = Field(default_factory=frozenset, description="Rule codes switched off.")


class TraineeRuleSet(_Section):
    """A legal trainee-limit rule set: headcount bands, a percentage above them, exemptions.

    ``bands`` is a list of ``(max_employees, trainees)`` in increasing order; above
    the last band the limit is ``above_percent`` % of the employees, rounded down.
    Trainees whose L. 381/91 category is in ``exempt_categories`` do not count.

    >>> rs = TraineeRuleSet(bands=[(5, 1), (20, 2)], above_percent=10)
    >>> [rs.limit(n) for n in (0, 5, 6, 20, 21, 39, 40, 100)]
    [1, 1, 2, 2, 2, 3, 4, 10]
    """

    description: str = ""
    bands: tuple[tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]], ...] = ((5, 1), (20, 2))
    above_percent: float = Field(10.0, ge=0, le=100)
    exempt_categories: frozenset[Category] = frozenset()

    @model_validator(mode="after")
    def _increasing(self) -> TraineeRuleSet:
        limits = [b[0] for b in self.bands]
        if limits != sorted(limits) or len(set(limits)) != len(limits):
            raise ValueError("bands must have strictly increasing max_employees")
        return self

    def limit(self, employees: int) -> int:
        """Trainees a site with ``employees`` employees may host at once."""
        for max_employees, trainees in self.bands:
            if employees <= max_employees:
                return trainees
        # round down, forgiving the binary error of e.g. 10 % of 30 = 3.0000000000000004
        return max(math.floor(employees * self.above_percent / 100 + 1e-9), self.bands[-1][1] if self.bands else 0)


class TraineeLimits(_Section):
    """The legal trainee limit in force and the company-tutor limit."""

    rule_set: str = "national-2017"
    tutor_limit: int = Field(3, ge=0, le=100, description="Trainees a company tutor may follow at once.")
    rule_sets: dict[str, TraineeRuleSet] = Field(default_factory=lambda: {"national-2017": TraineeRuleSet()})

    @model_validator(mode="after")
    def _known_rule_set(self) -> TraineeLimits:
        if self.rule_set not in self.rule_sets:
            raise ValueError(f"rule_set {self.rule_set!r} is not one of {sorted(self.rule_sets)}")
        return self


class SolverOptions(_Section):
    """Objective, backend and the soft costs that enter the optimisation."""

    objective: Objective = "total"
    backend: Backend = "auto"
    continuity_bonus: float = Field(100.0, ge=0, le=1000, description="Points for keeping a pairing in place.")
    lead_load_cost: float = Field(0.0, ge=0, le=100)
    guide_load_cost: float = Field(4.0, ge=0, le=100)
    peer_load_cost: float = Field(2.0, ge=0, le=100)


def _empty_weights() -> dict[str, dict[str, float]]:
    return {stage: {} for stage in STAGES}


class Policy(_Section):
    """Everything a programme decides about a round, in one validated, loadable object.

    Use :meth:`default` for the documented default, :meth:`from_toml` to load a
    file, and :meth:`with_weights` or ``model_copy(update=...)`` to vary it.
    """

    weights: dict[str, dict[str, Weight]] = Field(default_factory=_empty_weights)
    scoring: Scoring = Scoring()
    caps: Caps = Caps()
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
        """The documented default policy shipped with matchwork (``default_policy.toml``)."""
        text = resources.files("matchwork.model").joinpath("default_policy.toml").read_text(encoding="utf-8")
        return cls.from_toml_text(text, source="default_policy.toml")

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
            problem = Problem(file.name, None, f"a readable UTF-8 TOML file ({exc.__class__.__name__})")
            raise PolicyValidationError([problem]) from None
        return cls.from_toml_text(text, source=file.name)

    @classmethod
    def from_toml_text(cls, text: str, *, source: str = "policy") -> Policy:
        """Load a policy from TOML text, over the default."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyValidationError([Problem(source, None, f"valid TOML ({exc})")]) from None
        if source != "default_policy.toml":
            data = _merge(cls.default().model_dump(mode="json"), data)
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "policy") -> Policy:
        """Validate a policy from a mapping (e.g. parsed TOML or JSON)."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = []
            for err in exc.errors(include_url=False):
                key = ".".join(str(p) for p in err["loc"])
                msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
                if err["type"] == "extra_forbidden":
                    hint = suggest(str(err["loc"][-1]), _siblings(err["loc"]))
                    msg = "a known key" + (f" (did you mean {hint!r}?)" if hint else "")
                value = err.get("input") if not isinstance(err.get("input"), (dict, list)) else None
                problems.append(Problem(source, key or None, msg, value=None if value is None else str(value)[:60]))
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

    def trainee_rule_set(self) -> TraineeRuleSet:
        """The trainee-limit rule set in force."""
        return self.trainee_limits.rule_sets[self.trainee_limits.rule_set]

    def to_dict(self) -> dict[str, Any]:
        """The policy as JSON-ready data (recorded with every run)."""
        return self.model_dump(mode="json")


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
