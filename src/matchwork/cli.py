"""The ``matchwork`` command line.

Commands: ``template``, ``validate``, ``run``, ``explain``, ``suggest``, ``demo``,
``policy``, ``schema``, ``programme``; ``matchwork COMMAND --help`` says more.

Exit codes
----------
0
    done;
1
    any other failure (a pin that cannot be honoured, an unwritable folder…),
    with one line saying what;
2
    invalid input: the table of problems (table, row, column, value, expected;
    the first 200, and the whole list with ``--problems FILE``) is printed in the
    chosen language and nothing is written; also an output folder matchwork will
    not write into (it holds files matchwork did not write, or an input).

Language
--------
Everything the command says — messages, explanations, the report and the output
workbooks — is in Italian unless ``--lang en`` is given or the environment variable
``MATCHWORK_LANG`` is ``en``. The help texts (``--help``) are fixed when the program
starts, so they follow ``MATCHWORK_LANG`` only (``MATCHWORK_LANG=en matchwork --help``).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

try:
    import typer
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table
except ImportError as exc:  # pragma: no cover - exercised only without the cli extra
    raise SystemExit("the matchwork command needs its extra: pip install 'matchwork[cli]'") from exc

import matchwork as mw
from matchwork._validation import Audience, Lang, Objective, choices
from matchwork.errors import SHOWN, InputValidationError, InputWarning, MatchError, OutputFolderError, Problem
from matchwork.i18n import TEXTS, text

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2

ENV_LANG = "MATCHWORK_LANG"
HELP_LANG: str = os.environ.get(ENV_LANG, "it") if os.environ.get(ENV_LANG, "it") in choices(Lang) else "it"
"""The language of the help texts, read once at start from ``MATCHWORK_LANG`` (Typer fixes help at import)."""


def _help(key: str) -> str:
    # Typer renders help with rich markup: "[parquet]" would read as a style tag and vanish
    return text(f"cli.{key}", HELP_LANG).replace("[", "\\[")


app = typer.Typer(name="matchwork", help=_help("app"), no_args_is_help=True, add_completion=False)
console = Console(stderr=True)
out = Console()

RoundArg = Annotated[Path, typer.Argument(metavar="ROUND", help=_help("round_arg"))]
LangOption = Annotated[str, typer.Option("--lang", envvar=ENV_LANG, help=_help("lang"))]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help=_help("quiet"))]
ProblemsFile = Annotated[Path | None, typer.Option("--problems", help=_help("problems_option"))]
Force = Annotated[bool, typer.Option("--force", help=_help("force"))]


def _where(p: Problem) -> str:
    return str(p.line) if p.line is not None else (str(p.row + 1) if p.row is not None else "")


def _table_of(problems: Iterable[Problem], title: str, lang: str) -> Table:
    words = {k: text(f"cli.col.{k}", lang) for k in ("table", "line", "id", "column", "value", "expected")}
    table = Table(title=title, show_lines=False)
    for col in words.values():
        table.add_column(col, overflow="fold")
    for p in problems:
        shown = text(f"table.{p.table}", lang) if lang != "en" and f"table.{p.table}" in TEXTS else p.table
        table.add_row(shown, _where(p), p.record_id or "", p.header or p.column or "", p.value or "", p.message(lang))
    return table


def _print_problems(error: InputValidationError, lang: str = "en", problems_file: Path | None = None) -> None:
    """The first :data:`SHOWN` problems as a table, a count of the rest, and every one in ``problems_file``."""
    n = len(error.problems)
    console.print(
        _table_of(error.problems[:SHOWN], text(f"cli.problems_title_{'one' if n == 1 else 'many'}", lang, n=n), lang)
    )
    if n > SHOWN:
        console.print(text("cli.more", lang, n=n - SHOWN), highlight=False)
    if problems_file is not None:
        import pandas as pd

        from matchwork.io.atomic import atomic_file

        with atomic_file(problems_file) as part:
            pd.DataFrame(error.to_records(lang)).to_csv(part, index=False, lineterminator="\n")
        console.print(text("cli.problems_file", lang, file=problems_file), highlight=False)


def _print_warnings(rnd: Any, lang: str, quiet: bool) -> None:
    if quiet or not rnd.warnings:
        return
    shown = rnd.warnings[:SHOWN]
    console.print(
        _table_of(
            shown,
            text(f"cli.warnings_title_{'one' if len(rnd.warnings) == 1 else 'many'}", lang, n=len(rnd.warnings)),
            lang,
        ),
        style="yellow",
    )
    if len(rnd.warnings) > SHOWN:
        console.print(text("cli.more", lang, n=len(rnd.warnings) - SHOWN), highlight=False)


def _is_input(path: Path | None, inputs: Iterable[Path | None]) -> bool:
    if path is None or not path.exists():
        return False
    for given in inputs:
        if given is None or not given.exists():
            continue
        if os.path.samefile(path, given) or (given.is_dir() and path.resolve().is_relative_to(given.resolve())):
            return True
    return False


@contextmanager
def _failures(
    lang: str = "en", problems_file: Path | None = None, inputs: Iterable[Path | None] = ()
) -> Iterator[None]:
    """Turn the library's errors into exit codes and one clear message, in ``lang``."""
    if _is_input(problems_file, tuple(inputs)):
        refused = OutputFolderError("input", folder=str(problems_file), input=str(problems_file))
        console.print(f"[red]{text('cli.error', lang)}:[/] {refused.render(lang)}", highlight=False)
        raise typer.Exit(EXIT_INVALID)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InputWarning)  # the command prints them as a table, in the user's language
            yield
    except InputValidationError as exc:
        _print_problems(exc, lang, problems_file)
        raise typer.Exit(EXIT_INVALID) from None
    except OutputFolderError as exc:
        console.print(f"[red]{text('cli.error', lang)}:[/] {exc.render(lang)}", highlight=False)
        raise typer.Exit(EXIT_INVALID) from None
    except (MatchError, KeyError, ValueError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        console.print(f"[red]{text('cli.error', lang)}:[/] {message}", markup=True, highlight=False)
        raise typer.Exit(EXIT_FAILURE) from None
    except Exception as exc:  # a bug: say what, without a traceback full of data
        console.print(f"[red]{text('cli.unexpected', lang)}:[/] {type(exc).__name__}: {exc}", highlight=False)
        raise typer.Exit(EXIT_FAILURE) from None


@contextmanager
def _progress(quiet: bool, lang: str) -> Iterator[Callable[[str, bool], None]]:
    """A rich progress line per stage (nothing when quiet or not on a terminal)."""
    if quiet:
        yield lambda stage, finished: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, finished: bool) -> None:
            if not finished:
                tasks[stage] = bar.add_task(text(f"stage.{stage}", lang), total=1)
            else:
                bar.update(tasks[stage], completed=1)

        yield update


def _check(option: str, value: Any, kind: Any, lang: str = HELP_LANG) -> None:
    if value is not None and value not in choices(kind):
        allowed = ", ".join(choices(kind))
        raise typer.BadParameter(text("cli.bad_choice", lang, allowed=allowed, value=repr(value)), param_hint=option)


def _counts(rnd: mw.Round, lang: str) -> str:
    return ", ".join(f"{v} {text(f'table.{k}', lang)}" for k, v in rnd.summary().items() if v)


def _report_run(done: Any, quiet: bool, lang: str) -> None:
    """A plain summary in the user's language: the round, what holds placements back, where the files are."""
    if quiet:
        return
    from matchwork.report.headline import headline, review_line

    rnd = done.result.round
    out.print(
        f"[bold]{text('cli.summary_round', lang, name=rnd.name, date=rnd.date.isoformat())}[/]: {_counts(rnd, lang)}"
    )
    out.print(review_line(rnd.review, lang), markup=False, highlight=False)
    for sentence in headline(done.result, lang, done.prices).sentences:
        out.print(sentence, markup=False, highlight=False)
    out.print(text("cli.outputs", lang, path=done.out_dir), markup=False, highlight=False)
    out.print(text("cli.report", lang, path=(done.out_dir / "report.html").resolve()), markup=False, highlight=False)


@app.command(help=_help("template"))
def template(
    path: Annotated[Path, typer.Argument(metavar="FILE.xlsx", help=_help("template_path"))],
    lang: LangOption = "it",
) -> None:
    """Write a blank round workbook to fill in (see :mod:`matchwork.io.template`)."""
    from matchwork.io.template import write_template

    _check("--lang", lang, Lang)
    with _failures(lang):
        written = write_template(path, lang)
    out.print(text("cli.template_written", lang, path=written), markup=False, highlight=False)


@app.command(help=_help("demo"))
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help=_help("demo_out"))] = Path("demo-out"),
    size: Annotated[int, typer.Option("--size", min=20, max=100_000, help=_help("demo_size"))] = 300,
    seed: Annotated[int, typer.Option(help=_help("demo_seed"))] = 0,
    lang: LangOption = "it",
    quiet: Quiet = False,
    force: Force = False,
) -> None:
    """Generate a synthetic Mantova round, match it, and write the round workbook and every output."""
    from matchwork.batch import run, write_outputs
    from matchwork.io.outputs import claim

    _check("--lang", lang, Lang)
    with _failures(lang), _progress(quiet, lang) as progress:
        claim(out_dir, force=force)
        rnd = mw.synth.round(size, seed=seed)
        # capacity prices re-solve the round once per full partner: at 300 people with host companies that is
        # minutes while the peer stage falls back to its two exact MILPs (issue 19), so the demo leaves them out
        done = run(rnd, None, lang=lang, prices=size <= 100, progress=progress)
        done.out_dir = write_outputs(
            done, out_dir, lang=lang, force=force, extra=lambda folder: rnd.to_excel(folder / "round.xlsx")
        )
    if not quiet:
        out.print(text("cli.round_workbook", lang, path=out_dir / "round.xlsx"), markup=False, highlight=False)
    _report_run(done, quiet, lang)


@app.command("run", help=_help("run"))
def run_cmd(
    round_path: RoundArg,
    out_dir: Annotated[Path, typer.Option("--out", help=_help("run_out"))],
    policy: Annotated[Path | None, typer.Option("--policy", help=_help("policy_file"))] = None,
    lang: LangOption = "it",
    objective: Annotated[str | None, typer.Option("--objective", help=_help("objective"))] = None,
    prices: Annotated[bool, typer.Option("--prices/--no-prices", help=_help("prices"))] = False,
    parquet: Annotated[bool, typer.Option("--parquet", help=_help("parquet"))] = False,
    approve_by: Annotated[str | None, typer.Option("--approve-by", metavar="NAME", help=_help("approve_by"))] = None,
    quiet: Quiet = False,
    force: Force = False,
    problems: ProblemsFile = None,
) -> None:
    """Match a round and write assignments, reasons, loads, explanations, the site view and the report."""
    from matchwork.batch import run

    _check("--lang", lang, Lang)
    _check("--objective", objective, Objective, lang)
    if approve_by is not None and not approve_by.strip():
        raise typer.BadParameter(text("cli.approve_by_empty", lang), param_hint="--approve-by")
    with _failures(lang, problems, (round_path, policy)), _progress(quiet, lang) as progress:
        done = run(
            round_path,
            out_dir,
            policy=policy,
            lang=lang,
            objective=objective,
            prices=prices,
            progress=progress,
            force=force,
            parquet=parquet,
            approve_by=approve_by,
        )
    _print_warnings(done.result.round, lang, quiet)
    _report_run(done, quiet, lang)


@app.command(help=_help("validate"))
def validate(
    round_path: RoundArg,
    policy: Annotated[Path | None, typer.Option("--policy", help=_help("policy_file"))] = None,
    lang: LangOption = "it",
    quiet: Quiet = False,
    problems: ProblemsFile = None,
) -> None:
    """Check a round (and a policy) exactly as run does, and print every problem found (exit 2 if any)."""
    from matchwork.batch import check

    _check("--lang", lang, Lang)
    with _failures(lang, problems, (round_path, policy)):
        rnd = check(round_path, policy)
    _print_warnings(rnd, lang, quiet)
    if not quiet:
        out.print(text("cli.valid", lang, summary=_counts(rnd, lang)), markup=False, highlight=False)


@app.command("explain", help=_help("explain"))
def explain_cmd(
    run_dir: Annotated[Path, typer.Argument(metavar="OUT_DIR", help=_help("run_dir"))],
    candidate: Annotated[str, typer.Argument(metavar="CANDIDATE", help=_help("candidate"))],
    why_not: Annotated[str | None, typer.Option("--why-not", help=_help("why_not"))] = None,
    audience: Annotated[str, typer.Option(help=_help("audience"))] = "case_team",
    lang: LangOption = "it",
) -> None:
    """Explain a candidate's pairing from a finished run (or why not another partner)."""
    from matchwork.batch import load_run

    _check("--lang", lang, Lang)
    _check("--audience", audience, Audience, lang)
    with _failures(lang):
        rnd, policy, _ = load_run(run_dir)
        result = mw.match(rnd, policy)
        if why_not is not None:
            out.print(result.why_not(candidate, why_not, lang=lang).text, markup=False, highlight=False)
            return
        out.print(result.explain(candidate, audience=audience, lang=lang).text, markup=False, highlight=False)


@app.command(help=_help("suggest"))
def suggest(
    round_path: RoundArg,
    candidate: Annotated[str, typer.Argument(metavar="CANDIDATE", help=_help("candidate"))],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help=_help("k"))] = 5,
    policy: Annotated[Path | None, typer.Option("--policy", help=_help("policy_file"))] = None,
    lang: LangOption = "it",
) -> None:
    """List a candidate's k best allowed partners per stage, with each criterion's points."""
    _check("--lang", lang, Lang)
    with _failures(lang):
        rnd = mw.Round.read(round_path)
        pol = mw.Policy.from_toml(policy) if policy else None
        table = mw.match(rnd, pol).suggest(candidate, k=k, lang=lang)
    view = Table(title=text("cli.best_partners", lang, candidate=candidate))
    for col in ("stage", "rank", "partner", "score", "points"):
        view.add_column(text(f"cli.col_{col}", lang), overflow="fold")
    records: list[dict[str, Any]] = table.to_dict("records")  # type: ignore[assignment]
    for r in records:
        parts = ", ".join(f"{name} {pts:.1f}" for name, pts in r["breakdown"].items() if pts > 0)
        view.add_row(r["stage"], str(r["rank"]), f"{r['partner_name']} ({r['partner_id']})", f"{r['score']:.1f}", parts)
    out.print(view)


@app.command(help=_help("policy"))
def policy(
    out_file: Annotated[Path | None, typer.Option("--out", help=_help("policy_out"))] = None,
    lang: LangOption = "it",
) -> None:
    """Print (or write) the default policy as a commented TOML file to copy and change."""
    toml = mw.Policy().to_toml()
    if out_file is None:
        typer.echo(toml, nl=False)  # not through rich, which would wrap long lines
        return
    with _failures(lang):
        out_file.write_text(toml, encoding="utf-8")
    out.print(text("cli.wrote", lang, path=out_file), markup=False, highlight=False)


@app.command(help=_help("schema"))
def schema(
    out_dir: Annotated[Path | None, typer.Option("--out", help=_help("schema_out"))] = None,
    lang: LangOption = "it",
) -> None:
    """Print (or write) the JSON Schema of every input table."""
    import json

    schemas = mw.schema()
    if out_dir is None:
        out.print_json(json.dumps(schemas, ensure_ascii=False))
        return
    with _failures(lang):
        out_dir.mkdir(parents=True, exist_ok=True)
        for table, s in schemas.items():
            (out_dir / f"{table}.schema.json").write_text(json.dumps(s, indent=2, ensure_ascii=False), encoding="utf-8")
    out.print(text("cli.wrote_schemas", lang, n=len(schemas), path=out_dir), markup=False, highlight=False)


@app.command(
    "programme",
    help=_help("programme"),
    add_help_option=False,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def programme(ctx: typer.Context) -> None:
    """Keep the history of a programme over time (needs: pip install 'matchwork[programme]').

    Its commands (``matchwork programme --help``) are loaded only when called:
    SQLAlchemy and Alembic cost a third of a second to import, which every other
    command would otherwise pay.
    """
    try:
        from matchwork.programme.cli import app as programme_app
    except ImportError:  # the programme extra is not installed
        console.print(_help("programme_missing"), highlight=False, markup=False)
        raise typer.Exit(EXIT_FAILURE) from None
    command = typer.main.get_command(programme_app)
    command.main(args=list(ctx.args), prog_name=f"{ctx.find_root().info_name or 'matchwork'} programme")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except InputValidationError as exc:  # pragma: no cover - commands catch their own
        _print_problems(exc, HELP_LANG)
        sys.exit(EXIT_INVALID)


if __name__ == "__main__":  # pragma: no cover
    main()
