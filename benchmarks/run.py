"""Benchmarks: matchwork at three scales, each stage timed, against peer solvers on the same graphs.

``make bench`` runs ``python benchmarks/run.py``: each scale in its own process
(so that its peak memory is its own), then writes ``benchmarks/results/latest.json``,
``benchmarks/results/latest.md`` and the plot ``docs/img/performance.svg``, and
rewrites the generated part of ``docs/performance.md``.

Scales (synthetic Mantova rounds, seed 0):

* province — 300 candidates (150 guides, 60 sites, 25 peers);
* region — 5 000 candidates;
* national — 100 000 candidates, 50 000 guide workers, 20 000 sites, 8 000 peers.

Stages: ``load`` (read and validate the CSV folder), ``score`` (rules and
features), ``site_and_lead`` (the joint solve of position, lead guide and squad),
``squad`` (reading the squads off it), ``peer`` (solve), ``explain`` (every
candidate, case team, no capacity prices), ``write`` (every output file).

Peer solvers, on a flow network of the round (the peer stage's, or the round's
placements without squads): OR-Tools ``SimpleMinCostFlow``, NetworkX network
simplex (up to the region scale), HiGHS through SciPy; and SciPy
``linear_sum_assignment`` on the site stage expanded into one column per opening,
where the dense matrix fits in memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SCALES: dict[str, dict[str, int]] = {
    "province": {"n": 300, "guides": 150, "sites": 60, "peers": 25},
    "region": {"n": 5_000, "guides": 2_500, "sites": 1_000, "peers": 417},
    "national": {"n": 100_000, "guides": 50_000, "sites": 20_000, "peers": 8_000},
}
TARGETS = {
    "national_end_to_end_s": 60.0,
    "national_peak_gib": 6.0,
    "province_end_to_end_s": 1.0,
    "solve_vs_ortools": 1.5,
    "networkx_vs_solve": 50.0,
    "pair_features_per_s": 50e6,
}
LSA_MAX_CELLS = 60_000_000  # a float64 dense matrix of this many cells is ~0.5 GB


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _kernel_rate(rnd: Any) -> dict[str, float]:
    """Pair-features per second of the dense site-stage kernel (rules and features, whole matrices)."""
    from matchwork.scoring.scorer import Scorer

    scorer = Scorer(rnd)
    n_c = min(len(rnd.candidates), 2_000)
    cands = np.arange(n_c)
    scorer.dense("site", candidates=cands[:10])  # warm up
    seconds, table = _timed(lambda: scorer.dense("site", candidates=cands))
    n_terms = len(scorer.features["site"]) + len(scorer.rules["site"])
    return {
        "pairs": float(len(table)),
        "features_and_rules": float(n_terms),
        "seconds": seconds,
        "pair_features_per_s": len(table) * n_terms / seconds,
    }


def _placement_network(done: Any) -> Any:
    """The round's placements as a flow network: candidate → (position, lead) option → lead → position → site.

    The joint stage chooses squads too and is solved by column generation, not as a
    flow; this network (placements only, no squads) is what the flow backends are
    compared on. Guides free to lead in any position of their site go straight to it.
    """
    from matchwork.solve import NetworkBuilder

    result = done.result
    opt = result.stages["joint"].options
    a, cap = result.scores.arrays, result.scores.capacities
    n_c, n_g, n_p, n_s = len(a.candidates), len(a.guides), len(a.positions), len(a.sites)
    b = NetworkBuilder()
    source, sink = b.nodes(2)
    c_node, g_node, p_node, s_node = b.nodes(n_c), b.nodes(n_g), b.nodes(n_p), b.nodes(n_s)
    b.arcs(np.full(n_c, source), c_node, capacity=1)
    b.arcs(c_node[opt["cand"]], g_node[opt["guide"]], capacity=1, cost=-opt["gain"])
    team = a.guides.position.astype(np.int64)
    to = np.where(team >= 0, p_node[np.maximum(team, 0)], s_node[a.guides.site])
    b.arcs(g_node, to, capacity=cap.guide_lead)
    b.arcs(p_node, s_node[a.positions.site], capacity=cap.position_open)
    b.arcs(s_node, np.full(n_s, sink), capacity=np.minimum(cap.site_tutor, cap.site_legal))
    return b.build(source=source, sink=sink)


def _peers(done: Any, scale: str) -> dict[str, Any]:
    """Flow backends on a network of the round, and LSA on the expanded site stage.

    The peer stage's network when it is a flow (every candidate needs the same
    hours); otherwise the round's placements as a flow (:func:`_placement_network`).
    """
    from matchwork.solve import available_backends, min_cost_flow, solve

    stages = done.result.stages
    stage = "peer" if stages["peer"].network is not None else "placements"
    net = stages["peer"].network if stage == "peer" else _placement_network(done)
    out: dict[str, Any] = {"stage": stage, "arcs": int(net.n_arcs), "nodes": int(net.n_nodes)}
    backends = ["auto", "highs"] + [b for b in ("ortools", "networkx") if b in available_backends()]
    if scale == "national":
        backends.remove("networkx")  # hours, by the region's figures
    costs = {}
    for backend in backends:
        seconds, flow = _timed(lambda backend=backend: solve(net, backend=backend))
        out[f"{backend}_s"] = seconds
        costs[backend] = (flow.amount, flow.cost)
    # OR-Tools alone: its min-cost flow for the amount matchwork's max-flow step found
    amount = costs["auto"][0]
    if "ortools" in available_backends():
        out["ortools_alone_s"], _ = _timed(lambda: min_cost_flow(net, amount, backend="ortools"))
    out["same_optimum"] = len(set(costs.values())) == 1
    out.update(_lsa(done))
    return out


def _lsa(done: Any) -> dict[str, Any]:
    """The site stage alone as an assignment on expanded slots: SciPy LSA against matchwork.assign."""
    from scipy.optimize import linear_sum_assignment

    import matchwork as mw

    table = done.result.scores.site
    cap = done.result.scores.capacities.position_open
    ok = table.feasible("site")
    n_c, n_p = len(table.candidate_ids), len(table.partner_ids)
    slots = np.repeat(np.arange(n_p), cap)
    if n_c * len(slots) > LSA_MAX_CELLS:
        return {"lsa_s": None, "lsa_note": f"{n_c} x {len(slots)} slots does not fit in memory"}
    scores = np.zeros((n_c, n_p))
    scores[table.rows[ok], table.cols[ok]] = table.total[ok]
    feasible = np.zeros((n_c, n_p), dtype=bool)
    feasible[table.rows[ok], table.cols[ok]] = True
    big = 1e6  # placing comes first: every feasible slot is worth more than any score difference

    def lsa() -> float:
        m = np.where(feasible[:, slots], big + scores[:, slots], 0.0)
        r, c = linear_sum_assignment(m, maximize=True)
        keep = feasible[r, slots[c]]
        return float(scores[r[keep], slots[c[keep]]].sum())

    t_lsa, v_lsa = _timed(lsa)
    t_mw, (r, c) = _timed(lambda: mw.assign(scores, cap, feasible=feasible))
    return {"lsa_s": t_lsa, "assign_s": t_mw, "lsa_same_total": bool(abs(v_lsa - scores[r, c].sum()) < 1e-6)}


def one_scale(scale: str) -> dict[str, Any]:
    """Run one scale in this process and return its figures."""
    import matchwork as mw
    from matchwork.batch import run

    size = SCALES[scale]
    t_synth, rnd = _timed(
        lambda: mw.synth.round(size["n"], seed=0, n_guides=size["guides"], n_sites=size["sites"], n_peers=size["peers"])
    )
    kernel = _kernel_rate(rnd)
    with tempfile.TemporaryDirectory() as tmp:
        source = rnd.to_csv_dir(Path(tmp) / "round")
        del rnd
        total, done = _timed(lambda: run(source, Path(tmp) / "out"))
        peak_run = _peak_gib()  # before the peer solvers add their own
        timings = dict(done.timings)
        peers = _peers(done, scale)
        objective = done.result.objective
    solve = timings["site_and_lead"] + timings["squad"] + timings["peer"]
    return {
        "scale": scale,
        "size": size,
        "synth_s": t_synth,
        "stages_s": timings,
        "solve_s": solve,
        "end_to_end_s": total,
        "peak_gib": peak_run,
        "peak_with_peers_gib": _peak_gib(),
        "kernel": kernel,
        "peers": peers,
        "matched": objective["matched"],
    }


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import matchwork

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "matchwork": matchwork.__version__,
        "date": dt.date.today().isoformat(),
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _table(results: list[dict[str, Any]]) -> str:
    stages = ["load", "score", "site_and_lead", "squad", "peer", "explain", "write"]
    head = "| scale | candidates | " + " | ".join(stages) + " | end to end | peak memory |"
    lines = [head, "|" + "---|" * (len(stages) + 4)]
    for r in results:
        cells = [f"{r['stages_s'].get(s, float('nan')):.2f} s" for s in stages]
        lines.append(
            f"| {r['scale']} | {r['size']['n']:,} | " + " | ".join(cells) + f" | {r['end_to_end_s']:.1f} s | "
            f"{r['peak_gib']:.2f} GiB |"
        )
    lines += [
        "",
        "| scale | network | matchwork solve | HiGHS | OR-Tools (max-flow + min-cost) | OR-Tools min-cost alone "
        "| NetworkX | same optimum | SciPy LSA (site stage) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        p = r["peers"]
        base = p.get("auto_s")

        def rel(key: str, p: dict[str, Any] = p, base: float | None = base) -> str:
            v = p.get(key)
            return "—" if v is None else f"{v:.3f} s ({_ratio(v, base):.2f}×)"

        lsa = "—" if p.get("lsa_s") is None else f"{p['lsa_s']:.3f} s (matchwork.assign {p['assign_s']:.3f} s)"
        lines.append(
            f"| {r['scale']} | {p['stage']}, {p['arcs']:,} arcs | {base:.3f} s (1×) | {rel('highs_s')} | "
            f"{rel('ortools_s')} | {rel('ortools_alone_s')} | {rel('networkx_s')} | "
            f"{'yes' if p['same_optimum'] else '**no**'} | {lsa} |"
        )
    return "\n".join(lines)


def _verdicts(results: list[dict[str, Any]]) -> list[str]:
    by = {r["scale"]: r for r in results}
    out = []

    def verdict(name: str, value: float | None, target: float, *, most: bool = True, unit: str = "") -> None:
        if value is None:
            out.append(f"- {name}: not measured")
            return
        met = value <= target if most else value >= target
        factor = value / target if most else target / value
        text = "met" if met else f"**missed** by {factor:.1f}×"
        out.append(f"- {name}: {value:.3g}{unit} against {'≤' if most else '≥'} {target:.3g}{unit} — {text}")

    if "national" in by:
        n = by["national"]
        verdict("national end to end", n["end_to_end_s"], TARGETS["national_end_to_end_s"], unit=" s")
        verdict("national peak memory", n["peak_gib"], TARGETS["national_peak_gib"], unit=" GiB")
        p = n["peers"]
        verdict("national solve / OR-Tools on the same graph", _ratio(p.get("auto_s"), p.get("ortools_alone_s")), 1.5)
    if "province" in by:
        verdict("province end to end", by["province"]["end_to_end_s"], TARGETS["province_end_to_end_s"], unit=" s")
    if "region" in by:
        p = by["region"]["peers"]
        verdict("region NetworkX / matchwork solve", _ratio(p.get("networkx_s"), p.get("auto_s")), 50, most=False)
    best = max(r["kernel"]["pair_features_per_s"] for r in results)
    verdict("scoring kernel, pair-features per second", best, TARGETS["pair_features_per_s"], most=False)
    return out


def _plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "matchwork"
    import matplotlib.pyplot as plt

    n = [r["size"]["n"] for r in results]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for stage in ["load", "score", "site_and_lead", "squad", "peer", "explain", "write"]:
        ax.plot(n, [max(r["stages_s"].get(stage, np.nan), 1e-4) for r in results], marker="o", label=stage)
    ax.plot(n, [r["end_to_end_s"] for r in results], color="black", linewidth=2, marker="s", label="end to end")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("candidates in the round")
    ax.set_ylabel("seconds")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, ncols=2)
    fig.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None})


def _slopes(results: list[dict[str, Any]]) -> list[str]:
    if len(results) < 2:
        return []
    n = np.log([r["size"]["n"] for r in results])
    out = []
    for stage in ["load", "score", "site_and_lead", "squad", "peer", "explain", "write"]:
        t = np.log([max(r["stages_s"].get(stage, np.nan), 1e-4) for r in results])
        out.append(f"- `{stage}`: time grows as n^{np.polyfit(n, t, 1)[0]:.2f}")
    return out


def write_docs(report: dict[str, Any]) -> None:
    results = report["results"]
    table = _table(results)
    (RESULTS / "latest.md").write_text(table + "\n", encoding="utf-8")
    _plot(results, ROOT / "docs" / "img" / "performance.svg")
    m = report["machine"]
    generated = "\n".join(
        [
            "<!-- generated by benchmarks/run.py: do not edit below -->",
            f"Measured on {m['date']}: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, "
            f"Python {m['python']}, matchwork {m['matchwork']}.",
            "",
            table,
            "",
            "Solver ratios are against matchwork's solve of the same network in the same process",
            '(`backend="auto"`: SciPy\'s Dinic max-flow for the most placed, then OR-Tools for the',
            "least cost). Peak memory is the run's own, before the peer solvers; with them: "
            + ", ".join(f"{r['scale']} {r.get('peak_with_peers_gib', float('nan')):.2f} GiB" for r in results)
            + ".",
            "",
            "### Targets",
            "",
            *_verdicts(results),
            "",
            "### How cost grows with size",
            "",
            "![time against round size, log-log](img/performance.svg)",
            "",
            "Fitted on the three scales (log time against log candidates):",
            "",
            *_slopes(results),
            "",
        ]
    )
    page = ROOT / "docs" / "performance.md"
    text = page.read_text(encoding="utf-8") if page.exists() else "# Performance\n\n"
    marker = "<!-- generated by benchmarks/run.py"
    text = text[: text.index(marker)] if marker in text else text
    page.write_text(text.rstrip() + "\n\n" + generated, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=list(SCALES), choices=list(SCALES))
    parser.add_argument("--one", choices=list(SCALES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_scale(args.one)))
        return 0
    results = []
    for scale in args.scales:
        print(f"benchmark: {scale} …", file=sys.stderr, flush=True)
        proc = subprocess.run([sys.executable, __file__, "--one", scale], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"  end to end {results[-1]['end_to_end_s']:.1f} s", file=sys.stderr, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {"machine": _machine(), "targets": TARGETS, "results": results}
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    write_docs(report)
    print(_table(results))
    print("\n".join(_verdicts(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
