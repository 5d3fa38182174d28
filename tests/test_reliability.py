"""Reliability and privacy, adversarially: the bad-input catalogue end to end, properties, fuzz, leaks.

The catalogue's kinds are those of ``test_bad_input.CASES`` (table-level problems,
each run here through ``matchwork run``: exit 2, nothing written) and the file-,
policy- and engine-level kinds below. ``docs/reliability.md`` lists them.
"""

from __future__ import annotations

import ast
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import matchwork as mw
from matchwork import cli
from matchwork.cli import EXIT_INVALID, app
from matchwork.errors import PolicyValidationError, RoundValidationError
from matchwork.io import tables

from strategies import rounds
from test_bad_input import CASES

runner = CliRunner()
SRC = Path(__file__).resolve().parent.parent / "src" / "matchwork"


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps tables to the terminal; tests read whole words."""
    monkeypatch.setattr(cli.console, "width", 300)
    monkeypatch.setattr(cli.out, "width", 300)


def _frames() -> dict[str, pd.DataFrame]:
    # cells as a spreadsheet holds them (any text), not the typed columns to_frames() gives
    return {t: f.astype(object) for t, f in mw.synth.round(40, seed=5).to_frames().items()}


def _run(source: Path, out: Path, *extra: str) -> Any:
    return runner.invoke(app, ["run", str(source), "--out", str(out), "-q", *extra])


# ---------------------------------------------------------------- the catalogue, end to end


@pytest.mark.parametrize("kind", list(CASES))
def test_table_problems_stop_the_run_before_anything_is_written(kind: str, tmp_path: Path) -> None:
    frames = _frames()
    CASES[kind][0](frames)
    source = tables.write_csv_dir(frames, tmp_path / "round")
    result = _run(source, tmp_path / "out")
    assert result.exit_code == EXIT_INVALID, result.output
    assert "nei dati" in result.output  # "1 problema nei dati", "3 problemi nei dati": the CLI speaks Italian
    assert sorted(p.name for p in tmp_path.iterdir()) == ["round"]


def _pins_over_capacity(tmp: Path) -> Path:
    rnd = mw.synth.round(40, seed=5)
    site = next(s for s in rnd.sites if sum(p.openings for p in s.positions) == 1)
    frames = rnd.to_frames()
    frames["pins"] = pd.DataFrame(
        {"candidate_id": [c.id for c in rnd.candidates[:2]], "partner_id": [site.id] * 2, "role": [None, None]}
    )
    return tables.write_csv_dir(frames, tmp / "round")


def _policy(text: str) -> Any:
    def make(tmp: Path) -> Path:
        (tmp / "policy.toml").write_text(text, encoding="utf-8")
        return Path(mw.synth.round(40, seed=5).to_csv_dir(tmp / "round"))

    return make


def _file(name: str, content: bytes) -> Any:
    def make(tmp: Path) -> Path:
        (tmp / name).write_bytes(content)
        return tmp / name

    return make


OTHER_KINDS: dict[str, tuple[Any, int, str, tuple[str, ...]]] = {
    # kind: (make the input, exit code, text the output must hold, extra options)
    "pins that exceed a capacity": (_pins_over_capacity, EXIT_INVALID, "pins on site", ()),
    "policy with an unknown key": (_policy("[caps]\nsquad_sise = 2\n"), EXIT_INVALID, "squad_sise", ("--policy",)),
    "policy with a negative weight": (
        _policy("[weights.site]\ncommute = -5\n"),
        EXIT_INVALID,
        "commute",
        ("--policy",),
    ),
    "policy that is not TOML": (_policy("caps = [[\n"), EXIT_INVALID, "TOML", ("--policy",)),
    "round file of an unknown type": (_file("round.txt", b"id,name\n"), EXIT_INVALID, "Excel workbook", ()),
    "workbook that is not a workbook": (_file("round.xlsx", b"PK\x03\x04 broken"), EXIT_INVALID, "xlsx", ()),
    "JSON that does not parse": (_file("round.json", b'{"candidates": [}'), EXIT_INVALID, "valid JSON", ()),
}


@pytest.mark.parametrize("kind", list(OTHER_KINDS))
def test_other_kinds_are_clear_errors_with_nothing_written(kind: str, tmp_path: Path) -> None:
    make, code, text, extra = OTHER_KINDS[kind]
    inputs = tmp_path / "in"
    inputs.mkdir()
    source = make(inputs)
    options = ["--policy", str(inputs / "policy.toml")] if extra else []
    result = _run(source, tmp_path / "out", *options)
    assert result.exit_code == code, result.output
    assert text in result.output.replace("\n", " ")
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_round_where_nobody_can_be_placed_returns_everyone_with_reasons() -> None:
    rnd = mw.synth.round(40, seed=5)
    closed = [
        s.model_copy(update={"positions": tuple(p.model_copy(update={"openings": 0}) for p in s.positions)})
        for s in rnd.sites
    ]
    result = mw.match(rnd.replace(sites=closed, pairings=[]))
    assert (result.assignments.status == "unmatched").all()
    reasons = result.unmatched_reasons
    assert sorted(reasons.candidate_id) == sorted(c.id for c in rnd.candidates)
    assert all("no_opening" in r for r in reasons.rules)


def test_zero_guide_workers_is_a_located_error(tmp_path: Path) -> None:
    """Nobody to accompany a trainee: no guide worker and no company tutor."""
    frames = _frames()
    frames["guides"] = frames["guides"].iloc[0:0]
    frames["tutors"] = frames["tutors"].iloc[0:0]
    source = tables.write_csv_dir(frames, tmp_path / "round")
    result = _run(source, tmp_path / "out")
    assert result.exit_code == EXIT_INVALID
    assert "at least one guide worker" in result.output
    assert not (tmp_path / "out").exists()


def test_the_catalogue_has_at_least_thirty_kinds() -> None:
    file_level = 6  # non-UTF-8 CSV, ';' CSV, renamed CSV, missing and renamed sheets, not a workbook (test_bad_input)
    assert len(CASES) + len(OTHER_KINDS) + 2 + file_level >= 30


# ---------------------------------------------------------------- properties


def _as_pairings(result: mw.MatchResult) -> list[dict[str, str]]:
    out = []
    for r in result.assignments[result.assignments.status == "matched"].itertuples():
        out.append({"candidate_id": r.candidate_id, "partner_id": r.position_id, "role": "site"})
        out.append({"candidate_id": r.candidate_id, "partner_id": r.lead_guide_id, "role": "lead_guide"})
        out += [{"candidate_id": r.candidate_id, "partner_id": g, "role": "guide"} for g in r.squad_ids]
        if r.peer_id is not None:
            out.append({"candidate_id": r.candidate_id, "partner_id": r.peer_id, "role": "peer"})
    return out


@settings(max_examples=30, deadline=None)
@given(rnd=rounds(), seed=st.integers(0, 2**16))
def test_every_candidate_once_caps_and_rules_kept_any_row_order(rnd: mw.Round, seed: int) -> None:
    result = mw.match(rnd)
    asg = result.assignments
    assert sorted(asg.candidate_id) == sorted(c.id for c in rnd.candidates)
    assert asg.candidate_id.is_unique
    loads = result.loads
    new = pd.concat(
        [
            asg.site_id.dropna().value_counts().rename("site"),
            asg.lead_guide_id.dropna().value_counts().rename("lead_guide"),
            pd.concat([asg.lead_guide_id.dropna(), asg.squad_ids.explode().dropna()]).value_counts().rename("guide"),
            asg.peer_id.dropna().value_counts().rename("peer"),
        ],
        axis=1,
    )
    for row in loads.itertuples():
        gained = new.at[row.partner_id, row.role] if row.partner_id in new.index else 0
        if gained == gained and gained > 0:  # a partner given anyone this round stays within its cap
            assert row.load <= row.capacity + 1e-9, row
    for stage, role, col, table in (
        ("site", "site", "position_id", result.scores.site),
        ("guide", "lead_guide", "lead_guide_id", result.scores.guide),
        ("peer", "peer", "peer_id", result.scores.peer),
    ):
        chosen = asg[asg[col].notna()]
        if len(chosen):
            a = result.scores.arrays
            index = {"site": a.positions, "guide": a.guides, "peer": a.peers}[stage].index
            pair = table.find(
                np.array([a.candidates.index[c] for c in chosen.candidate_id]),
                np.array([index[p] for p in chosen[col]]),
            )
            assert (pair >= 0).all()
            assert table.feasible(role)[pair].all(), stage
    rng = np.random.default_rng(seed)
    shuffled = rnd.replace(
        candidates=[rnd.candidates[i] for i in rng.permutation(len(rnd.candidates))],
        guides=[rnd.guides[i] for i in rng.permutation(len(rnd.guides))],
        sites=[rnd.sites[i] for i in rng.permutation(len(rnd.sites))],
        peers=[rnd.peers[i] for i in rng.permutation(len(rnd.peers))],
    )
    pd.testing.assert_frame_equal(mw.match(shuffled).assignments, asg)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_rerunning_a_round_with_its_own_result_in_place_changes_nothing(seed: int) -> None:
    rnd = mw.synth.round(30, seed=seed).replace(pairings=[])
    first = mw.match(rnd)
    loads = first.loads.set_index(["partner_id", "role"])
    asg = first.assignments[first.assignments.status == "matched"]
    placed, taken = asg.site_id.value_counts(), asg.position_id.value_counts()
    exempt = first.scores.capacities.exempt[[first.scores.arrays.candidates.index[c] for c in asg.candidate_id]]
    placed_exempt = asg[exempt].site_id.value_counts()  # the trainees present now include them, exempt
    sites = [
        s.model_copy(
            update={
                "trainees_present": s.trainees_present + int(placed.get(s.id, 0)),
                "exempt_trainees_present": s.exempt_trainees_present + int(placed_exempt.get(s.id, 0)),
                "positions": tuple(
                    p.model_copy(update={"openings": p.openings - int(taken.get(p.id, 0))}) for p in s.positions
                ),
            }
        )
        for s in rnd.sites
    ]
    guides = [g.model_copy(update={"current_mentees": int(loads.loc[(g.id, "guide"), "load"])}) for g in rnd.guides]
    paired = asg.peer_id.value_counts()
    peers = [
        p.model_copy(
            update={
                "hours_in_use": float(loads.loc[(p.id, "peer"), "load"]),
                "current_people": None if p.current_people is None else p.current_people + int(paired.get(p.id, 0)),
            }
        )
        for p in rnd.peers
    ]
    again = mw.match(rnd.replace(pairings=_as_pairings(first), guides=guides, sites=sites, peers=peers))
    cols = ["candidate_id", "status", "site_id", "position_id", "lead_guide_id", "squad_ids", "peer_id"]
    pd.testing.assert_frame_equal(first.assignments[cols], again.assignments[cols])


# ---------------------------------------------------------------- fuzz

_cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(["", "nan", "inf", "-1", "1e400", "=SUM(A1)", "it;;en", "cleaning:9", "2026-02-30", "\x00", "NaT"]),
)


@st.composite
def _fuzzed_frames(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    frames = {k: v.copy() for k, v in _BASE.items()}
    for _ in range(draw(st.integers(1, 6))):
        table = draw(st.sampled_from(sorted(frames)))
        frame = frames[table]
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop_column", "add_column", "drop_rows", "dup_row"]))
        if action == "cell" and len(frame) and len(frame.columns):
            row = draw(st.integers(0, len(frame) - 1))
            col = draw(st.sampled_from(list(frame.columns)))
            frame = frame.astype(object)
            frame.iloc[row, frame.columns.get_loc(col)] = draw(_cells)
        elif action == "drop_column" and len(frame.columns):
            frame = frame.drop(columns=[draw(st.sampled_from(list(frame.columns)))])
        elif action == "add_column":
            frame = frame.assign(**{draw(st.text(min_size=1, max_size=8)): draw(_cells)})
        elif action == "drop_rows":
            frame = frame.iloc[: draw(st.integers(0, len(frame)))]
        elif action == "dup_row" and len(frame):
            frame = pd.concat([frame, frame.iloc[[draw(st.integers(0, len(frame) - 1))]]], ignore_index=True)
        frames[table] = frame
    return frames


_BASE = mw.synth.round(12, seed=3, n_sites=4, n_guides=6, n_peers=2).to_frames()


@given(frames=_fuzzed_frames())
def test_fuzzed_tables_raise_only_the_librarys_validation_error(frames: dict[str, pd.DataFrame]) -> None:
    try:
        rnd = mw.Round.from_frames(frames)
    except RoundValidationError as exc:
        problems = exc.problems
    else:
        problems = []
        result = mw.match(rnd)  # what validates must also match
        assert len(result.assignments) == len(rnd.candidates)
    assert all(p.expected for p in problems)


@given(frames=_fuzzed_frames())
def test_fuzzed_csv_folders_through_the_command(frames: dict[str, pd.DataFrame], tmp_path_factory: Any) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    source = tables.write_csv_dir(frames, tmp / "round")
    result = runner.invoke(app, ["validate", str(source), "-q"])
    assert result.exit_code in (0, EXIT_INVALID), result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)


# ---------------------------------------------------------------- privacy and safety

SENTINEL = "ZZLEAKCHECK"


def _planted() -> mw.Round:
    rnd = mw.synth.round(60, seed=8)
    candidates = [
        c.model_copy(update={"care_team": c.care_team | {f"{SENTINEL}{i}"}}) for i, c in enumerate(rnd.candidates)
    ]
    return rnd.replace(candidates=candidates)


def test_no_sensitive_value_in_logs_or_site_outputs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rnd = _planted()
    done = mw.batch.run(rnd, tmp_path / "out", lang="en")
    assert SENTINEL not in caplog.text
    view = pd.read_excel(tmp_path / "out" / "site_view.xlsx", sheet_name=None)
    assert SENTINEL not in pd.concat(view.values()).to_csv()
    for cid in done.result.assignments.candidate_id:
        for audience in ("site", "candidate"):
            assert SENTINEL not in done.result.explain(cid, audience=audience).text


def test_sensitive_values_never_reach_exception_messages() -> None:
    rnd = _planted()
    bad = rnd.candidates[0].model_dump()
    bad["care_team"] = [f"{SENTINEL} with spaces;and;semicolons"]
    bad["category"] = f"{SENTINEL}-category"
    frames = rnd.to_frames()
    frames["candidates"] = frames["candidates"].astype(object)
    frames["candidates"].loc[0, "category"] = f"{SENTINEL}-category"
    frames["candidates"].loc[1, "referring_service"] = f"{SENTINEL}-service"
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_frames(frames)
    assert SENTINEL not in str(info.value) and SENTINEL not in repr(info.value.problems)


def test_formula_cells_are_neutralised_in_csv_and_excel_outputs(tmp_path: Path) -> None:
    rnd = mw.synth.round(40, seed=5)
    evil = '=HYPERLINK("http://x","y")'
    candidates = [c.model_copy(update={"name": evil}) for c in rnd.candidates]
    sites = [s.model_copy(update={"name": "+cmd|' /C calc'!A0"}) for s in rnd.sites]
    done = mw.batch.run(rnd.replace(candidates=candidates, sites=sites), tmp_path / "out")
    assert done.result.metrics["matched"] > 0
    sheet = openpyxl.load_workbook(tmp_path / "out" / "site_view.xlsx").active
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert values and not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert any(v.startswith("'=") for v in values) and any(v.startswith("'+") for v in values)
    for csv in (tmp_path / "out").glob("*.csv"):
        for line in csv.read_text(encoding="utf-8").splitlines()[1:]:
            for cell in line.split(","):
                assert not cell.startswith(("=", "+", "@")), (csv.name, cell)


def test_no_pickle_eval_or_exec_anywhere_in_the_library() -> None:
    banned = {"pickle", "marshal", "shelve", "dill"}
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name.split(".")[0] for a in node.names] + [getattr(node, "module", "") or ""]
                assert not banned & {n.split(".")[0] for n in names}, path
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec", "compile"), path


def test_pseudonymize_is_stable_keyed_and_keeps_the_match() -> None:
    rnd = mw.synth.round(80, seed=4)
    a, b = mw.pseudonymize(rnd, key="office-key-1"), mw.pseudonymize(rnd, key="office-key-1")
    other = mw.pseudonymize(rnd, key="office-key-2")
    assert a == b and a != other
    original_ids = {c.id for c in rnd.candidates} | {g.id for g in rnd.guides} | {s.id for s in rnd.sites}
    names = {c.name for c in rnd.candidates} | {g.name for g in rnd.guides} | {p.name for p in rnd.peers}
    text = a.to_json()
    assert not any(f'"{i}"' in text for i in original_ids)
    assert not any(f'"{n}"' in text for n in names)
    x, y = mw.match(rnd).assignments, mw.match(a).assignments
    assert x.status.value_counts().to_dict() == y.status.value_counts().to_dict()
    assert math.isclose(x.score.sum(skipna=True), y.score.sum(skipna=True), rel_tol=1e-12)
    with pytest.raises(ValueError, match="at least 8"):
        mw.pseudonymize(rnd, key="short")


def test_policy_errors_are_located() -> None:
    with pytest.raises(PolicyValidationError) as info:
        mw.Policy.from_toml_text("[caps]\nsquad_size = -1\n[weights.peer]\nlanguage = -3\n")
    where = {p.column for p in info.value.problems}
    assert len(info.value.problems) >= 2 and any("squad_size" in str(w) for w in where)
