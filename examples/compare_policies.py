# %% [markdown]
# # Comparing two policies on the demo round
#
# A jupytext-style script: open it in Jupyter (with jupytext) or run it with
# Python. It loads the demo round, changes one weight and one capacity, and
# compares the two results. The test suite runs it.

# %%
import pandas as pd

import matchwork as mw

rnd = mw.synth.round(300, seed=0)
base_policy = mw.Policy.default()
base = mw.match(rnd, base_policy)
base  # noqa: B018 - a notebook cell shows its last value

# %% [markdown]
# ## A different programme: commute weighs double, squads of one
#
# Weights are relative within a stage (each candidate's weights are scaled to
# sum to 100), so doubling ``commute`` makes a short trip matter more than the
# sector; a squad of one frees guide workers for more newcomers.

# %%
weights = {**base_policy.weights, "site": {**base_policy.weights["site"]}}
weights["site"]["commute"] = 2 * weights["site"]["commute"]
caps = base_policy.caps.model_copy(update={"squad_size": 1})
other_policy = base_policy.model_copy(update={"weights": weights, "caps": caps})
other = mw.match(rnd, other_policy)
other  # noqa: B018

# %% [markdown]
# ## What changed

# %%
a = base.assignments.set_index("candidate_id")
b = other.assignments.set_index("candidate_id")
comparison = pd.DataFrame(
    {
        "matched": [base.metrics["matched"], other.metrics["matched"]],
        "mean site score": [a.site_score.mean(), b.site_score.mean()],
        "mean squad size": [a.squad_ids.map(len).mean(), b.squad_ids.map(len).mean()],
        "total": [base.objective["total"], other.objective["total"]],
    },
    index=["default", "commute x2, squad of 1"],
)
moved = (a.site_id.fillna("") != b.site_id.fillna("")).sum()
print(comparison.round(2))
print(f"{moved} candidates change site")

# %% [markdown]
# ## One candidate under both policies

# %%
cid = next(c for c in a.index if a.at[c, "site_id"] != b.at[c, "site_id"] and a.at[c, "status"] == "matched")
print(base.explain(cid, lang="en").text)
print()
print(other.explain(cid, lang="en").text)
