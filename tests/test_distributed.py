"""Scoring through any concurrent.futures Executor: a Dask cluster gives the same result as serial."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

import matchwork as mw
from matchwork.scoring.scorer import Scorer


def _same_tables(a: mw.Scores, b: mw.Scores) -> None:
    for stage in ("site", "guide", "peer"):
        x, y = a[stage], b[stage]
        np.testing.assert_array_equal(x.rows, y.rows)
        np.testing.assert_array_equal(x.cols, y.cols)
        np.testing.assert_array_equal(x.reasons, y.reasons)
        np.testing.assert_array_equal(x.total, y.total)


@pytest.fixture(scope="module")
def rnd() -> mw.Round:
    return mw.synth.round(400, seed=11)


def test_process_pool_gives_the_serial_scores(rnd: mw.Round, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mw.scoring.scorer, "_BLOCK_PAIRS", 3_000)  # many blocks
    with ProcessPoolExecutor(max_workers=2) as pool:
        parallel = Scorer(rnd).scores(dense=False, executor=pool)
    _same_tables(parallel, Scorer(rnd).scores(dense=False))


def test_a_dask_local_cluster_gives_the_serial_result(rnd: mw.Round) -> None:
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        executor = client.get_executor()
        scores = Scorer(rnd).scores(dense=False, executor=executor)
        result = mw.match(rnd, executor=executor)
    _same_tables(scores, Scorer(rnd).scores(dense=False))
    pd.testing.assert_frame_equal(result.assignments, mw.match(rnd).assignments)


@pytest.mark.parametrize("pool", ["thread", "process"])
def test_dense_blocks_in_an_executor_give_the_serial_table(
    rnd: mw.Round, monkeypatch: pytest.MonkeyPatch, pool: str
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(mw.scoring.scorer, "_DENSE_BLOCK_PAIRS", 2_000)  # many blocks, the last one short
    scorer = Scorer(rnd)
    serial = scorer.dense("site")
    assert len(serial) // 2_000 > 10
    make = ThreadPoolExecutor if pool == "thread" else ProcessPoolExecutor
    with make(max_workers=2) as executor:
        parallel = scorer.dense("site", executor=executor)
    for name in ("rows", "cols", "reasons", "flags", "total"):
        np.testing.assert_array_equal(getattr(parallel, name), getattr(serial, name))
    for f in serial.feature_names:
        np.testing.assert_array_equal(parallel.values[f], serial.values[f])
