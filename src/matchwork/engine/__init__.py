"""The matching engine: each stage formulated as an exact optimisation, and :func:`match`."""

from matchwork.engine.engine import SCALE, Engine, hour_cost, hour_segments, match

__all__ = ["SCALE", "Engine", "hour_cost", "hour_segments", "match"]
