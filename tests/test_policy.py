from __future__ import annotations

from pathlib import Path

import pytest

import matchwork as mw
from matchwork.errors import PolicyValidationError
from matchwork.model.policy import TraineeRuleSet


def test_default_policy_documented_values() -> None:
    p = mw.Policy.default()
    assert p.caps.lead_newcomers == 1
    assert p.caps.squad_size == 2
    assert p.caps.peer_hours_per_week == 8.0
    assert p.caps.peer_new_fraction == 0.5
    assert p.caps.peer_new_months == 3
    assert p.trainee_limits.tutor_limit == 3
    assert set(p.trainee_limits.rule_sets) == {"national-2017", "lombardia"}
    assert p.trainee_limits.rule_sets["lombardia"].exempt_categories
    assert p.caps.peer_max_people == 4 and p.caps.peer_new_max_people == 2
    assert p.caps.operator_caseload == 20  # IPS fidelity scale item 1
    assert p.caps.lead_min_shift_share == 0.5
    assert p.rules.flagged == {"former_client_dual_role"}  # seed 004: discussed openly, not forbidden
    assert not p.team.peer_for_waiting


@pytest.mark.parametrize(
    ("employees", "trainees"),
    [
        (0, 1),
        (5, 1),
        (6, 2),
        (20, 2),
        (21, 3),
        (25, 3),
        (29, 3),
        (30, 3),
        (31, 4),
        (45, 5),
        (99, 10),
        (100, 10),
        (101, 11),
    ],
)
def test_national_trainee_limit_bands(employees: int, trainees: int) -> None:
    """Accordo Stato-Regioni 2017 §6: above 20 employees, 10 % rounded UP (the audit's table: 21 → 3, 101 → 11)."""
    assert mw.Policy.default().trainee_rule_set().limit(employees) == trainees


def test_regional_rule_set_is_configurable() -> None:
    rs = TraineeRuleSet(bands=[(3, 1), (10, 3)], above_percent=15)
    assert [rs.limit(n) for n in (2, 4, 10, 40)] == [1, 3, 3, 6]
    with pytest.raises(ValueError, match="increasing"):
        TraineeRuleSet(bands=[(10, 1), (5, 2)])


def test_toml_overrides_only_what_it_states(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text(
        '[weights.site]\ncommute = 50\n[caps]\nsquad_size = 3\n[trainee_limits]\nrule_set = "lombardia"\n',
        encoding="utf-8",
    )
    p = mw.Policy.from_toml(f)
    assert p.weights["site"]["commute"] == 50
    assert p.weights["site"]["skill_fit"] == 25  # kept from the default
    assert p.caps.squad_size == 3
    assert p.caps.lead_newcomers == 1
    assert p.trainee_rule_set().exempt_categories


def test_bad_policy_files_list_every_problem(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text(
        "[weights.site]\ncommute = -1\n[caps]\nsquad = 3\nlead_newcomers = 'one'\n"
        "[trainee_limits]\nrule_set = 'marte'\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyValidationError) as info:
        mw.Policy.from_toml(f)
    keys = {p.column for p in info.value.problems}
    assert {"weights.site.commute", "caps.squad", "caps.lead_newcomers", "trainee_limits"} <= keys
    squad = next(p for p in info.value.problems if p.column == "caps.squad")
    assert "did you mean 'squad_size'" in squad.expected


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text("[weights\n", encoding="utf-8")
    with pytest.raises(PolicyValidationError, match="TOML"):
        mw.Policy.from_toml(f)
    with pytest.raises(PolicyValidationError, match="readable"):
        mw.Policy.from_toml(tmp_path / "nope.toml")


def test_a_stage_needs_a_positive_weight() -> None:
    with pytest.raises(PolicyValidationError, match="positive weight"):
        mw.Policy.default().with_weights(peer=dict.fromkeys(mw.Policy.default().weights["peer"], 0.0))
    with pytest.raises(ValueError, match="unknown stage"):
        mw.Policy.default().with_weights(sites={"commute": 1})


def test_defaults_live_in_one_place_and_the_toml_round_trips() -> None:
    assert mw.Policy() == mw.Policy.default()
    variants = [
        mw.Policy(),
        mw.Policy().with_weights(site={"commute": 40.5}, peer={"gender": 0}),
        mw.Policy().with_solver(objective="fair", backend="highs", time_limit=12.5),
        mw.Policy.from_toml_text('[trainee_limits]\nrule_set = "lombardia"\n[rules]\ndisabled = ["min_skill"]\n'),
    ]
    for policy in variants:
        text = policy.to_toml()
        assert mw.Policy.from_toml_text(text, source="x") == policy
        assert policy.to_toml() == text  # the same bytes every time (sets are written sorted)
