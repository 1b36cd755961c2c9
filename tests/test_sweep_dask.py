"""The Dask path: the same sweep on a LocalCluster (loopback) gives the same results as local processes."""
from __future__ import annotations

import pandas as pd
import pytest

from experiments import SweepError, load_results, load_sweep, open_executor, run_sweep

from .test_sweep_support import write_spec


def test_sweep_on_a_dask_local_cluster_matches_local_processes(tmp_path):
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    scratch = tmp_path / "dask-scratch"
    scratch.mkdir()
    spec = load_sweep(write_spec(tmp_path, replicates=1))
    with dask.config.set({"temporary-directory": str(scratch)}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None, local_directory=str(scratch),
                                      silence_logs=40) as cluster:
            report = run_sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert report.ran == report.n_runs == 6 and not report.failed
    assert report.executor.startswith("Dask cluster tcp://127.0.0.1:")
    local = run_sweep(spec, tmp_path / "local", workers=0)
    assert not local.failed
    pd.testing.assert_frame_equal(load_results(tmp_path / "dask"), load_results(tmp_path / "local"))


def test_an_unreachable_scheduler_is_one_clear_error():
    with pytest.raises(SweepError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        with open_executor(scheduler="tcp://127.0.0.1:9", connect_timeout=1):
            pass
