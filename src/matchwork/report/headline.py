"""What holds placements back, read from a result: the headline of the report and of the outputs.

For every unmatched candidate, :func:`blockers` names what stood in the way, from
the result's own :attr:`~matchwork.MatchResult.unmatched_reasons`, whose limits are
those the :attr:`~matchwork.MatchResult.loads` table shows full:

``rules``
    no site and lead guide is allowed by the rules (the most frequent rule is kept);
``site``
    every possible site is full (legal trainee limit, company tutors, open positions);
``lead``
    a possible site has room, but none of its lead guides may take another newcomer;
``both``
    some possible sites are full, the others have no free lead guide;
``trade_off``
    a possible site has room and a free lead guide: the round as a whole does
    better with that place given to someone else.

:func:`headline` turns the counts into a few sentences in the user's language:
how many are placed, the main limit, where it bites most and, when capacity prices
were computed (:meth:`~matchwork.MatchResult.capacity_prices`, one re-solve per full
partner, so only when asked for), which one more place would place most people.

Examples
--------
>>> import matchwork as mw
>>> result = mw.match(mw.synth.round(60, seed=1))
>>> h = headline(result, "en")
>>> h.sentences[0]
'... people placed out of 60 (...%); ... peer supporters given of ... wanted.'
>>> set(blockers(result)["cause"]) <= {"both", "lead", "rules", "site", "squad", "trade_off"}
True
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from matchwork._validation import Lang, choice
from matchwork.i18n import plural, text
from matchwork.model.vocab import ReviewStatus

if TYPE_CHECKING:
    from matchwork.model.profiles import Review
    from matchwork.result import MatchResult

__all__ = ["CAUSES", "Headline", "blockers", "headline", "names", "reason_text", "review_line"]

CAUSES: tuple[str, ...] = ("lead", "site", "both", "rules", "squad", "trade_off")
"""What can hold a candidate back, in the order the headline weighs ties."""


@dataclasses.dataclass(frozen=True)
class Headline:
    """The headline of a round: counts, the main limit and sentences in one language."""

    placed: int
    total: int
    limit: str | None
    """The cause holding back most unmatched candidates (one of :data:`CAUSES`), or None if all are placed."""
    counts: dict[str, int]
    """Unmatched candidates by cause."""
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        """The sentences as one paragraph."""
        return " ".join(self.sentences)


_PLACE_LIMITS = frozenset({"position", "site", "site_legal", "site_tutors"})
"""Limits of a place (a position's openings, a site's legal or tutors' limit); the others are the lead guides'."""
_PLACE_PREFIXES = tuple(f"{kind} " for kind in sorted(_PLACE_LIMITS))


def blockers(result: MatchResult) -> pd.DataFrame:
    """What held back each unmatched candidate: ``candidate_id, area, cause, rule``.

    Read from :attr:`~matchwork.MatchResult.unmatched_reasons`: ``rules`` when no
    option is allowed (``rule`` is the rule that forbids most of the candidate's
    pairs), ``squad`` when no possible site has enough guide workers the rules allow
    for a full squad, ``trade_off`` when an option had room at every limit, and otherwise the
    kind of the full limits it names (with their figures from ``loads``): ``site``
    when they are all limits of places (a position's openings, a site's legal or tutors'
    limit), ``lead`` when they are all the lead guides' (their newcomers per round, or
    their total load), ``both`` when some are each.
    """
    reasons = result.unmatched_reasons
    area = {c.id: c.area for c in result.round.candidates}

    def cause(reason: str, limits: tuple[str, ...]) -> str:
        if reason == "no_feasible_option":
            return "rules"
        if reason == "trade_off":
            return "trade_off"
        if reason == "no_full_squad":
            return "squad"
        places = sum(1 for label in limits if label.startswith(_PLACE_PREFIXES))
        return "lead" if places == 0 else "site" if places == len(limits) else "both"

    return pd.DataFrame(
        {
            "candidate_id": reasons["candidate_id"],
            "area": reasons["candidate_id"].map(area),
            "cause": [cause(r, lim) for r, lim in zip(reasons["reason"], reasons["limits"], strict=True)],
            "rule": [r[0] if len(r) else "" for r in reasons["rules"]],
        },
        columns=["candidate_id", "area", "cause", "rule"],
    )


def reason_text(cause: str, rule: str, lang: str = "it") -> str:
    """A blocker in words, for one candidate (the ``motivo`` column of the outputs)."""
    if cause == "rules":
        rules = text(f"rule.{rule}", lang) if rule else text("headline.reason.trade_off", lang)
        return text("headline.reason.rules", lang, rules=rules)
    return text(f"headline.reason.{cause}", lang)


def names(result: MatchResult) -> dict[str, str]:
    """The name of every candidate, guide worker, peer supporter, company tutor, desk operator, site and position
    ("site – title"), by id."""
    rnd = result.round
    everyone: list[Any] = [*rnd.candidates, *rnd.guides, *rnd.peers, *rnd.tutors, *rnd.operators, *rnd.sites]
    named = {x.id: x.name for x in everyone}
    return named | {pos.id: f"{named[site]} – {pos.title}" for site, pos in rnd.positions}


def review_line(review: Review, lang: str = "it") -> str:
    """Where the round's matches stand, in one sentence: a draft awaiting its reviewer, or approved by whom and when.

    The first line of every output for people (the report's header, the "in breve" sheet,
    the command's summary). Only an approved review says "approved"; the time is as recorded,
    to the minute.

    >>> from matchwork.model.profiles import Review
    >>> review_line(Review(reviewer="R. Rossi"))
    'Abbinamenti in bozza, da approvare da parte di R. Rossi (responsabile degli inserimenti).'
    >>> review_line(Review(status="approved", reviewer="R. Rossi", approved_at="2026-02-02T10:30"), "en")
    'Matches approved by R. Rossi (head of placements) on 2026-02-02 at 10:30.'
    >>> review_line(Review(status="approved", reviewer="R. Rossi", approved_at="2026-02-02T10:30"))
    'Abbinamenti approvati da R. Rossi (responsabile degli inserimenti) il 02/02/2026 alle 10:30.'
    """
    choice("lang", lang, Lang)
    if review.status == ReviewStatus.APPROVED and review.approved_at is not None:
        at = review.approved_at
        day = at.strftime("%d/%m/%Y") if lang == "it" else at.date().isoformat()
        return text("review.approved", lang, reviewer=review.reviewer, day=day, time=at.strftime("%H:%M"))
    if review.reviewer:
        return text("review.draft", lang, reviewer=review.reviewer)
    return text("review.draft_unnamed", lang)


def _area_of(result: MatchResult, role: str, partner_id: str) -> str:
    rnd = result.round
    site_area = {s.id: s.area for s in rnd.sites}
    if role == "site":
        return site_area.get(partner_id, "")
    if role in ("lead_guide", "guide"):
        return next((site_area[g.site_id] for g in rnd.guides if g.id == partner_id), "")
    return next((", ".join(sorted(p.areas_served)) for p in rnd.peers if p.id == partner_id), "")


def headline(result: MatchResult, lang: str = "it", prices: pd.DataFrame | None = None) -> Headline:
    """The headline of a round in ``lang``; see the module docstring.

    Parameters
    ----------
    result : MatchResult
    lang : {"it", "en"}
    prices : DataFrame, optional
        :meth:`MatchResult.capacity_prices` if already computed: the best extra place is named.
    """
    choice("lang", lang, Lang)
    m = result.metrics
    placed, total = int(m["matched"]), int(m["candidates"])
    share = f"{100 * placed / total:.0f}%" if total else "–"
    sentences = [plural("count.placed", placed, lang, total=total, share=share)]
    if m["peers_wanted"]:
        sentences[0] += "; " + plural("count.peers", int(m["peers_given"]), lang, wanted=int(m["peers_wanted"]))
    sentences[0] += "."
    found = blockers(result)
    counts = {c: int((found["cause"] == c).sum()) for c in CAUSES}
    if placed == total:
        return Headline(placed, total, None, counts, (*sentences, text("headline.all_placed", lang)))
    limit = max(CAUSES, key=lambda c: (counts[c], -CAUSES.index(c)))
    cap = plural("count.newcomers", int(result.policy.caps.lead_newcomers), lang)
    sentences.append(text(f"headline.limit.{limit}", lang, cap=cap) if limit in ("lead", "both") else "")
    sentences[-1] = sentences[-1] or text(f"headline.limit.{limit}", lang)
    if limit == "both":  # which of the two to act on first: the full limits of each kind and whom they hold back
        named = result.unmatched_reasons[["candidate_id", "limits"]].explode("limits").dropna()
        at, labels = pd.factorize(named["limits"])  # a few hundred limits, named once per candidate they hold
        words = [str(label).split(" ") for label in labels]
        place = np.array([w[0] in _PLACE_LIMITS for w in words], dtype=bool)[at]
        partner = np.array([" ".join(w[:2]) for w in words], dtype=object)[at]
        who = named["candidate_id"].to_numpy()
        full = {"lead": len(set(partner[~place])), "place": len(set(partner[place]))}
        held = {"lead": len(set(who[~place])), "place": len(set(who[place]))}
        sentences.append(
            text(
                "headline.kinds",
                lang,
                leads=full["lead"],
                lead_people=plural("count.people", held["lead"], lang),
                places=full["place"],
                place_people=plural("count.people", held["place"], lang),
            )
        )
    for cause in sorted(CAUSES, key=lambda c: (-counts[c], CAUSES.index(c))):
        if not counts[cause]:
            continue
        rows = found[found["cause"] == cause]
        by_area = rows["area"].value_counts()
        top_area, in_area = str(by_area.index[0]), int(by_area.iloc[0])
        where = text("headline.where", lang, n=in_area, area=top_area) if len(by_area) > 1 else ""
        rule = ""
        if cause == "rules":
            codes = rows["rule"][rows["rule"] != ""]
            rule = text(f"rule.{codes.value_counts().index[0]}", lang) if len(codes) else text("explain.none", lang)
        sentences.append(plural(f"headline.cause.{cause}", counts[cause], lang, rule=rule, where=where))
    if prices is not None and len(prices) and int(prices["extra_matched"].max()) > 0:
        best = prices.sort_values(["extra_matched", "gain", "role", "partner_id"], ascending=[False, False, True, True])
        row = best.iloc[0]
        role, pid = str(row["role"]), str(row["partner_id"])
        sentences.append(
            plural(
                "headline.price",
                int(row["extra_matched"]),
                lang,
                name=names(result).get(pid, pid),
                id=pid,
                role=text(f"label.{role}", lang),
                area=_area_of(result, role, pid),
            )
        )
    return Headline(placed, total, limit, counts, tuple(sentences))
