"""A year of the Mantova programme: monthly rounds with arrivals, endings, hires and breakdowns, kept in a database.

Each month brings synthetic arrivals (``matchwork.synth``); the next round is built
from the history (pairings in place, relationships, pairs in cool-down, loads),
matched, approved and recorded. Between rounds some placements end in a hire or run
their course, some pairings break down, squads and peer support finish, and some
people who are still waiting withdraw. The history lives in a real database (SQLite
in memory unless ``--db`` names another), driven through the Python API or, with
``--cli``, through ``matchwork run`` outputs and the ``matchwork programme`` commands.

    python examples/programme_year.py                  # twelve months: prints the table and the checks
    python examples/programme_year.py --months 3 --cli
    python examples/programme_year.py --docs           # also rewrites the year in docs/programme.md and its chart

The checks say what holds over the year: no pairing in place changes without a
recorded reason; no pair whose pairing broke down is paired again within the
cool-down; guide workers' and peer supporters' loads stay within their caps.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

import matchwork as mw
from matchwork.programme import Programme

ROOT = Path(__file__).resolve().parent.parent
START = dt.date(2026, 1, 12)
APPROVER = "Responsabile inserimenti"

RATES: dict[str, float] = {
    "hired": 0.10,  # a placement of two months or more ends in a hire
    "completed": 0.30,  # a placement of five months or more runs its course
    "site_breakdown": 0.03,
    "lead_breakdown": 0.03,
    "squad_breakdown": 0.02,
    "squad_completed": 0.50,  # a squad pairing of four months or more ends
    "peer_breakdown": 0.04,
    "peer_completed": 0.30,  # peer support of six months or more ends
    "withdrew": 0.08,  # someone waiting withdraws
}
"""Monthly chance of each ending (per pairing, or per person waiting)."""

COLUMNS = [
    "month", "date", "arrivals", "candidates", "placed", "waiting", "ongoing", "hires", "completed",
    "breakdowns", "withdrew", "changed", "guide_mean", "guide_max", "peer_mean", "peer_max", "peer_people",
]  # fmt: skip


@dataclasses.dataclass
class Year:
    """What a simulated year produced: the table per month, the database, and what the checks need."""

    table: pd.DataFrame
    programme: Programme
    policy: mw.Policy
    first: mw.Round
    open_before: list[tuple[dt.date, set[int]]]


# ---------------------------------------------------------------------- drivers: the API or the command line


class ApiDriver:
    """Drives the programme through the Python API."""

    def __init__(self, programme: Programme, policy: mw.Policy):
        self.programme, self.policy = programme, policy

    def record(self, rnd: mw.Round, on: dt.date) -> None:
        self.programme.record(mw.match(rnd, self.policy), approved_by=APPROVER, on=on)

    def end(self, candidate_id: str, role: str, on: dt.date, reason: str) -> None:
        self.programme.end(candidate_id, role, on=on, reason=reason, reported_by="tutor")

    def next_round(self, arrivals: list[mw.Candidate], on: dt.date) -> mw.Round:
        return self.programme.next_round(arrivals, on=on, name=f"Mantova {on:%Y-%m}")


class CliDriver:
    """Drives the programme as an office would: ``matchwork run`` outputs, then ``matchwork programme`` commands."""

    def __init__(self, url: str, policy: mw.Policy, folder: Path):
        from typer.main import get_command

        from matchwork.programme.cli import app

        self.url, self.policy, self.folder = url, policy, folder
        self.command = get_command(app)

    def run(self, *args: str) -> None:
        code = self.command.main([*args, "--db", self.url, "--quiet"], standalone_mode=False)
        if code not in (None, 0):
            raise RuntimeError(f"matchwork programme {args[0]} exited with {code}")

    def record(self, rnd: mw.Round, on: dt.date) -> None:
        out = self.folder / f"run-{on.isoformat()}"
        mw.batch.run(rnd, out, policy=self.policy)  # what `matchwork run ROUND --out RUN` writes
        self.run("record", str(out), "--approved-by", APPROVER, "--on", on.isoformat())

    def end(self, candidate_id: str, role: str, on: dt.date, reason: str) -> None:
        self.run("end", candidate_id, "--role", role, "--reason", reason, "--on", on.isoformat(), "--by", "tutor")

    def next_round(self, arrivals: list[mw.Candidate], on: dt.date) -> mw.Round:
        profiles = self.folder / f"arrivals-{on.isoformat()}.json"
        profiles.write_text(json.dumps({"candidates": [c.model_dump(mode="json") for c in arrivals]}), "utf-8")
        out = self.folder / f"round-{on.isoformat()}.json"
        self.run("next", "--out", str(out), "--on", on.isoformat(), "--profiles", str(profiles),
                 "--name", f"Mantova {on:%Y-%m}")  # fmt: skip
        return mw.Round.read(out)


# ---------------------------------------------------------------------- the year


def month_start(k: int, start: dt.date = START) -> dt.date:
    """The round date ``k`` months after ``start`` (same day of the month)."""
    m = start.month - 1 + k
    return start.replace(year=start.year + m // 12, month=m % 12 + 1)


def arrivals(k: int, n: int, seed: int) -> list[mw.Candidate]:
    """``n`` synthetic people arriving in month ``k``, with ids of their own."""
    fresh = mw.synth.round(n, seed=seed * 1000 + k, profile="cooperative").candidates
    return [c.model_copy(update={"id": f"M{k:02d}-{c.id}", "excluded_ids": frozenset()}) for c in fresh]


def endings(
    programme: Programme, after: dt.date, before: dt.date, rng: np.random.Generator, rates: dict[str, float]
) -> list[tuple[dt.date, str, str, str]]:
    """The endings of one month: ``(day, candidate_id, role, reason)``, in date order."""
    days = (before - after).days
    out = []
    for r in programme.pairings(on=after).itertuples():  # a company tutor's or desk operator's: with the placement
        age = (before - r.start_on).days
        chances = {
            "site": [("hired", rates["hired"] * (age >= 60)), ("completed", rates["completed"] * (age >= 150)),
                     ("breakdown", rates["site_breakdown"])],
            "lead_guide": [("breakdown", rates["lead_breakdown"])],
            "guide": [("completed", rates["squad_completed"] * (age >= 120)), ("breakdown", rates["squad_breakdown"])],
            "peer": [("completed", rates["peer_completed"] * (age >= 180)), ("breakdown", rates["peer_breakdown"])],
        }.get(r.role, [])  # fmt: skip
        for reason, p in chances:
            if rng.random() < p:
                out.append((after + dt.timedelta(days=int(rng.integers(1, days))), r.candidate_id, r.role, reason))
                break
    for cid in programme.waiting(after):
        if not len(programme.pairings(cid, on=after)) and rng.random() < rates["withdrew"]:
            out.append((after + dt.timedelta(days=int(rng.integers(1, days))), cid, "", "withdrew"))
    return sorted(out)


def simulate(
    months: int = 12,
    *,
    url: str = "sqlite://",
    seed: int = 0,
    first_size: int = 60,
    partners: tuple[int, int, int] = (24, 60, 10),
    monthly: int = 15,
    rates: dict[str, float] | None = None,
    policy: mw.Policy | None = None,
    cooldown_days: int = 90,
    cli: bool = False,
) -> Year:
    """Run the programme for ``months`` monthly rounds and return the table per month.

    Parameters
    ----------
    months : int
        Number of rounds, one a month from 12 January 2026.
    url : str
        The programme database (SQLAlchemy URL); default SQLite in memory.
    seed : int
        Seed of the arrivals and the endings.
    first_size, monthly : int
        Candidates of the first round, and arrivals a month.
    partners : (int, int, int)
        Sites, guide workers and peer supporters of the programme (from the first round).
    rates : dict, optional
        Monthly chances of each ending (:data:`RATES` by default).
    policy : Policy, optional
        The policy of every round; default the shipped one.
    cooldown_days : int
        The programme's re-match cool-down after a breakdown.
    cli : bool
        Drive through the command line instead of the Python API.
    """
    rates = {**RATES, **(rates or {})}
    policy = policy or mw.Policy.default()
    rng = np.random.default_rng(seed)
    programme = Programme(url)
    programme.configure(rematch_cooldown_days=cooldown_days)
    folder = Path(tempfile.mkdtemp(prefix="programme-year-"))
    driver: ApiDriver | CliDriver = CliDriver(url, policy, folder) if cli else ApiDriver(programme, policy)

    n_sites, n_guides, n_peers = partners
    first = mw.synth.round(
        first_size, seed=seed, n_sites=n_sites, n_guides=n_guides, n_peers=n_peers, date=START, profile="cooperative"
    )
    first = first.replace(name=f"Mantova {START:%Y-%m}")
    outside = _outside_loads(first)
    rows, open_before = [], []
    previous: dt.date | None = None
    for k in range(months):
        day = month_start(k)
        counts: Counter[str] = Counter()
        if previous is not None:
            for when, cid, role, reason in endings(programme, previous, day, rng, rates):
                if role and programme.pairings(cid, on=when).query("role == @role").empty:
                    continue  # already ended with the site this month
                driver.end(cid, role or None, when, reason)  # type: ignore[arg-type]
                counts["hires" if reason == "hired" else reason + ("s" if reason == "breakdown" else "")] += 1
        new = arrivals(k, monthly, seed) if k else []
        rnd = first if k == 0 else driver.next_round(new, day)
        open_before.append((day, set(programme.pairings(on=day).pairing_id)))
        driver.record(rnd, day)
        round_id = int(programme.rounds().round_id.iloc[-1])
        started = programme.pairings(on=day).query("opened_round_id == @round_id")
        loads = _load_shares(programme, policy, first, outside, day)
        rows.append(
            {
                "month": k + 1,
                "date": day,
                "arrivals": len(new) if k else len(first.candidates),
                "candidates": len(rnd.candidates),
                "placed": int((started.role == "site").sum()),
                "waiting": len(programme.waiting(day)),
                "ongoing": int((programme.pairings(on=day).role == "site").sum()),
                "hires": counts["hires"],
                "completed": counts["completed"],
                "breakdowns": counts["breakdowns"],
                "withdrew": counts["withdrew"],
                "changed": len(programme.changes(round_id)),
                **loads,
            }
        )
        previous = day
    return Year(pd.DataFrame(rows, columns=COLUMNS), programme, policy, first, open_before)


def _outside_loads(first: mw.Round) -> dict[str, float]:
    """What partners carry outside the programme: the first round's figures less its pairings in place."""
    in_place = Counter(p.partner_id for p in first.pairings if p.role.value in ("lead_guide", "guide"))
    out = {g.id: float(g.current_mentees - in_place[g.id]) for g in first.guides}
    return out | {p.id: p.hours_in_use for p in first.peers}


def guide_limit(g: mw.GuideWorker, policy: mw.Policy) -> int:
    """A guide worker's limit of newcomers at once."""
    return g.max_mentees if g.max_mentees is not None else policy.caps.guide_max_mentees


def peer_cap(p: mw.PeerSupporter, policy: mw.Policy, on: dt.date) -> float:
    """A peer supporter's weekly hours cap on a day (lower while new)."""
    caps = policy.caps
    cap = min(p.hours_per_week if p.hours_per_week is not None else np.inf, caps.peer_hours_per_week)
    new = p.started_on is not None and (on - p.started_on).days < caps.peer_new_months * 30.44
    return float(cap * (caps.peer_new_fraction if new else 1.0))


def _load_shares(
    programme: Programme, policy: mw.Policy, first: mw.Round, outside: dict[str, float], on: dt.date
) -> dict[str, float]:
    loads = programme.loads(on, policy).set_index(["kind", "partner_id"])
    guide = np.array(
        [(outside[g.id] + loads.people.get(("guide", g.id), 0)) / max(guide_limit(g, policy), 1) for g in first.guides]
    )
    peer = np.array(
        [
            (outside[p.id] + loads.hours.get(("peer", p.id), 0.0)) / max(peer_cap(p, policy, on), 1e-9)
            for p in first.peers
        ]
    )
    people = max((loads.people.get(("peer", p.id), 0) for p in first.peers), default=0)
    return {
        "guide_mean": round(float(guide.mean()), 2),
        "guide_max": round(float(guide.max()), 2),
        "peer_mean": round(float(peer.mean()), 2),
        "peer_max": round(float(peer.max()), 2),
        "peer_people": int(people),
    }


# ---------------------------------------------------------------------- what must hold


def silent_changes(year: Year) -> list[str]:
    """Pairings open before a round that are no longer open after it, without an end date and reason."""
    problems = []
    pairings = year.programme.pairings().set_index("pairing_id")
    for day, before in year.open_before:
        after = set(year.programme.pairings(on=day).pairing_id)
        for pid in sorted(before - after):
            row = pairings.loc[pid]
            if not isinstance(row.end_reason, str) or row.end_on is None or row.end_on > day:
                problems.append(f"pairing {pid} of {row.candidate_id} vanished on {day} without a reason")
        events = year.programme.history
        for pid in sorted(before - after):
            row = pairings.loc[pid]
            ends = events(row.candidate_id).query("event == 'ended' and partner_id == @row.partner_id")
            if row.end_reason not in set(ends.reason):
                problems.append(f"pairing {pid} of {row.candidate_id} ended without an 'ended' event")
    return problems


def cooldown_breaches(year: Year, days: int) -> list[str]:
    """Pairs whose pairing broke down and that were paired again within ``days``."""
    pairings = year.programme.pairings()
    broke = pairings[pairings.end_reason == "breakdown"]
    problems = []
    for r in broke.itertuples():
        partner = r.site_id if r.role == "site" else r.partner_id
        again = pairings[
            (pairings.candidate_id == r.candidate_id)
            & ((pairings.partner_id == partner) | ((pairings.role == "site") & (pairings.site_id == partner)))
            & (pairings.start_on >= r.end_on)
            & (pairings.start_on < r.end_on + dt.timedelta(days=days))
        ]
        if len(again):
            problems.append(f"{r.candidate_id} paired again with {partner} on {again.start_on.min()}")
    return problems


def cap_breaches(year: Year) -> list[str]:
    """Rounds after which a guide worker's newcomers or a peer supporter's hours exceed their cap."""
    outside = _outside_loads(year.first)
    problems = []
    for day in year.table.date:
        loads = year.programme.loads(day, year.policy).set_index(["kind", "partner_id"])
        for g in year.first.guides:
            n = outside[g.id] + loads.people.get(("guide", g.id), 0)
            if n > guide_limit(g, year.policy):
                problems.append(f"{day}: guide {g.id} follows {n:g} > {guide_limit(g, year.policy)}")
        for p in year.first.peers:
            hours = outside[p.id] + loads.hours.get(("peer", p.id), 0.0)
            if hours > peer_cap(p, year.policy, day) + 1e-9:
                problems.append(f"{day}: peer {p.id} gives {hours:g} h > {peer_cap(p, year.policy, day):g} h")
    return problems


# ---------------------------------------------------------------------- the docs page


def markdown(table: pd.DataFrame) -> str:
    """The year as a Markdown table."""
    head = ["month", "date", "arrivals", "in round", "placed", "waiting", "in placement", "hired",
            "completed (placements, squads, peer support)", "breakdowns", "withdrew", "changed by a round",
            "guide load, mean", "guide load, max", "peer hours, mean", "peer hours, max",
            "people per peer, max"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in table.to_dict("records"):
        cells = [str(r[c]) if c != "date" else r[c].isoformat() for c in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def chart(table: pd.DataFrame, path: Path) -> None:
    """Placements, hires and breakdowns per month, and loads against their caps (mean and most loaded)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "matchwork"
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 5.6), sharex=True, height_ratios=[3, 2])
    x = table.month.to_numpy()
    width = 0.27
    top.bar(x - width, table.placed, width, label="placed")
    top.bar(x, table.hires, width, label="hired")
    top.bar(x + width, table.breakdowns, width, label="breakdowns")
    top.plot(x, table.ongoing, color="black", marker="o", label="in placement")
    top.plot(x, table.waiting, color="grey", linestyle="--", marker=".", label="waiting")
    top.set_ylabel("people")
    top.legend(fontsize=7, ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    top.grid(True, axis="y", alpha=0.3)
    bottom.plot(x, table.guide_mean, marker="o", color="C0", label="guide workers, newcomers / limit")
    bottom.plot(x, table.guide_max, color="C0", linestyle=":", label="(the most loaded)")
    bottom.plot(x, table.peer_mean, marker="s", color="C1", label="peer supporters, hours / cap")
    bottom.plot(x, table.peer_max, color="C1", linestyle=":", label="(the most loaded)")
    bottom.axhline(1.0, color="red", linewidth=1)
    bottom.set_ylim(0, 1.15)
    bottom.set_ylabel("load, mean and max")
    bottom.set_xlabel("month")
    bottom.set_xticks(x)
    bottom.legend(fontsize=7, loc="lower right", ncols=2)
    bottom.grid(True, alpha=0.3)
    fig.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)


def write_docs(year: Year) -> None:
    """Rewrite the generated part of ``docs/programme.md`` and ``docs/img/programme_year.svg``."""
    chart(year.table, ROOT / "docs" / "img" / "programme_year.svg")
    t = year.table
    generated = "\n".join(
        [
            "<!-- generated by examples/programme_year.py --docs: do not edit below -->",
            "",
            markdown(t),
            "",
            "![placements, hires and breakdowns per month; loads against caps](img/programme_year.svg)",
            "",
            f"Over {len(t)} months: {t.placed.sum()} placements started, {t.hires.sum()} hires, "
            f"{t.completed.sum()} placements or supports completed, {t.breakdowns.sum()} breakdowns, "
            f"{t.withdrew.sum()} withdrawals; {t.changed.sum()} pairings in place changed by a round "
            "(each with its `changed` event).",
            "",
        ]
    )
    page = ROOT / "docs" / "programme.md"
    text = page.read_text(encoding="utf-8")
    marker = "<!-- generated by examples/programme_year.py"
    text = text[: text.index(marker)] if marker in text else text
    page.write_text(text.rstrip() + "\n\n" + generated, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--db", default="sqlite://", help="SQLAlchemy URL of the programme database.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cli", action="store_true", help="Drive through the matchwork programme commands.")
    parser.add_argument("--docs", action="store_true", help="Rewrite the year in docs/programme.md and its chart.")
    args, _ = parser.parse_known_args()
    year = simulate(args.months, url=args.db, seed=args.seed, cli=args.cli)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(year.table.to_string(index=False))
    days = year.programme.rematch_cooldown_days
    checks: dict[str, list[str]] = {
        "no pairing in place changed without a recorded reason": silent_changes(year),
        f"no breakdown pair paired again within {days} days": cooldown_breaches(year, days),
        "guide workers' and peer supporters' loads within their caps": cap_breaches(year),
    }
    for name, problems in checks.items():
        print(f"{'ok ' if not problems else 'NO '} {name}" + "".join(f"\n    {p}" for p in problems[:5]))
    if args.docs:
        write_docs(year)
        print(f"wrote {ROOT / 'docs' / 'programme.md'} and docs/img/programme_year.svg")


if __name__ == "__main__":
    main()
