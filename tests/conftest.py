from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import matchwork as mw

# CI draws the same examples on every run (derandomised), so that a red build is a change of the code and can be
# rerun to the same failure; "explore" draws anew each run (as the release profile does, with more examples)
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True, suppress_health_check=_QUIET)
settings.register_profile("explore", max_examples=40, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("release", max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def small_round() -> mw.Round:
    return mw.synth.round(60, seed=7)


@pytest.fixture(scope="session")
def demo_round() -> mw.Round:
    return mw.synth.round(300, seed=0)
