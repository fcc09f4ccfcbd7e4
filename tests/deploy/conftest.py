"""Fixtures of the deploy tests: MovieLens tables on moto's S3."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gs_testing import REPO, shared_data_path


@pytest.fixture(scope="session")
def ml_tables(tmp_path_factory):
    """MovieLens-100k tables (prepare.py), built once per session."""
    data = shared_data_path("movielens-100k")
    out = str(tmp_path_factory.mktemp("ml-tables"))
    subprocess.run([sys.executable, os.path.join(REPO, "examples/movielens/prepare.py"), "--data-dir", data,
                    "--output-dir", out], check=True, capture_output=True)
    return out


@pytest.fixture(autouse=True)
def _jobs_home(tmp_path, monkeypatch):
    """Local job folders go to the test's temp dir, never to ~."""
    monkeypatch.setenv("GS_SUBMIT_HOME", str(tmp_path / "jobs"))
