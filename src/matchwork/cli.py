"""The ``matchwork`` command line.

Commands: ``demo``, ``run``, ``validate``, ``explain``, ``suggest``, ``policy``, ``schema``;
``matchwork COMMAND --help`` says more.

Exit codes
----------
0
    done;
1
    any other failure (a pin that cannot be honoured, an unwritable folder…),
    with one line saying what;
2
    invalid input: the full table of problems (table, row, column, value,
    expected) is printed and nothing is written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
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
from matchwork.errors import InputValidationError, MatchError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2

app = typer.Typer(
    name="matchwork",
    help="Match people entering work with sites, guide workers and peer supporters — and say why.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)
out = Console()

RoundArg = Annotated[Path, typer.Argument(metavar="ROUND", help="Workbook (.xlsx), JSON file or CSV folder.")]
LangOption = Annotated[str, typer.Option("--lang", help="Language of explanations and report: it or en.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors (for scripts).")]


def _print_problems(error: InputValidationError) -> None:
    table = Table(title=f"{len(error.problems)} problem(s) in the input", show_lines=False)
    for col in ("table", "line/row", "id", "column", "value", "expected"):
        table.add_column(col, overflow="fold")
    for p in error.problems:
        where = str(p.line) if p.line is not None else (str(p.row + 1) if p.row is not None else "")
        table.add_row(p.table, where, p.record_id or "", p.column or "", p.value or "", p.expected)
    console.print(table)


@contextmanager
def _failures() -> Iterator[None]:
    """Turn the library's errors into exit codes and one clear message."""
    try:
        yield
    except InputValidationError as exc:
        _print_problems(exc)
        raise typer.Exit(EXIT_INVALID) from None
    except (MatchError, KeyError, ValueError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        console.print(f"[red]error:[/] {message}", markup=True, highlight=False)
        raise typer.Exit(EXIT_FAILURE) from None
    except Exception as exc:  # a bug: say what, without a traceback full of data
        console.print(f"[red]unexpected error:[/] {type(exc).__name__}: {exc}", highlight=False)
        raise typer.Exit(EXIT_FAILURE) from None


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str, bool], None]]:
    """A rich progress line per stage (nothing when quiet or not on a terminal)."""
    if quiet:
        yield lambda stage, finished: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, finished: bool) -> None:
            if not finished:
                tasks[stage] = bar.add_task(stage.replace("_", " "), total=1)
            else:
                bar.update(tasks[stage], completed=1)

        yield update


def _check(option: str, value: Any, kind: Any) -> None:
    if value is not None and value not in choices(kind):
        raise typer.BadParameter(f"must be one of {', '.join(choices(kind))}; got {value!r}", param_hint=option)


def _report_run(done: Any, quiet: bool) -> None:
    if quiet:
        return
    out.print(repr(done.result))
    out.print(f"outputs: {done.out_dir}")
    out.print(f"report: {(done.out_dir / 'report.html').resolve()}")


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the demo run into.")] = Path("demo-out"),
    size: Annotated[int, typer.Option("--size", min=20, max=100_000, help="Number of candidates.")] = 300,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic round.")] = 0,
    lang: LangOption = "it",
    quiet: Quiet = False,
) -> None:
    """Generate a synthetic Mantova round, match it, and write the round workbook and every output."""
    from matchwork.batch import run

    _check("--lang", lang, Lang)
    with _failures(), _progress(quiet) as progress:
        rnd = mw.synth.round(size, seed=seed)
        done = run(rnd, out_dir, lang=lang, prices=size <= 1000, progress=progress)
        rnd.to_excel(out_dir / "round.xlsx")
    if not quiet:
        summary = ", ".join(f"{v} {k}" for k, v in rnd.summary().items() if v)
        out.print(f"[bold]{rnd.name}[/]: {summary}")
        out.print(f"round workbook: {out_dir / 'round.xlsx'}")
    _report_run(done, quiet)


@app.command("run")
def run_cmd(
    round_path: RoundArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (replaced whole, atomically).")],
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy TOML file; default: the shipped one.")] = None,
    lang: LangOption = "it",
    objective: Annotated[str | None, typer.Option("--objective", help="total or fair.")] = None,
    prices: Annotated[
        bool, typer.Option("--prices/--no-prices", help="Price full capacities in explanations.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Match a round and write assignments, reasons, loads, explanations, the site view and the report."""
    from matchwork.batch import run

    _check("--lang", lang, Lang)
    _check("--objective", objective, Objective)
    with _failures(), _progress(quiet) as progress:
        done = run(round_path, out_dir, policy=policy, lang=lang, objective=objective, prices=prices, progress=progress)
    _report_run(done, quiet)


@app.command()
def validate(round_path: RoundArg, quiet: Quiet = False) -> None:
    """Check a round and print every problem found (exit 2 if any)."""
    with _failures():
        rnd = mw.Round.read(round_path)
    if not quiet:
        out.print(f"valid: {rnd!r}")


@app.command("explain")
def explain_cmd(
    run_dir: Annotated[Path, typer.Argument(metavar="OUT_DIR", help="A folder written by matchwork run.")],
    candidate: Annotated[str, typer.Argument(metavar="CANDIDATE", help="The candidate's id.")],
    why_not: Annotated[str | None, typer.Option("--why-not", help="A partner id: why not this pair?")] = None,
    audience: Annotated[str, typer.Option(help="case_team, site, candidate or peer.")] = "case_team",
    lang: LangOption = "it",
) -> None:
    """Explain a candidate's pairing from a finished run (or why not another partner)."""
    from matchwork.batch import load_run

    _check("--lang", lang, Lang)
    _check("--audience", audience, Audience)
    with _failures():
        rnd, policy, _ = load_run(run_dir)
        result = mw.match(rnd, policy)
        if why_not is not None:
            out.print(result.why_not(candidate, why_not, lang=lang).text, markup=False, highlight=False)
            return
        out.print(result.explain(candidate, audience=audience, lang=lang).text, markup=False, highlight=False)


@app.command()
def suggest(
    round_path: RoundArg,
    candidate: Annotated[str, typer.Argument(metavar="CANDIDATE", help="The candidate's id.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="Partners per stage.")] = 5,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy TOML file.")] = None,
) -> None:
    """List a candidate's k best allowed partners per stage, with each criterion's points."""
    with _failures():
        rnd = mw.Round.read(round_path)
        pol = mw.Policy.from_toml(policy) if policy else None
        table = mw.match(rnd, pol).suggest(candidate, k=k)
    view = Table(title=f"best partners for {candidate}")
    for col in ("stage", "rank", "partner", "score", "points by criterion"):
        view.add_column(col, overflow="fold")
    records: list[dict[str, Any]] = table.to_dict("records")  # type: ignore[assignment]
    for r in records:
        parts = ", ".join(f"{name} {pts:.1f}" for name, pts in r["breakdown"].items() if pts > 0)
        view.add_row(r["stage"], str(r["rank"]), f"{r['partner_name']} ({r['partner_id']})", f"{r['score']:.1f}", parts)
    out.print(view)


@app.command()
def policy(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the policy TOML here instead of printing it.")
    ] = None,
) -> None:
    """Print (or write) the default policy as a commented TOML file to copy and change."""
    text = mw.Policy().to_toml()
    if out_file is None:
        typer.echo(text, nl=False)  # not through rich, which would wrap long lines
        return
    with _failures():
        out_file.write_text(text, encoding="utf-8")
    out.print(f"wrote {out_file}")


@app.command()
def schema(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write one <table>.schema.json per table here.")] = None,
) -> None:
    """Print (or write) the JSON Schema of every input table."""
    import json

    schemas = mw.schema()
    if out_dir is None:
        out.print_json(json.dumps(schemas, ensure_ascii=False))
        return
    with _failures():
        out_dir.mkdir(parents=True, exist_ok=True)
        for table, s in schemas.items():
            (out_dir / f"{table}.schema.json").write_text(json.dumps(s, indent=2, ensure_ascii=False), encoding="utf-8")
    out.print(f"wrote {len(schemas)} schemas to {out_dir}")


try:
    from matchwork.programme.cli import app as _programme_app
except ImportError:  # the programme extra is not installed

    @app.command("programme")
    def programme_missing() -> None:
        """Keep the history of a programme over time (needs: pip install 'matchwork[programme]')."""
        console.print("the programme history needs its extra: pip install 'matchwork[programme]'", highlight=False)
        raise typer.Exit(EXIT_FAILURE)

else:
    app.add_typer(_programme_app, name="programme")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except InputValidationError as exc:  # pragma: no cover - commands catch their own
        _print_problems(exc)
        sys.exit(EXIT_INVALID)


if __name__ == "__main__":  # pragma: no cover
    main()
