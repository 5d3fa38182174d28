"""Draw the joint problem of a tiny synthetic round, and what the engine chose: docs/img/solver-joint.svg.

Layers from left to right: the people, the positions the rules allow them (grey
lines; red where chosen), and each site's guide workers, with the chosen lead
(red) and squad (red, dashed) of each person placed. Run
``python tools/draw_solver_network.py`` after changing the formulation.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import matchwork as mw

OUT = Path(__file__).resolve().parent.parent / "docs" / "img" / "solver-joint.svg"


def main() -> None:
    rnd = mw.synth.round(8, seed=46, n_sites=3, n_guides=10, n_peers=1)  # a seed where several compete
    result = mw.match(rnd)
    a = result.scores.arrays
    opt = result.stages["joint"].options
    usable = opt["usable"]
    people = sorted(set(opt["cand"][usable].tolist()))
    positions = sorted(set(opt["pos"][usable].tolist()))
    sites = sorted({int(a.positions.site[p]) for p in positions})
    guides = [g for s in sites for g in np.flatnonzero(a.guides.site == s).tolist()]
    y_person = {c: -i for i, c in enumerate(people)}
    y_pos = {p: -i * (len(people) - 1) / max(len(positions) - 1, 1) for i, p in enumerate(positions)}
    y_guide = {g: -i * (len(people) - 1) / max(len(guides) - 1, 1) for i, g in enumerate(guides)}
    fig, ax = plt.subplots(figsize=(12, 6.5))
    pairs = {(int(c), int(p)) for c, p in zip(opt["cand"][usable], opt["pos"][usable], strict=True)}
    asg = result.assignments.set_index("candidate_id")
    chosen = {}
    for c in people:
        row = asg.loc[str(a.candidates.ids[c])]
        if row.status == "matched":
            chosen[c] = (
                a.positions.index[row.position_id],
                a.guides.index[row.lead_guide_id],
                [a.guides.index[g] for g in row.squad_ids],
            )
    for c, p in sorted(pairs):
        red = c in chosen and chosen[c][0] == p
        ax.plot([0, 1], [y_person[c], y_pos[p]], color="#c0392b" if red else "#cccccc", lw=2 if red else 0.8)
    for _c, (p, lead, squad) in chosen.items():
        ax.plot([1, 2], [y_pos[p], y_guide[lead]], color="#c0392b", lw=2)
        for g in squad:
            ax.plot([1, 2], [y_pos[p], y_guide[g]], color="#c0392b", lw=1.2, ls="--")
    for c in people:
        ax.text(-0.03, y_person[c], str(a.candidates.ids[c]), ha="right", va="center", fontsize=9)
    for p in positions:
        ax.plot(1, y_pos[p], "s", color="#2c3e50")
        ax.text(1, y_pos[p] + 0.18, str(a.positions.ids[p]), ha="center", fontsize=8)
    for g in guides:
        lead = "★ " if a.guides.can_lead[g] else ""
        ax.plot(2, y_guide[g], "o", color="#2c3e50")
        label = f"{lead}{a.guides.ids[g]} ({a.sites.ids[a.guides.site[g]]})"
        ax.text(2.03, y_guide[g], label, ha="left", va="center", fontsize=8)
    ax.set_xlim(-0.4, 2.6)
    ax.axis("off")
    ax.set_title(
        "people — positions — guide workers of the site (★ may lead): red, the choice; dashed, the squad", pad=20
    )
    fig.tight_layout()
    fig.savefig(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
