"""Rules and features over profile arrays, weighted into score tables by the policy.

Examples
--------
>>> import matchwork as mw
>>> from matchwork.scoring import score
>>> score(mw.synth.round(30, seed=0)).site.stage
'site'
"""

from matchwork.scoring.scorer import Scorer, Scores, ScoreTable, score

__all__ = ["ScoreTable", "Scorer", "Scores", "score"]
