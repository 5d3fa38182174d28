"""``matchwork programme``: the history of a placement programme from the command line.

Commands: ``init``, ``record``, ``end``, ``next``, ``show``; ``COMMAND --help`` says
more. The database is ``--db`` (a SQLAlchemy URL or a SQLite file path), or the
``MATCHWORK_PROGRAMME_DB`` environment variable, or ``programme.db`` here.
Messages are in Italian (``--lang it``, default) or English.

Exit codes
----------
0
    done;
1
    any other failure (no open pairing to end, a round already recorded, a
    database that cannot be reached…), with one line saying what;
2
    invalid input: the table of problems (or the bad option) is printed and
    nothing is written.

Examples
--------
>>> from typer.testing import CliRunner
>>> CliRunner().invoke(app, ["init", "--db", "sqlite://", "--lang", "en"]).output.startswith("Programme database ready")
True
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

try:
    import typer
    from rich.console import Console
    from rich.table import Table
except ImportError as exc:  # pragma: no cover - exercised only without the cli extra
    raise SystemExit("the matchwork command needs its extra: pip install 'matchwork[cli]'") from exc

import pydantic
import sqlalchemy as sa

from matchwork.engine import match
from matchwork.errors import MatchError
from matchwork.model.policy import Policy
from matchwork.model.profiles import (
    Candidate,
    CompanyTutor,
    Cooperative,
    DeskOperator,
    GuideWorker,
    PeerSupporter,
    PlacementSite,
)
from matchwork.model.round import Round
from matchwork.programme.common import EndReason, ProgrammeError
from matchwork.programme.programme import Programme
from matchwork.programme.tables import ROLES
from matchwork.programme.texts import LANGUAGES, label, text

__all__ = ["EXIT_FAILURE", "EXIT_INVALID", "EXIT_OK", "app", "main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2

app = typer.Typer(
    name="programme",
    help="The history of a placement programme: record rounds, end pairings, build the next round, show a path.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)
out = Console()

Db = Annotated[
    str,
    typer.Option(
        "--db", envvar="MATCHWORK_PROGRAMME_DB", help="SQLAlchemy URL or SQLite file of the programme's history."
    ),
]
Lang = Annotated[str, typer.Option("--lang", help="Language of messages: it or en.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors (for scripts).")]
DEFAULT_DB = "sqlite:///programme.db"

PROFILES: dict[str, type[pydantic.BaseModel]] = {
    "candidates": Candidate,
    "guides": GuideWorker,
    "peers": PeerSupporter,
    "sites": PlacementSite,
    "tutors": CompanyTutor,
    "operators": DeskOperator,
    "cooperatives": Cooperative,
}
"""The lists ``next --profiles`` reads, and what each holds."""

RoleName = StrEnum("RoleName", {r: r for r in ROLES})  # type: ignore[misc]
"""The roles, as choices of ``--role``."""


def _day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise typer.BadParameter(f"must be 'it' or 'en', got {lang!r}", param_hint="--lang")


def _cell(value: object) -> str:
    """A table cell: missing values (None, or NaN in a pandas table) as empty text."""
    return value if isinstance(value, str) else ""


def _print_problems(problems: list[Any], lang: str) -> None:
    table = Table(title=text("problems", lang, n=len(problems)))
    for col in ("table", "line/row", "id", "column", "value", "expected"):
        table.add_column(col, overflow="fold")
    for p in problems:
        where = str(p.line) if p.line is not None else (str(p.row + 1) if p.row is not None else "")
        table.add_row(p.table, where, p.record_id or "", p.column or "", p.value or "", p.expected)
    console.print(table)


@contextmanager
def _failures(lang: str) -> Iterator[None]:
    """Turn errors into exit codes and one line; no traceback, no data values beyond ids."""
    try:
        yield
    except ProgrammeError as exc:
        console.print(text("error", lang, error=exc.text(lang)), highlight=False, markup=False)
        raise typer.Exit(EXIT_FAILURE) from None
    except pydantic.ValidationError as exc:  # a profile given to `next`: locations and messages, never the values
        for err in exc.errors(include_url=False, include_input=False):
            where = ".".join(str(p) for p in err["loc"])
            console.print(f"{exc.title}: {where}: {err['msg']}", highlight=False, markup=False)
        raise typer.Exit(EXIT_INVALID) from None
    except ValueError as exc:
        problems = getattr(exc, "problems", None)
        if problems is None:
            console.print(text("error", lang, error=exc), highlight=False, markup=False)
            raise typer.Exit(EXIT_FAILURE) from None
        _print_problems(list(problems), lang)
        raise typer.Exit(EXIT_INVALID) from None
    except sa.exc.SQLAlchemyError as exc:  # parameters are hidden; the first line names the failure
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        console.print(text("db_error", lang, error=f"{type(exc).__name__}: {first}"), highlight=False, markup=False)
        raise typer.Exit(EXIT_FAILURE) from None
    except (MatchError, OSError, KeyError) as exc:
        console.print(text("error", lang, error=exc), highlight=False, markup=False)
        raise typer.Exit(EXIT_FAILURE) from None


def _load_round(path: Path, policy: Path | None, lang: str) -> tuple[Round, Policy]:
    """A run folder written by ``matchwork run`` (its round and policy), or a round file with a policy file."""
    if path.is_dir() and (path / "round.json").is_file():
        missing = [f for f in ("policy.json", "run.json") if not (path / f).is_file()]
        if missing:
            raise OSError(text("not_a_run", lang, path=path))
        rnd = Round.from_json(path / "round.json")
        pol = Policy.model_validate_json((path / "policy.json").read_text(encoding="utf-8"))
        return rnd, Policy.from_toml(policy) if policy else pol
    if not path.exists():
        raise OSError(text("not_a_run", lang, path=path))
    return Round.read(path), Policy.from_toml(policy) if policy else Policy.default()


def _profiles(path: Path) -> dict[str, list[Any]]:
    """Profiles to pass to ``next_round``: a JSON file with any of the lists of :data:`PROFILES`, or a round file."""
    if path.suffix.lower() == ".json" and path.is_file():
        doc = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict):
            raise ValueError(f"{path.name}: expected a JSON object with any of {', '.join(PROFILES)}")
        return {key: [model.model_validate(item) for item in doc.get(key, [])] for key, model in PROFILES.items()}
    rnd = Round.read(path)
    return {key: list(getattr(rnd, key)) for key in PROFILES}


# ---------------------------------------------------------------------- commands


@app.command()
def init(
    db: Db = DEFAULT_DB,
    cooldown_days: Annotated[
        int | None,
        typer.Option("--cooldown-days", min=0, max=3650, help="Days a pair whose pairing broke down is kept apart."),
    ] = None,
    lang: Lang = "it",
) -> None:
    """Create the programme database, or bring its schema up to date (Alembic migrations shipped with matchwork)."""
    _check_lang(lang)
    with _failures(lang), Programme(db) as programme:
        if cooldown_days is not None:
            programme.configure(rematch_cooldown_days=cooldown_days)
        message = text(
            "init_done", lang, url=programme.url, revision=programme.revision, days=programme.rematch_cooldown_days
        )
    out.print(message, highlight=False, markup=False)


@app.command()
def record(
    source: Annotated[
        Path, typer.Argument(metavar="RUN_OR_ROUND", help="A folder written by `matchwork run`, or a round file.")
    ],
    approved_by: Annotated[str, typer.Option("--approved-by", help="Who approved the round.")],
    on: Annotated[str | None, typer.Option("--on", help="Day of approval, YYYY-MM-DD; default today.")] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="Policy TOML; default the run's, else shipped.")
    ] = None,
    db: Db = DEFAULT_DB,
    lang: Lang = "it",
    quiet: Quiet = False,
) -> None:
    """Record an approved round: its result is computed again from the round and policy, then stored."""
    _check_lang(lang)
    day = _day(on)
    with _failures(lang):
        rnd, pol = _load_round(source, policy, lang)
        result = match(rnd, pol)
        with Programme(db) as programme:
            done = programme.record(result, approved_by=approved_by, on=day)
    if not quiet:
        out.print(
            text(
                "recorded",
                lang,
                round_id=done.round_id,
                name=done.name,
                date=done.date.isoformat(),
                candidates=done.candidates,
                matched=done.matched,
                started=done.started,
                kept=done.kept,
                ended=done.ended,
                changed=done.changed,
            ),
            highlight=False,
            markup=False,
        )


@app.command()
def end(
    candidate: Annotated[str, typer.Argument(metavar="CANDIDATE", help="The person's id.")],
    reason: Annotated[EndReason, typer.Option("--reason", help="Why it ended.")],
    on: Annotated[str, typer.Option("--on", help="The day it ended, YYYY-MM-DD.")],
    role: Annotated[RoleName | None, typer.Option("--role", help="Which pairing; default all.")] = None,
    partner: Annotated[
        str | None, typer.Option("--partner", help="The partner's id (position, site, guide, peer).")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who reported it.")] = None,
    db: Db = DEFAULT_DB,
    lang: Lang = "it",
    quiet: Quiet = False,
) -> None:
    """Record that a person's pairing (or every pairing) ended, with the day and the reason."""
    _check_lang(lang)
    day = _day(on) or dt.date.today()
    with _failures(lang), Programme(db) as programme:
        which = role.value if role is not None else None
        ended = programme.end(candidate, which, partner, on=day, reason=reason, reported_by=by)
        left = programme.history(candidate)
    if quiet:
        return
    if len(ended):
        reasons = ", ".join(label("reason", r, lang) for r in dict.fromkeys(ended.end_reason))
        message = text("ended", lang, n=len(ended), candidate=candidate, date=day, reason=reasons)
        out.print(message, highlight=False, markup=False)
    last = left.iloc[-1] if len(left) else None
    if last is not None and last.event == "left" and last.date == day:
        message = text("left", lang, candidate=candidate, date=day, reason=label("reason", last.reason, lang))
        out.print(message, highlight=False, markup=False)


@app.command("next")
def next_cmd(
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the round: .xlsx or .json.")],
    on: Annotated[str, typer.Option("--on", help="The round's date, YYYY-MM-DD.")],
    profiles: Annotated[
        Path | None,
        typer.Option(
            "--profiles",
            help="New or updated profiles: a JSON file with any of candidates, guides, peers, sites, tutors, "
            "operators, cooperatives; or a round.",
        ),
    ] = None,
    candidate: Annotated[
        list[str] | None, typer.Option("--candidate", help="A known person to include (repeatable).")
    ] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="An id to leave out (repeatable).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The round's name.")] = None,
    waiting: Annotated[bool, typer.Option("--waiting/--no-waiting", help="Include the waiting list.")] = True,
    db: Db = DEFAULT_DB,
    lang: Lang = "it",
    quiet: Quiet = False,
) -> None:
    """Build the next round from the history: pairings in place, relationships, cool-downs and loads."""
    _check_lang(lang)
    day = _day(on) or dt.date.today()
    suffix = out_path.suffix.lower()
    if suffix not in (".xlsx", ".json"):
        raise typer.BadParameter("must end in .xlsx or .json", param_hint="--out")
    with _failures(lang), Programme(db) as programme:
        given = _profiles(profiles) if profiles else {key: [] for key in PROFILES}
        rnd = programme.next_round(
            [*given["candidates"], *(candidate or [])],
            given["guides"],
            given["peers"],
            given["sites"],
            tutors=given["tutors"],
            operators=given["operators"],
            cooperatives=given["cooperatives"],
            on=day,
            name=name,
            waiting=waiting,
            exclude=exclude or (),
        )
        queue = set(programme.waiting(day)) if waiting else set()
        if suffix == ".json":
            rnd.to_json(out_path)
        else:
            rnd.to_excel(out_path)
    if not quiet:
        from_queue = len({c.id for c in rnd.candidates} & queue)
        message = text(
            "next_written",
            lang,
            path=out_path,
            candidates=len(rnd.candidates),
            waiting=from_queue,
            pairings=len(rnd.pairings),
            forbids=len(rnd.forbids),
        )
        out.print(message, highlight=False, markup=False)


@app.command()
def show(
    candidate: Annotated[
        str | None, typer.Argument(metavar="[CANDIDATE]", help="A person's id; none: the rounds.")
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="Day for the counts, YYYY-MM-DD; default today.")] = None,
    db: Db = DEFAULT_DB,
    lang: Lang = "it",
) -> None:
    """Show a person's path (rounds, pairings started and ended, changes), or the rounds recorded."""
    _check_lang(lang)
    day = _day(on) or dt.date.today()
    with _failures(lang), Programme(db) as programme:
        if candidate is not None:
            frame = programme.history(candidate)
        else:
            frame = programme.rounds()
            counts = (len(programme.pairings(on=day)), len(programme.waiting(day)), len(programme.priorities(day)))
    rows: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    if candidate is not None:
        if not rows:
            out.print(text("no_history", lang, candidate=candidate), highlight=False, markup=False)
            return
        view = Table(title=text("history_title", lang, candidate=candidate))
        for key in (
            "col_date",
            "col_event",
            "col_round",
            "col_role",
            "col_partner",
            "col_status",
            "col_reason",
            "col_by",
        ):
            view.add_column(text(key, lang), overflow="fold")
        for r in rows:
            partner = _cell(r["partner_id"])
            if r["event"] == "changed":
                partner = f"{partner} → {_cell(r['to']) or '—'}"
            round_name = f"{r['round']} (#{int(r['round_id'])})" if isinstance(r["round"], str) else ""
            view.add_row(
                str(r["date"]),
                label("event", r["event"], lang),
                round_name,
                label("role", r["role"], lang),
                partner,
                label("status", r["status"], lang),
                label("reason", r["reason"], lang),
                _cell(r["reported_by"]),
            )
        out.print(view)
        return
    if not rows:
        out.print(text("no_rounds", lang), highlight=False, markup=False)
        return
    view = Table(title=text("rounds_title", lang))
    for key in ("col_id", "col_name", "col_date", "col_candidates", "col_matched", "col_approved_by"):
        view.add_column(text(key, lang), overflow="fold")
    for r in rows:
        view.add_row(
            str(r["round_id"]), r["name"], str(r["date"]), str(r["candidates"]), str(r["matched"]), r["approved_by"]
        )
    out.print(view)
    n, queue, priority = counts
    out.print(text("open_pairings", lang, n=n, waiting=queue, priority=priority), highlight=False, markup=False)


def main() -> None:
    """Entry point when run on its own (``python -m matchwork.programme.cli``)."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
