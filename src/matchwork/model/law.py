"""What the law says about a round, as tables the outputs can show.

* :func:`durations` — the longest traineeship by category under the rule set in
  force (2017 national guidelines: 12 months, 24 for disabled people; Lombardy:
  12 for disadvantaged people, extendable to 24 with a competent third party's
  opinion, 24 for disabled people). Information: matching does not use it.
* :func:`candidate_durations` — the same for each candidate. It is derived from the
  L. 381/91 category, so it is sensitive: the case team's, never a host site's.
* :func:`cooperative_shares` — the L. 381/91 art. 4 share of disadvantaged workers
  of each type-B cooperative, on both readings of its base (of all workers, as the
  statute's words say; of the other workers, as some read it), now and if every
  disadvantaged trainee the round places at its sites were hired.

The legal trainee limit itself is a capacity (:mod:`matchwork.scoring.capacity`),
computed from the rule set of :mod:`matchwork.model.policy`; the sources of every
figure are in ``docs/scoring.md``.

Examples
--------
>>> import matchwork as mw
>>> rnd = mw.synth.round(300, seed=0)
>>> table = durations(mw.Policy.default(), rnd.region)
>>> table.set_index("category").loc["psychiatric_treatment", ["max_months", "extendable_to"]].tolist()
[12, 24]
>>> table.set_index("category").loc["physical_disability", "max_months"]
np.int64(24)
>>> shares = cooperative_shares(rnd)
>>> bool((shares["share_of_all"] <= shares["share_of_others"]).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from matchwork.model.policy import Policy
from matchwork.model.round import Round
from matchwork.model.vocab import L381_CATEGORIES, Category, Region

__all__ = ["L381_SHARE", "candidate_durations", "cooperative_shares", "durations"]

L381_SHARE = 0.30
"""L. 381/91 art. 4 c. 2: disadvantaged people are at least 30 % of a type-B cooperative's workers."""


def durations(policy: Policy | None = None, region: Region | str | None = None) -> pd.DataFrame:
    """The longest traineeship by category under the rule set in force for ``region``.

    Returns
    -------
    pandas.DataFrame
        One row per category (and ``None``: no category stated): ``category``,
        ``max_months``, ``extendable_to`` (0: no extension), ``condition`` of the
        extension, ``rule_set``.
    """
    policy = policy or Policy.default()
    name = policy.trainee_limits.name_for(region)
    rule_set = policy.trainee_limits.rule_sets[name]
    rows = []
    for category in (*Category, None):
        d = rule_set.duration(category)
        rows.append(
            {
                "category": None if category is None else category.value,
                "max_months": d.max_months,
                "extendable_to": d.extendable_to or 0,
                "condition": d.condition,
                "rule_set": name,
            }
        )
    return pd.DataFrame(rows).astype({"max_months": "int64", "extendable_to": "int64"})


def candidate_durations(rnd: Round, policy: Policy | None = None) -> pd.DataFrame:
    """Each candidate's longest traineeship under the round's rule set (sensitive: it follows the category).

    >>> import matchwork as mw
    >>> t = candidate_durations(mw.synth.round(30, seed=0))
    >>> list(t.columns), bool(t.max_months.isin([12, 24]).all())
    (['candidate_id', 'max_months', 'extendable_to', 'rule_set'], True)
    """
    policy = policy or Policy.default()
    name = policy.trainee_limits.name_for(rnd.region)
    rule_set = policy.trainee_limits.rule_sets[name]
    rows = []
    for c in rnd.candidates:
        d = rule_set.duration(c.category)
        rows.append(
            {"candidate_id": c.id, "max_months": d.max_months, "extendable_to": d.extendable_to or 0, "rule_set": name}
        )
    return pd.DataFrame(rows, columns=["candidate_id", "max_months", "extendable_to", "rule_set"])


def cooperative_shares(rnd: Round, placed: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Each type-B cooperative's share of disadvantaged workers (L. 381/91 art. 4), on both readings of the base.

    Parameters
    ----------
    rnd : Round
    placed : mapping of candidate id → site id, optional
        Who the round places where. Trainees are not workers: the projection says
        what the shares would become if every trainee of an L. 381/91 category
        placed at the cooperative's sites were hired at the end of the traineeship
        (seed 002: *stabilizzazione … tramite contratto di assunzione*).

    Returns
    -------
    pandas.DataFrame
        One row per cooperative: ``cooperative_id``, ``name``, ``year``, ``workers``,
        ``disadvantaged_workers``; ``share_of_all`` (disadvantaged ÷ all workers:
        the statute's words, "il trenta per cento dei lavoratori della cooperativa")
        and ``share_of_others`` (disadvantaged ÷ the other workers: the reading of
        DESIGN and of some federations), each with ``meets_30_*``; ``placed`` (trainees
        of an L. 381/91 category placed now at its sites) and the shares
        ``if_hired_*`` had they all been hired. Counted per head on the annual
        average, as given in the ``cooperatives`` table.
    """
    where = {s.id: s.cooperative_id for s in rnd.sites}
    category = {c.id: c.category for c in rnd.candidates}
    placed_here: dict[str, int] = {}
    for cid, site_id in (placed or {}).items():
        owner = where.get(site_id)
        if owner is not None and category.get(cid) in L381_CATEGORIES:
            placed_here[owner] = placed_here.get(owner, 0) + 1
    rows = []
    for coop in rnd.cooperatives:
        w, d, new = coop.workers, coop.disadvantaged_workers, placed_here.get(coop.id, 0)
        all_now, others_now = _share(d, w), _share(d, w - d)
        all_then, others_then = _share(d + new, w + new), _share(d + new, w - d)
        rows.append(
            {
                "cooperative_id": coop.id,
                "name": coop.name,
                "year": coop.year,
                "workers": w,
                "disadvantaged_workers": d,
                "share_of_all": all_now,
                "meets_30_of_all": all_now >= L381_SHARE,
                "share_of_others": others_now,
                "meets_30_of_others": others_now >= L381_SHARE,
                "placed": new,
                "if_hired_share_of_all": all_then,
                "if_hired_share_of_others": others_then,
            }
        )
    columns = [
        "cooperative_id",
        "name",
        "year",
        "workers",
        "disadvantaged_workers",
        "share_of_all",
        "meets_30_of_all",
        "share_of_others",
        "meets_30_of_others",
        "placed",
        "if_hired_share_of_all",
        "if_hired_share_of_others",
    ]
    return pd.DataFrame(rows, columns=columns)


def _share(part: int, whole: int) -> float:
    """``part / whole``; infinite when there is no one else to divide by (all workers disadvantaged)."""
    if whole > 0:
        return part / whole
    return float("inf") if part > 0 else 0.0
