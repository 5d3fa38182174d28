"""The peer stage's own inputs of a synthetic round, saved once, then solved alone in a process of their own.

The peer stage runs after the joint stage, which takes minutes at region scale; this
script saves the :class:`~matchwork.solve.peer.PeerProblem` the stage builds (a
pickle: the problem and the keyword arguments of the call) and stops, so that the
solver alone can be timed again and again on the same inputs. Usage::

    python benchmarks/peer_inputs.py extract 5000 0 --region OUT.pkl   # the benchmark's region round
    python benchmarks/peer_inputs.py extract 300 0 OUT.pkl             # mw.synth.round(300, seed=0)
    python benchmarks/peer_inputs.py solve OUT.pkl                     # one JSON line

``solve`` prints the CPU seconds of the process and its workers (the stage's pool
from :data:`~matchwork.solve.peer.PARALLEL_MIN_PAIRS` pairs), the wall time, the
count, the value (gains minus hour costs), the method and the status. Run it with
``PYTHONPATH`` set to another tree's ``src`` to time that tree's solver on the same
file.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import sys
import time
from pathlib import Path
from typing import Any

REGION = {"n_guides": 2_500, "n_sites": 1_000, "n_peers": 417}
"""The region scale's round in ``benchmarks/run.py`` (5 000 candidates)."""


def extract(n: int, seed: int, region: bool, out: Path) -> None:
    """Match the round until the peer stage calls its solver, save that call's arguments, and stop."""
    import matchwork as mw
    import matchwork.engine.peer as stage

    def save(problem: Any, **kwargs: Any) -> Any:
        with out.open("wb") as f:
            pickle.dump((problem, kwargs), f)
        print(json.dumps({"saved": str(out), "pairs": len(problem.cand), **kwargs}), flush=True)
        os._exit(0)  # the rest of the run is not wanted

    stage.solve_peer_problem = save  # type: ignore[assignment]
    mw.match(mw.synth.round(n, seed=seed, **(REGION if region else {})))
    print(json.dumps({"saved": None, "reason": "the peer stage did not call the solver (same hours for everyone)"}))


def _cpu() -> float:
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def solve(path: Path, time_limit: float | None) -> None:
    """Solve the saved problem once and print the figures."""
    from matchwork.solve.peer import solve_peer_problem

    with path.open("rb") as f:
        problem, kwargs = pickle.load(f)
    kwargs = {**kwargs, "time_limit": time_limit}
    cpu, wall = _cpu(), time.perf_counter()
    sol = solve_peer_problem(problem, **kwargs)
    row = {
        "input": path.name,
        "pairs": len(problem.cand),
        "cpu_s": round(_cpu() - cpu, 2),
        "wall_s": round(time.perf_counter() - wall, 2),
        "count": sol.count,
        "value": round(sol.value),
        "method": sol.method,
        "status": sol.status.status,
        "gap": sol.status.gap,
    }
    print(json.dumps(row), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract")
    ex.add_argument("n", type=int)
    ex.add_argument("seed", type=int)
    ex.add_argument("out", type=Path)
    ex.add_argument("--region", action="store_true", help="the region scale's guides, sites and peers")
    so = sub.add_parser("solve")
    so.add_argument("input", type=Path)
    so.add_argument("--time-limit", type=float, default=None)
    args = ap.parse_args()
    if args.command == "extract":
        extract(args.n, args.seed, args.region, args.out)
    else:
        solve(args.input, args.time_limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
