"""Draw the joint site + lead-guide network of a tiny synthetic round: docs/img/solver-network.svg.

The picture is the engine's own network (``result.stages["joint"].network``), laid
out in layers: source, candidates, lead guides, positions, sites, sink. Run
``python tools/draw_solver_network.py`` after changing the formulation.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import matchwork as mw

OUT = Path(__file__).resolve().parent.parent / "docs" / "img" / "solver-network.svg"


def main() -> None:
    rnd = mw.synth.round(6, seed=46, n_sites=3, n_guides=5, n_peers=1)  # a seed where several compete
    result = mw.match(rnd)
    net = result.stages["joint"].network
    a = result.scores.arrays
    sizes = [1, 1, len(a.candidates), len(a.guides), len(a.positions), len(a.sites)]
    starts = np.cumsum([0, *sizes[:-1]])
    layer_of = {0: 0, 1: 5}
    names = {0: "source", 1: "sink"}
    for layer, (start, n, ids) in enumerate(
        zip(starts[2:], sizes[2:], [a.candidates.ids, a.guides.ids, a.positions.ids, a.sites.ids], strict=True), start=1
    ):
        for k in range(n):
            layer_of[int(start + k)] = layer
            names[int(start + k)] = str(ids[k])
    used = set(net.tail[net.capacity > 0].tolist()) | set(net.head[net.capacity > 0].tolist())
    by_layer: dict[int, list[int]] = {}
    for node in sorted(used):
        by_layer.setdefault(layer_of[node], []).append(node)
    pos = {}
    for layer, nodes in by_layer.items():
        for i, node in enumerate(nodes):
            pos[node] = (layer * 2.2, (len(nodes) - 1) / 2 - i)
    fig, ax = plt.subplots(figsize=(13, 6.5))
    flow = result.stages["joint"].flow.flow
    options = set(result.stages["joint"].arcs.tolist())
    for arc in range(net.n_arcs):
        u, v = int(net.tail[arc]), int(net.head[arc])
        if net.capacity[arc] <= 0 or u not in pos or v not in pos:
            continue
        (x0, y0), (x1, y1) = pos[u], pos[v]
        chosen = flow[arc] > 0
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={
                "arrowstyle": "-|>",
                "color": "#c0392b" if chosen else "#9aa5b1",
                "lw": 2.2 if chosen else 0.8,
                "shrinkA": 9,
                "shrinkB": 9,
            },
        )
        mid = (x0 * 0.45 + x1 * 0.55, y0 * 0.45 + y1 * 0.55)
        label = f"−{-net.cost[arc] / mw.engine.SCALE:.0f}" if arc in options else f"≤{net.capacity[arc]}"
        if arc in options or u != 0:
            ax.text(
                *mid,
                label,
                fontsize=7,
                color="#34495e",
                ha="center",
                va="center",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            )
    for node, (x, y) in pos.items():
        ax.scatter([x], [y], s=380, color="#2c3e50" if node in (0, 1) else "#ecf0f1", edgecolor="#2c3e50", zorder=3)
        ax.text(x, y - 0.32, names[node], fontsize=7.5, ha="center", va="top")
    titles = [
        "source",
        "candidates",
        "lead guides\n(lead cap, convex)",
        "positions\n(openings)",
        "sites\n(legal ∧ tutor limit)",
        "sink",
    ]
    for layer, title in enumerate(titles):
        ax.text(layer * 2.2, max(p[1] for p in pos.values()) + 0.8, title, ha="center", fontsize=9, weight="bold")
    ax.set_axis_off()
    fig.suptitle(
        "Joint site + lead-guide network of a 6-candidate synthetic round — red: the optimal flow; "
        "option arcs cost −(site score + guide score)",
        fontsize=10,
        y=1.02,
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, bbox_inches="tight", metadata={"Date": None})
    fig.savefig(OUT.with_suffix(".png"), bbox_inches="tight", dpi=110)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
