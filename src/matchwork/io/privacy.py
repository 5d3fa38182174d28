"""Pseudonymisation: a round that can leave the office.

:func:`pseudonymize` replaces every id and every name with a stable keyed hash
(HMAC-SHA256 under a key the office keeps), consistently across the references
that tie the round together — a guide's site, a relationship's ends, a pin, a care
team. The same id under the same key always gives the same pseudonym, so rounds
pseudonymised months apart still line up; without the key the pseudonyms cannot be
reversed or recomputed from a guessed id.

Examples
--------
>>> import matchwork as mw
>>> rnd = mw.synth.round(30, seed=0)
>>> p = pseudonymize(rnd, key="office secret")
>>> p.candidates[0].id.startswith("C-"), p.candidates[0].name == rnd.candidates[0].name
(True, False)
>>> mw.match(p).metrics["matched"] == mw.match(rnd).metrics["matched"]
True
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from matchwork.model.round import Round

__all__ = ["pseudonymize"]

_ID_FIELDS = {"id", "site_id", "position_id", "candidate_id", "partner_id", "a", "b", "cooperative_id"}
_ID_LIST_FIELDS = {"excluded_ids", "care_team"}
_PREFIX = {
    "candidates": "C",
    "guides": "G",
    "peers": "P",
    "sites": "S",
    "tutors": "T",
    "operators": "O",
    "cooperatives": "K",
}


class _Pseudonyms:
    def __init__(self, key: bytes, roles: dict[str, str]):
        self.key, self.roles = key, roles

    def id(self, value: str) -> str:
        digest = hmac.new(self.key, f"id:{value}".encode(), hashlib.sha256).hexdigest()[:16]
        return f"{self.roles.get(value, 'X')}-{digest}"

    def name(self, table: str, owner: str) -> str:
        digest = hmac.new(self.key, f"name:{owner}".encode(), hashlib.sha256).hexdigest()[:8]
        return f"{_PREFIX.get(table, 'N')} {digest}"


def _walk(node: Any, table: str, p: _Pseudonyms) -> Any:
    if isinstance(node, list):
        return [_walk(x, table, p) for x in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    owner = node.get("id")
    for field, value in node.items():
        if field in _ID_FIELDS and isinstance(value, str):
            out[field] = p.id(value)
        elif field in _ID_LIST_FIELDS and isinstance(value, list):
            out[field] = [p.id(v) for v in value]
        elif field == "name" and isinstance(owner, str):
            out[field] = p.name(table, owner)
        elif field == "positions":
            out[field] = _walk(value, "positions", p)
        else:
            out[field] = value
    return out


def pseudonymize(rnd: Round, key: str | bytes) -> Round:
    """The round with every id and name replaced by a stable keyed hash.

    Parameters
    ----------
    rnd : Round
    key : str or bytes
        The office's secret; at least 8 characters. Keep it: it is what makes the
        pseudonyms stable from round to round, and what keeps them from being
        recomputed by anyone else.

    Returns
    -------
    Round
        The same round — the same matches, scores and reasons — under pseudonyms.
        Positions keep their titles, sites their sector and location; the round's
        name becomes ``"pseudonymised round"``, and its reviewer a pseudonym too.
    """
    secret = key.encode() if isinstance(key, str) else bytes(key)
    if len(secret) < 8:
        raise ValueError("the pseudonymisation key must be at least 8 characters long")
    doc = json.loads(rnd.to_json())
    roles = {}
    for table, prefix in _PREFIX.items():
        for record in doc[table]:
            roles[record["id"]] = prefix
            for pos in record.get("positions", []):
                roles[pos["id"]] = "S"
    p = _Pseudonyms(secret, roles)
    for table in (*_PREFIX, "relationships", "pairings", "pins", "forbids"):
        doc[table] = _walk(doc[table], table, p)
    doc["name"] = "pseudonymised round"
    reviewer = doc.get("review", {}).get("reviewer")
    if reviewer:  # the responsabile inserimenti is a person too
        doc["review"]["reviewer"] = p.name("reviewers", reviewer)
    return Round.from_json(doc)
