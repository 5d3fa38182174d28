"""Batch runs: a round in, a folder of results out — written whole or not at all.

:func:`run` is what ``matchwork run`` does: read and validate the round, score it,
solve the three stages, explain every candidate and write

``assignments.csv``, ``unmatched.csv``, ``loads.csv``
    for programs: one row per candidate (the :attr:`MatchResult.assignments`
    contract), why each unmatched candidate is unmatched, load against capacity of
    every partner; codes and full precision, English column names, ``;``-joined lists;
``assignments.parquet``, ``unmatched.parquet``, ``loads.parquet``
    the same tables typed (lists as lists, counts as JSON text), only when asked
    (``parquet=True``, ``matchwork run --parquet``; needs the ``parquet`` extra, pyarrow);
``assignments.xlsx``
    for people, in the run's language: the review and what holds placements back, every
    candidate with names beside codes (lead guide and squad, or company tutor and desk
    operator), scores to one decimal, the unmatched with their reason in words, and
    the loads; frozen headers,
    filters and column widths; a sheet that would pass Excel's 1 048 576 rows is
    split into numbered sheets, whole areas (sites in the site view) in each;
``explanations.json``
    the case-team explanation of every candidate (compact JSON, written by orjson);
``site_view.xlsx``
    what the host companies may see: their newcomers, lead guides and squads (at a
    cooperative's team), company tutors and desk operators (at a host company), the
    adjustments each site must prepare, with the site-audience explanation (nothing
    the schema marks sensitive: no health or referral data);
``report.html``
    the round report (:mod:`matchwork.report.report`), one self-contained file;
``run.json``
    the library version, the time, the input's and the policy's fingerprints
    (SHA-256), the policy itself, the stage timings and the totals, and the round's
    review (``status`` draft or approved, ``reviewer``, ``approved_at``), which is
    also the first line of the report and of the "in breve" sheet;
``round.json``, ``policy.toml``-equivalent ``policy.json``
    the inputs as read, so that ``matchwork explain`` can answer later questions.

The output folder is matchwork's own (:mod:`matchwork.io.outputs`): a manifest lists
the files it wrote, and only those are ever replaced; a folder holding other files is
refused unless ``force``; an input is never replaced or written into. Every file is
written into a temporary folder first and moved into place only when all are
written, so a failed run leaves the previous outputs byte for byte. The same input
and policy give the same bytes in every file but ``run.json``, which keeps the time.
:meth:`MatchResult.write` writes the same folder for a result matched in Python
(:func:`write_result`).
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

import numpy as np
import pandas as pd

from matchwork._validation import Lang, choice
from matchwork._version import VERSION
from matchwork.engine.continuity import ContinuityPlan, plan
from matchwork.engine.engine import Engine
from matchwork.engine.refill import refill
from matchwork.errors import InputValidationError
from matchwork.explain import Explanation, explain
from matchwork.i18n import text
from matchwork.io.outputs import FIXED_TIME, claim, writing
from matchwork.io.tables import json_bytes, safe_cells
from matchwork.model.law import cooperative_shares, durations
from matchwork.model.policy import Policy
from matchwork.model.round import Round
from matchwork.model.vocab import label
from matchwork.report.headline import blockers, headline, names, reason_text, review_line
from matchwork.report.report import report_rows
from matchwork.result import MatchResult, register_writer
from matchwork.scoring.scorer import Scorer

__all__ = [
    "STAGES",
    "BatchRun",
    "check",
    "fingerprint",
    "load_run",
    "run",
    "site_view",
    "write_outputs",
    "write_result",
]

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
    prices: pd.DataFrame | None = None
    """:meth:`MatchResult.capacity_prices`, when the run priced capacities (computed as the outputs are written)."""


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


def _scorer(rnd: Round, policy: Policy, given: Round | None = None) -> Scorer:
    """The scorer of a run: its set-up checks the round against the policy (problems located as the input has them).

    ``given``: the round as read, when ``rnd`` is the one the stages solve (built from it, without the lines).
    """
    try:
        return Scorer(rnd, policy)
    except InputValidationError as exc:
        raise type(exc)((given or rnd).locate(exc.problems)) from None


def _plan(rnd: Round, policy: Policy) -> ContinuityPlan:
    """What the round keeps (:func:`~matchwork.engine.continuity.plan`, with the partners kept people lack:
    :func:`~matchwork.engine.refill.refill`), its problems located as the input has them."""
    try:
        return refill(plan(rnd, policy), policy)
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
    parquet: bool = False,
    approve_by: str | None = None,
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
    parquet : bool
        Also write the machine tables as Parquet (needs the ``parquet`` extra, pyarrow).
    approve_by : str, optional
        The responsabile degli inserimenti who approves this run's matches, now
        (:meth:`Round.approve`): the outputs say approved, by whom and when. Without it
        the round's review is as read (a draft unless the input says approved).
        The same input and policy give the same matches, so a reviewer approves
        by running again, with their name, the draft run they checked.

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
    if approve_by is not None and not approve_by.strip():
        raise ValueError("approve_by: the name of who approves the matches, not an empty text")
    rnd = timed("load", lambda: source if isinstance(source, Round) else Round.read(source))
    if approve_by is not None:
        rnd = rnd.approve(by=approve_by.strip())
    kept = timed("continuity", lambda: _plan(rnd, pol))
    scores = timed("score", lambda: _scorer(kept.round, pol, rnd).scores())
    engine = Engine(scores)
    engine.continuity = kept
    result = engine.run(timed)
    explanations = timed("explain", lambda: _explain_all(result, lang, prices))
    record = _record(result, source, pol, lang, prices)
    record["timings"] = timings  # the write's own time is known only after run.json is written
    done = BatchRun(result, explanations, timings, record, None)
    if out_dir is not None:
        done.out_dir = timed(
            "write", lambda: write_outputs(done, out_dir, lang=lang, force=force, inputs=inputs, parquet=parquet)
        )
    return done


def _explain_all(result: MatchResult, lang: str, prices: bool) -> list[Explanation]:
    full = len(result.round.candidates) <= FULL_UP_TO
    return [explain(result, c, "case_team", lang, prices=prices, full=full) for c in result.assignments.candidate_id]


def _record(
    result: MatchResult, source: Round | str | os.PathLike[str] | None, pol: Policy, lang: str, prices: bool
) -> dict[str, Any]:
    rnd = result.round
    path = None if source is None or isinstance(source, Round) else source
    return {
        "matchwork": VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "round": rnd.name,
        "round_date": rnd.date.isoformat(),
        "input": None if path is None else str(path),
        "input_sha256": _round_sha(rnd) if path is None else fingerprint(path),
        "round_sha256": _round_sha(rnd),
        "policy_sha256": hashlib.sha256(pol.model_dump_json().encode()).hexdigest(),
        "policy": pol.model_dump(mode="json"),
        "lang": lang,
        "prices": prices,
        "objective": result.objective,
        "review": {
            "status": rnd.review.status.value,
            "reviewer": rnd.review.reviewer,
            "approved_at": rnd.review.approved_at.isoformat() if rnd.review.approved_at else None,
        },
    }


def write_result(
    result: MatchResult, out_dir: str | os.PathLike[str], *, lang: str = "it", prices: bool = False
) -> Path:
    """Write a result matched in Python as ``matchwork run`` would: every file of the module docstring.

    This is :meth:`MatchResult.write`; the explanations are computed here, in ``lang``.

    Examples
    --------
    >>> import tempfile, matchwork as mw
    >>> result = mw.match(mw.synth.round(40, seed=1))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = result.write(f"{tmp}/out", lang="en")
    ...     sorted(p.name for p in folder.iterdir())[:3]
    ['assignments.csv', 'assignments.xlsx', 'explanations.json']
    """
    choice("lang", lang, Lang)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    explanations = _explain_all(result, lang, prices)
    timings["explain"] = time.perf_counter() - start
    record = _record(result, None, result.policy, lang, prices)
    record["timings"] = timings
    done = BatchRun(result, explanations, timings, record, None)
    start = time.perf_counter()
    folder = write_outputs(done, out_dir, lang=lang)
    timings["write"] = time.perf_counter() - start
    return folder


def _round_sha(rnd: Round) -> str:
    return hashlib.sha256(rnd.json_bytes).hexdigest()


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Tuples joined with ``;`` (as input lists are), and formula-like text neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, tuple)).any():
            out[col] = out[col].map(lambda v: ";".join(v) if isinstance(v, tuple) else v)
    return safe_cells(out)


def site_view(done: BatchRun, lang: str = "it") -> pd.DataFrame:
    """What host companies may see: one row per newcomer, with the site-audience explanation.

    Columns (headers in ``lang``): the site, the position, the newcomer, the lead guide
    and the squad by name (at a cooperative's team), the company tutor and the desk
    operator who follows the newcomer by name (at a host company), the adjustments the
    site must prepare for them and why the pairing was made. Nothing the schema marks
    sensitive (health, referral) is read.
    """
    result = done.result
    rnd = result.round
    named = names(result)
    titles = {pos.id: pos.title for _, pos in rnd.positions}
    people = {c.id: c for c in rnd.candidates}
    asg = result.assignments
    records: list[dict[str, Any]] = asg[asg.status == "matched"].to_dict("records")  # type: ignore[assignment]
    rows = []
    for rec in records:
        person = people[rec["candidate_id"]]
        rows.append(
            {
                "site_id": rec["site_id"],
                "site": named[rec["site_id"]],
                "position_id": rec["position_id"],
                "position": titles.get(rec["position_id"], ""),  # a whole site held in place: no one position
                "candidate_id": rec["candidate_id"],
                "candidate": person.name,
                "lead_guide": named.get(rec["lead_guide_id"], ""),  # none past the lead's two weeks, or at a company
                "squad": ", ".join(named[g] for g in rec["squad_ids"]),
                "tutor": named.get(rec["tutor_id"], ""),  # at a host company: its own tutor, and the desk's operator
                "operator": named.get(rec["operator_id"], ""),
                "accommodations": ", ".join(sorted(label(a, lang) for a in person.accommodations)),
                "site_score": round(float(rec["site_score"]), 1),
                "why": explain(result, rec["candidate_id"], "site", lang, prices=False, full=False).text,
            }
        )
    columns = ["site_id", "site", "position_id", "position", "candidate_id", "candidate", "lead_guide", "squad"]
    columns += ["tutor", "operator"]
    frame = pd.DataFrame(rows, columns=[*columns, "accommodations", "site_score", "why"])
    frame = frame.sort_values(["site_id", "position_id", "candidate_id"]).reset_index(drop=True)
    return frame.rename(columns={c: _header(c, lang) for c in frame.columns})


def _header(column: str, lang: str) -> str:
    return text("column.score" if column == "site_score" else f"column.{column}", lang)


def _to_prepare(done: BatchRun, lang: str) -> pd.DataFrame:
    """Per site and adjustment: how many newcomers need it, and who."""
    result = done.result
    people = {c.id: c for c in result.round.candidates}
    named = {s.id: s.name for s in result.round.sites}
    matched = result.assignments[result.assignments["status"] == "matched"]
    rows = [
        (site, named[site], label(a, lang), cid, people[cid].name)
        for site, cid in zip(matched["site_id"], matched["candidate_id"], strict=True)
        for a in sorted(people[cid].accommodations)
    ]
    pairs = pd.DataFrame(rows, columns=["site_id", "site", "accommodation", "candidate_id", "candidate"])
    out = (
        pairs.groupby(["site_id", "site", "accommodation"], sort=True)
        .agg(newcomers=("candidate_id", "size"), people=("candidate", lambda s: ", ".join(sorted(s))))
        .reset_index()
    )
    return out.rename(columns={c: _header(c, lang) for c in out.columns})


def _assignments_sheets(done: BatchRun, lang: str, prices: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """The assignments workbook for people: headline, everyone, the unmatched with reasons, loads."""
    result = done.result
    rows = report_rows(result, lang)
    asg = result.assignments
    everyone = pd.DataFrame(
        {
            _header("candidate", lang): rows["name"],
            _header("candidate_id", lang): rows["id"],
            _header("area", lang): rows["area"],
            _header("status", lang): rows["status_text"],
            _header("site", lang): rows["site"],
            _header("site_id", lang): rows["site_id"],
            _header("position", lang): rows["position"],
            _header("position_id", lang): asg["position_id"].fillna(""),
            _header("lead_guide", lang): rows["lead"],
            _header("squad", lang): rows["squad"],
            _header("tutor", lang): rows["tutor"],
            _header("operator", lang): rows["operator"],
            _header("peer", lang): rows["peer"],
            _header("score", lang): rows["score"],
            text("column.site_score", lang): asg["site_score"].round(1),
            text("column.guide_score", lang): asg["guide_score"].round(1),
            text("column.peer_score", lang): asg["peer_score"].round(1),
            _header("continuity", lang): asg["continuity"].map(lambda c: text(f"continuity.{c}", lang)),
        }
    )
    why = blockers(result)
    called = dict(zip(rows["id"], rows["name"], strict=True))
    unmatched = pd.DataFrame(
        {
            _header("candidate", lang): why["candidate_id"].map(called),
            _header("candidate_id", lang): why["candidate_id"],
            _header("area", lang): why["area"],
            _header("reason", lang): _reasons(why, lang),
        }
    )
    named = names(result)
    loads = result.loads
    share = (loads["load"] / loads["capacity"].where(loads["capacity"] > 0)).round(2)
    loads_sheet = pd.DataFrame(
        {
            _header("partner", lang): loads["partner_id"].map(named),
            _header("partner_id", lang): loads["partner_id"],
            _header("role", lang): loads["role"].map(lambda r: text(f"load.{r}", lang)),
            _header("load", lang): loads["load"].round(1),
            _header("capacity", lang): loads["capacity"].round(1),
            _header("share", lang): share,
        }
    )
    lines = (review_line(result.round.review, lang), *headline(result, lang, prices).sentences)
    return {
        text("sheet.headline", lang): pd.DataFrame({text("report.headline", lang): list(lines)}),
        text("sheet.assignments", lang): everyone,
        text("sheet.unmatched", lang): unmatched,
        text("sheet.loads", lang): loads_sheet,
        **_law_sheets(result, lang),
    }


def _law_sheets(result: MatchResult, lang: str) -> dict[str, pd.DataFrame]:
    """The law's figures as information (issue 18 §5): the longest traineeship by category under the round's rule
    set, and each type-B cooperative's share of disadvantaged workers (L. 381/91 art. 4), now and if the round's
    trainees of those categories placed at its sites were hired. By category, never by person."""
    rnd, policy = result.round, result.policy
    spans = durations(policy, rnd.region)
    out = {
        text("sheet.durations", lang): pd.DataFrame(
            {
                _header("category", lang): spans["category"].map(lambda c: label(c, lang)),
                _header("max_months", lang): spans["max_months"],
                _header("extendable_to", lang): spans["extendable_to"].where(spans["extendable_to"] > 0, None),
                _header("condition", lang): spans["condition"],
                _header("rule_set", lang): spans["rule_set"],
            }
        )
    }
    if rnd.cooperatives:
        asg = result.assignments[result.assignments["status"] == "matched"]
        shares = cooperative_shares(rnd, dict(zip(asg["candidate_id"], asg["site_id"], strict=True)))
        yes_no = {True: text("template.yes", lang), False: text("template.no", lang)}
        out[text("sheet.cooperatives", lang)] = pd.DataFrame(
            {
                _header("cooperative", lang): shares["name"],
                _header("cooperative_id", lang): shares["cooperative_id"],
                _header("year", lang): shares["year"],
                _header("workers", lang): shares["workers"],
                _header("disadvantaged_workers", lang): shares["disadvantaged_workers"],
                _header("share_of_all", lang): shares["share_of_all"].round(3),
                _header("meets_30_of_all", lang): shares["meets_30_of_all"].map(yes_no),
                _header("share_of_others", lang): shares["share_of_others"].round(3),
                _header("meets_30_of_others", lang): shares["meets_30_of_others"].map(yes_no),
                _header("placed_381", lang): shares["placed"],
                _header("if_hired_share_of_all", lang): shares["if_hired_share_of_all"].round(3),
                _header("if_hired_share_of_others", lang): shares["if_hired_share_of_others"].round(3),
            }
        )
    return out


def _reasons(why: pd.DataFrame, lang: str) -> list[str]:
    """Each blocker in words; a text is built once per cause and rule."""
    pairs = list(zip(why["cause"], why["rule"], strict=True))
    said = {pair: reason_text(*pair, lang) for pair in set(pairs)}
    return [said[pair] for pair in pairs]


EXCEL_ROWS = 1_048_576
"""Rows of an Excel sheet, the header's included: a longer sheet is split (:func:`_within_excel`)."""


def _within_excel(name: str, frame: pd.DataFrame, by: str | None, rows: int | None = None) -> dict[str, pd.DataFrame]:
    """A sheet as one or more sheets of at most ``rows`` rows (header included), whole groups of ``by`` in each.

    The parts are named ``name 1``, ``name 2``… (31 characters at most, as Excel wants),
    in the order of ``by``; a group longer than a sheet is cut where the sheet ends.
    """
    room = (rows or EXCEL_ROWS) - 1
    if len(frame) <= room:
        return {name: frame}
    if by is not None and by in frame.columns:
        frame = frame.sort_values(by, kind="stable")
        sizes: list[int] = frame.groupby(by, sort=False, dropna=False).size().tolist()
    else:
        sizes = [len(frame)]
    parts: list[tuple[int, int]] = []
    start = end = 0
    for size in sizes:
        if end > start and end - start + size > room:  # the group does not fit: it starts the next sheet
            parts.append((start, end))
            start = end
        end += size
        while end - start > room:  # a group longer than a sheet is cut where the sheet ends
            parts.append((start, start + room))
            start += room
    parts.append((start, end))
    width = len(str(len(parts)))
    return {f"{name[: 30 - width]} {k}": frame.iloc[a:b] for k, (a, b) in enumerate(parts, start=1) if b > a}


def _write_workbook(path: Path, sheets: dict[str, pd.DataFrame], split_by: dict[str, str] | None = None) -> None:
    """A workbook for people (xlsxwriter): bold frozen header, filters, widths from the content, one decimal.

    Built in memory with the fixed creation time, so that it comes out reproducible as
    written (no second pass through :func:`~matchwork.io.outputs.stable_zip`); a sheet
    longer than Excel allows is split by the column ``split_by[name]`` (:func:`_within_excel`).
    """
    import xlsxwriter

    options = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "in_memory": True,
        "use_zip64": True,
    }
    book = xlsxwriter.Workbook(str(path), options)
    book.set_properties({"created": dt.datetime.fromisoformat(FIXED_TIME.replace("Z", "+00:00")).replace(tzinfo=None)})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF6", "text_wrap": True, "valign": "top"})
    decimal = book.add_format({"num_format": "0.0", "valign": "top"})
    plain = book.add_format({"valign": "top"})
    wrapped = book.add_format({"text_wrap": True, "valign": "top"})
    parts: dict[str, pd.DataFrame] = {}
    for name, frame in sheets.items():
        parts.update(_within_excel(name, frame, (split_by or {}).get(name)))
    for name, frame in parts.items():
        safe = safe_cells(frame)
        sheet = book.add_worksheet(name[:31])
        for j, column in enumerate(safe.columns):
            values = safe[column].tolist()
            numeric = pd.api.types.is_float_dtype(safe[column])
            width = max([len(str(column)) // 2, *(len(str(v)) for v in values[:2000] if v == v and v is not None)])
            style = decimal if numeric else wrapped if width > 60 else plain
            sheet.set_column(j, j, min(max(width + 2, 10), 60), style)
            sheet.write_string(0, j, str(column), head)
            if numeric:
                array = safe[column].to_numpy(dtype=float, na_value=np.nan)
                for i in np.flatnonzero(~np.isnan(array)).tolist():
                    sheet.write_number(i + 1, j, array[i])
                continue
            for i, value in enumerate(values, start=1):
                if value is None or value != value:  # empty, NaN or <NA>
                    continue
                if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
                    sheet.write_number(i, j, float(value))
                else:
                    sheet.write_string(i, j, str(value))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(safe), 1), max(len(safe.columns) - 1, 0))
    book.close()


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """A result table for Parquet: tuples as lists, mappings (rule counts) as JSON text."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype != object:
            continue
        kinds = {type(v) for v in out[col] if v is not None and v == v}
        if kinds & {tuple, list}:
            out[col] = out[col].map(lambda v: list(v) if isinstance(v, (tuple, list)) else v)
        elif any(issubclass(k, dict) for k in kinds):
            out[col] = out[col].map(lambda v: json_bytes(dict(v), indent=False).decode() if isinstance(v, dict) else v)
    return out


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """One result table as Parquet (pyarrow, the ``parquet`` extra), without the index; same table, same bytes."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("Parquet outputs need the parquet extra: pip install 'matchwork[parquet]'") from exc
    table = pa.Table.from_pandas(_typed(frame), preserve_index=False)
    pq.write_table(table.replace_schema_metadata(None), path, compression="zstd")


def _explanations_json(explanations: list[Explanation]) -> bytes:
    """The explanations as a JSON array, straight from their dataclasses (orjson): what
    :func:`matchwork.explain.to_json` gives, 10-20x faster and without a copy of every explanation as dicts."""
    import orjson

    option = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    return orjson.dumps(explanations, default=_json_default, option=option)


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, float):  # a float subclass orjson does not take
        return None if value != value else float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_outputs(
    done: BatchRun,
    out_dir: str | os.PathLike[str],
    *,
    lang: str = "it",
    force: bool = False,
    inputs: Iterable[str | os.PathLike[str]] = (),
    extra: Callable[[Path], Any] | None = None,
    parquet: bool = False,
) -> Path:
    """Write every output of a run into ``out_dir``, atomically (see the module docstring).

    ``force`` and ``inputs`` are those of :func:`matchwork.io.outputs.writing`; ``extra``,
    if given, writes more files into the same folder (called with it) before the commit;
    ``parquet`` adds the machine tables as Parquet (the ``parquet`` extra).
    """
    from matchwork.report.report import render_report

    result = done.result
    target = Path(out_dir)
    assignments = _flat(result.assignments)
    unmatched = _flat(result.unmatched_reasons)
    # priced runs name the extra place worth most in the headline (one re-solve per full partner)
    if done.prices is None and done.record.get("prices"):
        done.prices = result.capacity_prices()
    prices = done.prices
    stable = {k: v for k, v in done.record.items() if k not in ("created", "timings")}  # the time stays in run.json
    report = render_report(result, done.explanations, lang=lang, run=stable, prices=prices)
    people = _assignments_sheets(done, lang, prices)
    view = {text("sheet.newcomers", lang): site_view(done, lang), text("sheet.prepare", lang): _to_prepare(done, lang)}
    area, site = _header("area", lang), _header("site_id", lang)
    split_people = {
        text("sheet.assignments", lang): area,
        text("sheet.unmatched", lang): area,
        text("sheet.loads", lang): _header("role", lang),
    }
    split_view = {text("sheet.newcomers", lang): site, text("sheet.prepare", lang): site}
    with writing(target, inputs=inputs, force=force, volatile=("run.json",)) as tmp:
        assignments.to_csv(tmp / "assignments.csv", index=False, lineterminator="\n")
        _write_workbook(tmp / "assignments.xlsx", people, split_people)
        unmatched.to_csv(tmp / "unmatched.csv", index=False, lineterminator="\n")
        _flat(result.loads).to_csv(tmp / "loads.csv", index=False, lineterminator="\n")
        if parquet:
            _write_parquet(result.assignments, tmp / "assignments.parquet")
            _write_parquet(result.unmatched_reasons, tmp / "unmatched.parquet")
            _write_parquet(result.loads, tmp / "loads.parquet")
        (tmp / "explanations.json").write_bytes(_explanations_json(done.explanations))
        _write_workbook(tmp / "site_view.xlsx", view, split_view)
        (tmp / "report.html").write_text(report, encoding="utf-8")
        (tmp / "round.json").write_bytes(result.round.json_bytes)
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


register_writer(write_result)  # MatchResult.write: the result module cannot import this one (it comes first)
