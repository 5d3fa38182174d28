"""Write docs/explanations.md from the demo round (300 candidates, seed 0), so its examples are real.

Run ``python tools/gen_explanation_docs.py``; ``tests/test_docs.py`` fails when the
page no longer matches what the library says.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matchwork as mw

PAGE = Path(__file__).resolve().parent.parent / "docs" / "explanations.md"

INTRO = """# Explanations

Every pairing matchwork makes comes with its reasons, read back from the same
numbers the solver used: nothing is re-estimated for the explanation.

- **`result.explain(candidate_id, audience="case_team", lang="it")`** returns an
  `Explanation`: per stage (site and position, lead guide worker, squad, peer
  supporter) the partner chosen, its score out of 100 and each criterion's points
  (weight × value — they add up exactly to the score), its rank among the options
  the rules allow, the better options not taken and why, and the limits that were
  reached. `.text` prints it, Jupyter renders it as HTML, `.to_dict()` keeps it.
- **Why an option was not taken.** *A rule* forbids it (in the words of
  [scoring.md](scoring.md)); or *no room*: a limit is full — the position's
  openings, the site's legal trainee limit, its company tutors' limit, or every
  guide worker who could lead the person — named with its figures, and only if the
  loads table (`result.loads`) shows it full; the case team also reads what one
  more place there would be worth; or *a trade-off*: it was allowed and had room,
  but the round as a whole is better without it.
- **Unmatched candidates** (`result.unmatched_reasons`): either the rules leave no
  position with a lead guide (`no_feasible_option`, with the rules counted), or
  every allowed option is blocked by a full limit (`capacity_taken`, the limits
  named in `limits` with their figures).
- **`result.suggest(candidate_id, k=5)`**: the best allowed positions, then the lead
  guides and squad members *at those sites*, then peer supporters, each with every
  criterion's points.
- **`result.capacity_prices()`**: for every site, guide worker and peer supporter at
  capacity, what one more slot would add — placements first, then points, stage by
  stage (`gain` is the first stage that changes, never negative: a slot only
  relaxes its stage). Each price is a full re-solve.

## What if? (`result.why_not`)

`result.why_not(candidate_id, partner_id, lang="it")` answers "why not this pair?"
the way the engine decides, lexicographically:

1. **Is the pair allowed?** If not, every rule that forbids it; for a guide worker
   of a site the person cannot go to, the chain "G works at S; S is not possible
   for C because …". A pin that cannot be honoured is also not possible, with its
   reason. Forcing the partner the person already has costs 0 and moves nobody.
2. **What does forcing it cost?** The round is solved again with exactly one more
   pin — same capacities, pairings in place and policy — and the two results are
   compared stage by stage on what each stage optimises: first the people it
   serves (placements, squad places left empty, peer supporters; under the `fair` objective
   then the lowest score), then its points (scores, plus the continuity bonus for
   pairings kept, minus load costs). The **headline** is the first tier that
   changes; since the engine is exact it never improves. A later stage may gain
   what an earlier one lost, and the text says so.
3. **Who is affected?** `displaced` lists everyone else who loses something (a
   worse or no site, lead, squad or peer supporter, or the same score elsewhere);
   `gained` lists, apart, those who only gain.

`cost` is the points lost in the first stage that changes, `unplaced` the
placements lost, `cost_by_stage` every stage's points, and `tiers_before` /
`tiers_after` the full comparison.

## Audiences

| audience | sees |
|---|---|
| `case_team` | everything: points, ranks, alternatives with their limits and prices |
| `site` | only its own placed trainees: position, lead guide and squad with each criterion's points, and the adjustments to prepare; never an unmatched candidate, other companies' places, or a criterion or rule that reads a field marked sensitive (told as "a confidential reason") |
| `candidate` | their own pairing in the second person, why it suits them, the other sites considered and why not; no points and no other person's name; their own data, and the lived experience their peer supporter shares; other people's sensitive data stays confidential |
| `peer` | only the peer-supporter stage, without points, and nothing sensitive |

Redaction is not a hand-kept list: each rule and criterion declares the profile
fields it reads (`Rule.reads`, `Feature.reads`), and whatever the schema marks
`"sensitive": true` is hidden as above. The test suite plants sentinel values in
every sensitive field and checks every audience's output over whole rounds.

## Examples from the demo round

`matchwork demo` matches a synthetic round of 300 candidates in the Mantova
province (seed 0). The texts below are that round's, generated by
`tools/gen_explanation_docs.py` and checked by the test suite.
"""


def page() -> str:
    result = mw.match(mw.synth.round(300, seed=0))
    asg = result.assignments
    matched = asg[(asg.status == "matched") & asg.peer_id.notna()].candidate_id.iloc[0]
    unmatched = result.unmatched_reasons.query("reason == 'capacity_taken'").candidate_id.iloc[0]
    parts = [INTRO]
    for title, cid in (("A matched candidate", matched), ("An unmatched candidate", unmatched)):
        parts.append(f"### {title}: {cid}\n")
        for lang, name in (("it", "Italiano, per l'équipe"), ("en", "English, for the case team")):
            parts.append(f"**{name}**\n\n```text\n{result.explain(cid, lang=lang, prices=False).text}\n```\n")
        parts.append(f"**Italiano, per la persona**\n\n```text\n{result.explain(cid, 'candidate', 'it').text}\n```\n")
        parts.append(f"**English, for the host site**\n\n```text\n{result.explain(cid, 'site', 'en').text}\n```\n")
    parts.append("### A worked what-if\n")
    parts.append(
        f"{matched} was placed; would another candidate have fitted that position? The first unmatched "
        "candidate for whom forcing it is possible:\n"
    )
    position = asg.set_index("candidate_id").at[matched, "position_id"]
    for other in asg[asg.status == "unmatched"].candidate_id:
        w = result.why_not(other, position, lang="it")
        if w.feasible:
            break
    for lang in ("it", "en"):
        text = result.why_not(other, position, lang=lang).text
        parts.append(
            f"```python\n>>> result.why_not({other!r}, {position!r}, lang={lang!r}).text\n```\n\n```text\n{text}\n```\n"
        )
    tiers = "\n".join(
        f"{s:6} {t:8} {b:12.4f} {a:12.4f}" for (s, t, b), (_, _, a) in zip(w.tiers_before, w.tiers_after, strict=True)
    )
    parts.append(f"The tiers compared (stage, tier, without the pin, with it):\n\n```text\n{tiers}\n```\n")
    forbidden = next(
        (c, p) for c in asg[asg.status == "unmatched"].candidate_id for p in asg.site_id.dropna().unique()
        if not result.why_not(c, p).feasible
    )  # fmt: skip
    parts.append(
        f"A pair the rules forbid:\n\n```text\n{result.why_not(*forbidden, lang='it').text}\n"
        f"{result.why_not(*forbidden, lang='en').text}\n```\n"
    )
    return "\n".join(parts)


def main() -> int:
    PAGE.write_text(page(), encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
