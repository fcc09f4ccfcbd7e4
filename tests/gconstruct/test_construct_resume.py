"""A crashed gs-construct leaves no metadata.json; --resume skips the stages it completed."""

import filecmp
import os
import subprocess
import sys

import pytest

from construct_helpers import toy_config, write_config, write_toy_tables

RUN_TIMEOUT_S = 300


def _run(conf, out, *extra, fail_after=None):
    exe = os.path.join(os.path.dirname(sys.executable), "gs-construct")
    env = dict(os.environ)
    env.pop("GS_CONSTRUCT_FAIL_AFTER", None)
    if fail_after:
        env["GS_CONSTRUCT_FAIL_AFTER"] = fail_after
    return subprocess.run([exe, "--conf-file", conf, "--output-dir", out, "--num-parts", "2", "--part-method",
                           "metis", "--add-reverse-edges", *extra], env=env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S)


def _tree(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


@pytest.fixture()
def tables(tmp_path):
    write_toy_tables(str(tmp_path / "in"))
    conf = write_config(str(tmp_path / "in"), toy_config())
    clean = str(tmp_path / "clean")
    assert _run(conf, clean).returncode == 0
    return conf, clean


@pytest.mark.parametrize("stage", ["read", "partition"])
def test_crash_leaves_no_metadata_and_resume_skips_finished_stages(tables, tmp_path, stage):
    conf, clean = tables
    out = str(tmp_path / "out")
    crashed = _run(conf, out, fail_after=stage)
    assert crashed.returncode != 0 and "failing on purpose" in crashed.stderr
    assert not os.path.exists(os.path.join(out, "metadata.json"))
    assert os.path.exists(os.path.join(out, "_stages", f"{stage}.json"))
    # the inputs are gone: only a resumed run that really skips reading can finish
    for name in os.listdir(os.path.dirname(conf)):
        if name.endswith(".parquet"):
            os.remove(os.path.join(os.path.dirname(conf), name))
    resumed = _run(conf, out, "--resume", "--verbose")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"stage {stage}: complete" in resumed.stderr
    assert "stage read: complete" in resumed.stderr
    assert not os.path.exists(os.path.join(out, "_stages"))   # removed once the dataset is complete
    assert _tree(out) == _tree(clean)
    assert all(filecmp.cmp(os.path.join(out, f), os.path.join(clean, f), shallow=False) for f in _tree(clean))


def test_resume_redoes_stages_of_other_settings(tables, tmp_path):
    conf, _ = tables
    out = str(tmp_path / "out")
    assert _run(conf, out, fail_after="partition").returncode != 0
    other = _run(conf, out, "--resume", "--seed", "3", "--verbose")
    assert other.returncode == 0, other.stderr[-2000:]
    assert "checkpoint is for other settings" in other.stderr
    assert os.path.exists(os.path.join(out, "metadata.json"))


def test_without_resume_checkpoints_are_discarded(tables, tmp_path):
    conf, _ = tables
    out = str(tmp_path / "out")
    assert _run(conf, out, fail_after="read").returncode != 0
    again = _run(conf, out, "--verbose")
    assert again.returncode == 0 and "complete in" not in again.stderr
