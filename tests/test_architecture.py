"""The package's layout is its pipeline: imports only flow down the stated order, with no cycle.

:data:`PIPELINE` is the order of ``docs/architecture.md``: a module may import only
modules listed before it. Every import counts — at module level or inside a
function — except those under ``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import networkx as nx
import pytest

import matchwork

ROOT = Path(matchwork.__file__).parent
DOC = Path(__file__).parents[1] / "docs" / "architecture.md"

PIPELINE: tuple[str, ...] = (
    # foundation: imported by every layer
    "matchwork._version",
    "matchwork._validation",
    "matchwork._gc",
    "matchwork.i18n",
    "matchwork.errors",
    # model: what a round is
    "matchwork.model",
    "matchwork.model.vocab",
    "matchwork.model.geo",
    "matchwork.model.profiles",
    # io: profile records as tables and files (no Round needed)
    "matchwork.io",
    "matchwork.io.atomic",
    "matchwork.io.outputs",
    "matchwork.io.tables",
    "matchwork.io.schema",
    "matchwork.io.template",
    # model: the validated round and what a programme decides
    "matchwork.model.validation",
    "matchwork.model.round",
    "matchwork.model.existing",
    "matchwork.model.policy",
    "matchwork.model.law",
    "matchwork.io.privacy",
    "matchwork.synth",
    # scoring: rules and features → score tables
    "matchwork.scoring.arrays",
    "matchwork.scoring.capacity",
    "matchwork.scoring.features",
    "matchwork.scoring.rules",
    "matchwork.scoring.scorer",
    "matchwork.scoring",
    # solve: plain arrays, no candidates
    "matchwork.solve.network",
    "matchwork.solve.milp",
    "matchwork.solve.lp",
    "matchwork.solve.packing",
    "matchwork.solve.backends",
    "matchwork.solve.flow",
    "matchwork.solve.fairness",
    "matchwork.solve.assign",
    "matchwork.solve.peer",
    "matchwork.solve",
    # the result: data, with a re-solve and an explainer handed in
    "matchwork.limits",
    "matchwork.result",
    # explain: reads a result
    "matchwork.explain.audience",
    "matchwork.explain.render",
    "matchwork.explain.model",
    "matchwork.explain.lookup",
    "matchwork.explain.whatif",
    "matchwork.explain.kept",
    "matchwork.explain.explain",
    "matchwork.explain",
    # engine: stage formulations, and match() that builds the result
    "matchwork.engine.context",
    "matchwork.engine.continuity",
    "matchwork.engine.squad",
    "matchwork.engine.joint",
    "matchwork.engine.peer",
    "matchwork.engine.refill",
    "matchwork.engine.engine",
    "matchwork.engine",
    # outputs for people
    "matchwork.report.headline",
    "matchwork.report.report",
    "matchwork.report",
    "matchwork.batch",
    # the programme over time (extra: SQLAlchemy, Alembic)
    "matchwork.programme.tables",
    "matchwork.programme.texts",
    "matchwork.programme.common",
    "matchwork.programme.db",
    "matchwork.programme.migrations",
    "matchwork.programme.migrations.env",
    "matchwork.programme.migrations.versions",
    "matchwork.programme.migrations.versions.r0001_initial",
    "matchwork.programme.migrations.versions.r0002_exempt_trainees",
    "matchwork.programme.migrations.versions.r0003_desk_roles",
    "matchwork.programme.record",
    "matchwork.programme.ending",
    "matchwork.programme.next_round",
    "matchwork.programme.programme",
    "matchwork.programme",
    "matchwork.programme.cli",
    "matchwork",
    "matchwork.cli",
)


def _modules() -> dict[str, Path]:
    found = {"matchwork": ROOT / "__init__.py"}
    for info in pkgutil.walk_packages([str(ROOT)], prefix="matchwork."):
        path = ROOT.joinpath(*info.name.split(".")[1:])
        found[info.name] = path / "__init__.py" if info.ispkg else path.with_suffix(".py")
    return found


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(modules: dict[str, Path]) -> list[tuple[str, str, int, list[str]]]:
    """Every ``(importer, imported module, line, names)`` inside the package that runs."""
    out = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_lines(tree)
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            if isinstance(node, ast.Import):
                out += [(name, a.name, node.lineno, []) for a in node.names if a.name.startswith("matchwork")]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("matchwork"):
                module = node.module or ""
                plain = []
                for alias in node.names:
                    sub = f"{module}.{alias.name}"
                    if sub in modules:  # `from matchwork.io import tables` imports a module
                        out.append((name, sub, node.lineno, []))
                    else:
                        plain.append(alias.name)
                if plain:
                    out.append((name, module, node.lineno, plain))
    return out


def test_every_module_has_a_place_in_the_pipeline() -> None:
    assert set(_modules()) == set(PIPELINE)


def test_imports_form_no_cycle() -> None:
    graph = nx.DiGraph((a, b) for a, b, _, _ in _imports(_modules()) if a != b)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles}"


def test_imports_only_flow_down_the_pipeline() -> None:
    rank = {name: i for i, name in enumerate(PIPELINE)}
    back = [f"{a} (line {line}) imports {b}" for a, b, line, _ in _imports(_modules()) if a != b and rank[b] >= rank[a]]
    assert not back, "imports against the pipeline:\n" + "\n".join(back)


def test_no_private_name_is_imported_across_modules() -> None:
    private = [
        f"{a} (line {line}) imports {n} from {b}"
        for a, b, line, names in _imports(_modules())
        for n in names
        if n.startswith("_") and a != b
    ]
    assert not private, "\n".join(private)


@pytest.mark.parametrize("module", PIPELINE)
def test_the_architecture_page_lists_every_module(module: str) -> None:
    path = module.removeprefix("matchwork").lstrip(".").replace(".", "/") or "__init__"
    assert f"`{path}" in DOC.read_text(encoding="utf-8"), f"docs/architecture.md does not list {module}"


def test_the_policy_and_the_solver_agree_on_backends() -> None:
    from matchwork._validation import Backend, choices
    from matchwork.solve.backends import MIN_COST_FLOW

    assert choices(Backend) == ("auto", *MIN_COST_FLOW)
