"""The peer stage alone, on the same inputs: today's per-component MILP against the flow-bound repair.

Inputs are the peer stage's arrays of a synthetic round after the joint stage (``.npz``:
``cand``, ``peer``, ``gain``, ``hours``, ``pinned``, ``room``, ``limit``, ``weight`` and,
when present, ``people``), written by an extraction run of the engine. Usage::

    python benchmarks/peer_stage.py INPUT.npz --impl new [--time-limit 60] [--people]
    PYTHONPATH=<main>/src python benchmarks/peer_stage.py INPUT.npz --impl old

``old`` runs ``matchwork.engine.peer._PeerProblem`` per component (two phases: most
placed, then best value; its process pool from 40 000 pairs), as main had it before
the flow-bound stage; ``new`` runs :func:`matchwork.solve.peer.solve_peer_problem`.
Prints one JSON line: time, count, value (gains minus hour costs, the same function
for both), status and proven gap.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("--impl", choices=["old", "new"], required=True)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--people", action="store_true", help="apply the input's people caps (new only)")
    args = ap.parse_args()
    z = dict(np.load(args.input))
    from matchwork.engine.peer import hour_segments

    segments = [
        hour_segments(lim - room, lim, room, float(z["weight"]))
        for room, lim in zip(z["room"], z["limit"], strict=True)
    ]
    n_p = len(segments)
    width = max((len(x) for x, _ in segments), default=0)
    seg_len, seg_cost = np.zeros((n_p, width)), np.zeros((n_p, width))
    for p, (length, cost) in enumerate(segments):
        seg_len[p, : len(length)], seg_cost[p, : len(cost)] = length, cost
    people = z["people"] if args.people and "people" in z else np.full(n_p, 10**6)
    start = time.perf_counter()
    if args.impl == "new":
        from matchwork.solve.peer import PeerProblem, solve_peer_problem

        prob = PeerProblem(z["cand"], z["peer"], z["gain"], z["hours"], seg_len, seg_cost, people, z["pinned"])
        sol = solve_peer_problem(prob, time_limit=args.time_limit)
        chosen, status, gap, extra = (
            sol.chosen,
            sol.status.status,
            sol.status.gap,
            {"method": sol.method, "fixed": sol.fixed, "free": sol.free, "bound": sol.value_bound},
        )
    else:
        from matchwork.engine import peer as old
        from matchwork.solve.milp import SolveStatus

        opt = {"cand": z["cand"], "peer": z["peer"], "gain": z["gain"], "hours": z["hours"]}
        n_c = len(z["pinned"])
        labels = old._components(opt["cand"], opt["peer"] + n_c, n_c + n_p)
        groups = [np.flatnonzero(labels == k) for k in np.unique(labels)]
        problems = [old._PeerProblem(opt, g, z["pinned"], segments, args.time_limit) for g in groups]
        chosen = np.zeros(len(opt["cand"]), dtype=bool)
        sts = []
        for g, (picked, st) in zip(groups, old._solve_components(problems, -np.inf), strict=True):
            chosen[g] = picked
            sts.append(st)
        st = SolveStatus.worst(sts)
        status, gap, extra = st.status, st.gap, {}
    seconds = time.perf_counter() - start
    load = np.bincount(z["peer"][chosen], weights=z["hours"][chosen], minlength=n_p)
    filled = np.clip(load[:, None] - np.arange(width), 0.0, seg_len)
    count, value = int(chosen.sum()), float(z["gain"][chosen].sum()) - float((filled * seg_cost).sum())
    print(
        json.dumps(
            {
                "input": args.input,
                "impl": args.impl,
                "time_limit": args.time_limit,
                "people": args.people,
                "pairs": len(z["cand"]),
                "seconds": round(seconds, 3),
                "count": count,
                "value": round(value),
                "status": status,
                "gap": gap,
                **extra,
            }
        )
    )


if __name__ == "__main__":
    main()
