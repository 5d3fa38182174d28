"""The ``matchwork`` command line.

Exit codes: 0 done; 2 invalid input (the full problem table is printed);
1 any other failure.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

try:
    import typer
    from rich.console import Console
    from rich.table import Table
except ImportError as exc:  # pragma: no cover - exercised only without the cli extra
    raise SystemExit("the matchwork command needs its extra: pip install 'matchwork[cli]'") from exc

import matchwork as mw
from matchwork.errors import RoundValidationError

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


def _print_problems(error: RoundValidationError) -> None:
    table = Table(title=f"{len(error.problems)} problem(s) in the input", show_lines=False)
    for col in ("table", "line/row", "id", "column", "value", "expected"):
        table.add_column(col, overflow="fold")
    for p in error.problems:
        where = str(p.line) if p.line is not None else (str(p.row + 1) if p.row is not None else "")
        table.add_row(p.table, where, p.record_id or "", p.column or "", p.value or "", p.expected)
    console.print(table)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the demo round into.")] = Path("demo-out"),
    size: Annotated[int, typer.Option("--size", min=20, max=100_000, help="Number of candidates.")] = 300,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic round.")] = 0,
) -> None:
    """Generate a realistic synthetic Mantova round, match it and write the round and its assignments."""
    rnd = mw.synth.round(size, seed=seed)
    again = mw.Round.from_frames(rnd.to_frames())
    if again != rnd:  # pragma: no cover - guarded by the round-trip tests
        raise typer.Exit(EXIT_FAILURE)
    result = mw.match(rnd)
    out_dir.mkdir(parents=True, exist_ok=True)
    workbook = rnd.to_excel(out_dir / "round.xlsx")
    assignments = out_dir / "assignments.csv"
    result.assignments.to_csv(assignments, index=False)
    summary = ", ".join(f"{v} {k}" for k, v in rnd.summary().items() if v)
    out.print(f"[bold]{rnd.name}[/]: {summary}")
    out.print(repr(result))
    out.print(f"round workbook: {workbook}")
    out.print(f"assignments: {assignments}")


@app.command()
def validate(
    round_path: Annotated[Path, typer.Argument(metavar="ROUND", help="Workbook (.xlsx), JSON file or CSV folder.")],
) -> None:
    """Check a round and print every problem found (exit 2 if any)."""
    try:
        rnd = mw.Round.read(round_path)
    except RoundValidationError as exc:
        _print_problems(exc)
        raise typer.Exit(EXIT_INVALID) from None
    out.print(f"valid: {rnd!r}")


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
    out_dir.mkdir(parents=True, exist_ok=True)
    for table, s in schemas.items():
        (out_dir / f"{table}.schema.json").write_text(json.dumps(s, indent=2, ensure_ascii=False), encoding="utf-8")
    out.print(f"wrote {len(schemas)} schemas to {out_dir}")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except RoundValidationError as exc:  # pragma: no cover - commands catch their own
        _print_problems(exc)
        sys.exit(EXIT_INVALID)


if __name__ == "__main__":  # pragma: no cover
    main()
