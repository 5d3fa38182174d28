"""Batch runs: a round in, a folder of results out — written whole or not at all.

:func:`run` is what ``matchwork run`` does: read and validate the round, score it,
solve the three stages, explain every candidate and write

``assignments.csv`` / ``.xlsx``
    one row per candidate (the :attr:`MatchResult.assignments` contract);
``unmatched.csv``
    why each unmatched candidate is unmatched;
``loads.csv``
    load against capacity of every partner;
``explanations.json``
    the case-team explanation of every candidate;
``site_view.xlsx``
    what the host companies may see: their newcomers, lead guides and squads,
    with the site-audience explanation (nothing the schema marks sensitive);
``report.html``
    the round report (:mod:`matchwork.report.report`), one self-contained file;
``run.json``
    the library version, the time, the input's and the policy's fingerprints
    (SHA-256), the policy itself, the stage timings and the totals;
``round.json``, ``policy.toml``-equivalent ``policy.json``
    the inputs as read, so that ``matchwork explain`` can answer later questions.

The output folder is matchwork's own (:mod:`matchwork.io.outputs`): a manifest lists
the files it wrote, and only those are ever replaced; a folder holding other files is
refused unless ``force``; an input is never replaced or written into. Every file is
written into a temporary folder first and moved into place only when all are
written, so a failed run leaves the previous outputs byte for byte. The same input
and policy give the same bytes in every file but ``run.json``, which keeps the time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from matchwork._version import VERSION
from matchwork.engine.engine import Engine
from matchwork.errors import InputValidationError
from matchwork.explain import Explanation, explain, to_json
from matchwork.explain.lookup import names
from matchwork.io.outputs import claim, writing
from matchwork.io.tables import safe_cells
from matchwork.model.policy import Policy
from matchwork.model.round import Round
from matchwork.result import MatchResult
from matchwork.scoring.scorer import Scorer

__all__ = ["STAGES", "BatchRun", "check", "fingerprint", "run", "write_outputs"]

STAGES: tuple[str, ...] = ("load", "score", "site_and_lead", "squad", "peer", "explain", "write")
"""The timed stages of a run, in order."""

FULL_UP_TO = 5_000
"""Rounds up to this many candidates list, in each explanation, the options rules forbid too;
larger ones read only the pairs the sparse score tables kept (see ``explain(full=...)``)."""

Progress = Callable[[str, bool], None]


@dataclasses.dataclass
class BatchRun:
    """What a run produced: the result, the explanations, the timings (seconds per stage) and the record."""

    result: MatchResult
    explanations: list[Explanation]
    timings: dict[str, float]
    record: dict[str, Any]
    out_dir: Path | None


def fingerprint(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, or of a folder's files (names and bytes, in name order)."""
    p = Path(path)
    h = hashlib.sha256()
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in files:
        if p.is_dir():
            h.update(str(f.relative_to(p)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _policy(policy: Policy | str | os.PathLike[str] | None, objective: str | None) -> Policy:
    if policy is None:
        out = Policy.default()
    elif isinstance(policy, Policy):
        out = policy
    else:
        out = Policy.from_toml(policy)
    return out.with_solver(objective=objective)


def _scorer(rnd: Round, policy: Policy) -> Scorer:
    """The scorer of a run: its set-up checks the round against the policy (problems located as the input has them)."""
    try:
        return Scorer(rnd, policy)
    except InputValidationError as exc:
        raise type(exc)(rnd.locate(exc.problems)) from None


def check(
    source: Round | str | os.PathLike[str],
    policy: Policy | str | os.PathLike[str] | None = None,
    *,
    objective: str | None = None,
) -> Round:
    """Every check a run makes before it solves, and nothing else: what ``matchwork validate`` does.

    Reads the round and the policy and checks them against each other (a candidate's
    ``most_important`` must be a criterion the policy weighs, say).

    Raises
    ------
    RoundValidationError, PolicyValidationError

    Examples
    --------
    >>> import matchwork as mw
    >>> check(mw.synth.round(30, seed=1)).summary()["candidates"]
    30
    """
    pol = _policy(policy, objective)
    rnd = source if isinstance(source, Round) else Round.read(source)
    _scorer(rnd, pol)
    return rnd


def run(
    source: Round | str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    *,
    policy: Policy | str | os.PathLike[str] | None = None,
    lang: str = "it",
    objective: str | None = None,
    prices: bool = False,
    progress: Progress | None = None,
    force: bool = False,
) -> BatchRun:
    """Match a round and write every output into ``out_dir`` (if given), timing each stage.

    Parameters
    ----------
    source : Round or path
        A round, or a workbook (``.xlsx``), JSON file or CSV folder to read.
    out_dir : path, optional
        The output folder, matchwork's own (see the module docstring); None writes nothing.
    policy : Policy or path to a TOML file, optional
    lang : {"it", "en"}
        Language of the explanations and the report.
    objective : {"total", "fair"}, optional
        Overrides the policy's objective.
    prices : bool
        Price capacities in the explanations (one full re-solve per partner at
        capacity: seconds on a province round, far more on large ones).
    progress : callable, optional
        Called as ``progress(stage, finished)`` at the start and end of each stage.
    force : bool
        Write into an output folder that holds files matchwork did not write (it
        touches only its own file names, never an input).

    Raises
    ------
    RoundValidationError, PolicyValidationError
        Before anything is written.
    OutputFolderError
        Before anything is computed: the folder is not matchwork's, or writing
        there would change an input.

    Examples
    --------
    >>> import tempfile, matchwork as mw
    >>> from matchwork.batch import run
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     done = run(mw.synth.round(40, seed=1), f"{tmp}/out", lang="en")
    ...     sorted(p.name for p in done.out_dir.iterdir())[:4]
    ['assignments.csv', 'assignments.xlsx', 'explanations.json', 'loads.csv']
    """
    timings: dict[str, float] = {}
    notify = progress or (lambda stage, finished: None)

    def timed(stage: str, fn: Callable[[], Any]) -> Any:
        notify(stage, False)
        start = time.perf_counter()
        value = fn()
        timings[stage] = time.perf_counter() - start
        notify(stage, True)
        return value

    inputs = [p for p in (source, policy) if isinstance(p, (str, os.PathLike))]
    if out_dir is not None:
        claim(out_dir, inputs=inputs, force=force)  # refuse before any work, not after it
    pol = _policy(policy, objective)
    rnd = timed("load", lambda: source if isinstance(source, Round) else Round.read(source))
    scores = timed("score", lambda: _scorer(rnd, pol).scores())
    result = Engine(scores).run(timed)
    with_prices = prices
    full = len(rnd.candidates) <= FULL_UP_TO
    explanations = timed(
        "explain",
        lambda: [
            explain(result, c, "case_team", lang, prices=with_prices, full=full)
            for c in result.assignments.candidate_id
        ],
    )
    record = {
        "matchwork": VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "round": rnd.name,
        "round_date": rnd.date.isoformat(),
        "input": None if isinstance(source, Round) else str(source),
        "input_sha256": _round_sha(rnd) if isinstance(source, Round) else fingerprint(source),
        "round_sha256": _round_sha(rnd),
        "policy_sha256": hashlib.sha256(pol.model_dump_json().encode()).hexdigest(),
        "policy": pol.model_dump(mode="json"),
        "lang": lang,
        "prices": with_prices,
        "objective": result.objective,
    }
    record["timings"] = timings  # the write's own time is known only after run.json is written
    done = BatchRun(result, explanations, timings, record, None)
    if out_dir is not None:
        done.out_dir = timed("write", lambda: write_outputs(done, out_dir, lang=lang, force=force, inputs=inputs))
    return done


def _round_sha(rnd: Round) -> str:
    return hashlib.sha256(rnd.to_json().encode()).hexdigest()


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Tuples joined with ``;`` (as input lists are), and formula-like text neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, tuple)).any():
            out[col] = out[col].map(lambda v: ";".join(v) if isinstance(v, tuple) else v)
    return safe_cells(out)


def site_view(done: BatchRun, lang: str = "it") -> pd.DataFrame:
    """What host companies may see: one row per newcomer, with the site-audience explanation."""
    result = done.result
    rnd = result.round
    known = names(result)
    titles = {pos.id: pos.title for _, pos in rnd.positions}
    asg = result.assignments
    records: list[dict[str, Any]] = asg[asg.status == "matched"].to_dict("records")  # type: ignore[assignment]
    rows = []
    for rec in records:
        rows.append(
            {
                "site_id": rec["site_id"],
                "site": known[rec["site_id"]],
                "position_id": rec["position_id"],
                "position": titles[rec["position_id"]],
                "candidate_id": rec["candidate_id"],
                "candidate": known[rec["candidate_id"]],
                "lead_guide": known[rec["lead_guide_id"]],
                "squad": ";".join(known[g] for g in rec["squad_ids"]),
                "site_score": round(float(rec["site_score"]), 1),
                "why": explain(result, rec["candidate_id"], "site", lang, prices=False, full=False).text,
            }
        )
    columns = ["site_id", "site", "position_id", "position", "candidate_id", "candidate", "lead_guide", "squad"]
    frame = pd.DataFrame(rows, columns=[*columns, "site_score", "why"])
    return frame.sort_values(["site_id", "position_id", "candidate_id"]).reset_index(drop=True)


def write_outputs(
    done: BatchRun,
    out_dir: str | os.PathLike[str],
    *,
    lang: str = "it",
    force: bool = False,
    inputs: Iterable[str | os.PathLike[str]] = (),
    extra: Callable[[Path], Any] | None = None,
) -> Path:
    """Write every output of a run into ``out_dir``, atomically (see the module docstring).

    ``force`` and ``inputs`` are those of :func:`matchwork.io.outputs.writing`; ``extra``,
    if given, writes more files into the same folder (called with it) before the commit.
    """
    from matchwork.report.report import render_report

    result = done.result
    target = Path(out_dir)
    assignments = _flat(result.assignments)
    unmatched = _flat(result.unmatched_reasons)
    stable = {k: v for k, v in done.record.items() if k not in ("created", "timings")}  # the time stays in run.json
    report = render_report(result, done.explanations, lang=lang, run=stable)
    view = _flat(site_view(done, lang))
    with writing(target, inputs=inputs, force=force, volatile=("run.json",)) as tmp:
        assignments.to_csv(tmp / "assignments.csv", index=False, lineterminator="\n")
        with pd.ExcelWriter(tmp / "assignments.xlsx", engine="openpyxl") as xl:
            assignments.to_excel(xl, sheet_name="assignments", index=False)
            unmatched.to_excel(xl, sheet_name="unmatched", index=False)
        unmatched.to_csv(tmp / "unmatched.csv", index=False, lineterminator="\n")
        _flat(result.loads).to_csv(tmp / "loads.csv", index=False, lineterminator="\n")
        (tmp / "explanations.json").write_text(to_json(done.explanations), encoding="utf-8")
        with pd.ExcelWriter(tmp / "site_view.xlsx", engine="openpyxl") as xl:
            view.to_excel(xl, sheet_name="newcomers", index=False)
        (tmp / "report.html").write_text(report, encoding="utf-8")
        (tmp / "round.json").write_text(result.round.to_json(), encoding="utf-8")
        (tmp / "policy.json").write_text(result.policy.model_dump_json(indent=1), encoding="utf-8")
        (tmp / "run.json").write_text(json.dumps(done.record, indent=1, ensure_ascii=False), encoding="utf-8")
        if extra is not None:
            extra(tmp)
    return target


def load_run(out_dir: str | os.PathLike[str]) -> tuple[Round, Policy, dict[str, Any]]:
    """The round, policy and record a run wrote, to answer questions about it later."""
    folder = Path(out_dir)
    missing = [f for f in ("round.json", "policy.json", "run.json") if not (folder / f).is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} is not a matchwork run folder (missing {', '.join(missing)})")
    rnd = Round.from_json(folder / "round.json")
    policy = Policy.model_validate_json((folder / "policy.json").read_text(encoding="utf-8"))
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    return rnd, policy, record
