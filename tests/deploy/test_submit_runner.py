"""The runner with stand-in commands: SIGTERM stops the stage, timeouts, retries, records, config rebasing."""

import json
import os
import signal
import sys
import threading

import pytest

from graphstorm_py.deploy import runner
from graphstorm_py.deploy.plan import make_plan
from graphstorm_py.deploy.spec import parse_spec


def _plan(tmp_path, **stage):
    st = {"name": "c", "kind": "construct", "inputs": {"config": str(tmp_path / "c.json")}, **stage}
    return make_plan(parse_spec({"name": "j", "output_prefix": str(tmp_path / "out"), "stages": [st]}))


def _fake(monkeypatch, code: str):
    monkeypatch.setattr(runner, "stage_argv", lambda stage, graph_name, config=None, backend="local":
                        [sys.executable, "-c", code.replace("OUT", stage.outputs["graph"])])


def test_sigterm_stops_the_stage(tmp_path, monkeypatch):
    _fake(monkeypatch, "import time; print('started', flush=True); time.sleep(60)")
    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    result = runner.run_plan(_plan(tmp_path), lambda line: None)
    timer.join()
    assert result.state == "STOPPED" and result.exit_code == 143
    assert not runner.is_complete(_plan(tmp_path).stages[0])


@pytest.mark.parametrize("code", ["import time\nwhile True: print('tick', flush=True); time.sleep(0.2)",
                                  "import time; time.sleep(60)"])   # chatty or silent
def test_timeout(tmp_path, monkeypatch, code):
    _fake(monkeypatch, code)
    result = runner.run_plan(_plan(tmp_path, timeout_s=1), lambda line: None)
    assert result.state == "FAILED" and result.exit_code == 124 and "timed out after 1s" in result.message


def test_retries_then_success_writes_record(tmp_path, monkeypatch):
    count = tmp_path / "count"
    code = (f"import os,sys; p={str(count)!r}; n=int(open(p).read()) if os.path.exists(p) else 0; "
            "open(p,'w').write(str(n+1)); "
            "sys.exit(1) if n < 2 else (os.makedirs('OUT', exist_ok=True), open('OUT/metadata.json','w').write('{}'))")
    _fake(monkeypatch, code)
    plan = _plan(tmp_path, retries=2)
    result = runner.run_plan(plan, lambda line: None)
    assert result.state == "SUCCEEDED" and count.read_text() == "3"
    rec = json.loads(open(os.path.join(plan.stages[0].outputs["graph"], "_gs_stage.json")).read())
    assert rec == {"stage": "c", "hash": plan.stages[0].hash, "outputs": ["graph"]}
    assert runner.is_complete(plan.stages[0])
    os.remove(os.path.join(plan.stages[0].outputs["graph"], "metadata.json"))   # marker gone: not complete
    assert not runner.is_complete(plan.stages[0])


def test_user_error_is_not_retried(tmp_path, monkeypatch):
    count = tmp_path / "count"
    _fake(monkeypatch, f"import sys; open({str(count)!r},'a').write('x'); print('error: bad key'); sys.exit(2)")
    result = runner.run_plan(_plan(tmp_path, retries=3), lambda line: None)
    assert result.exit_code == 2 and count.read_text() == "x"
    assert result.message == "stage c (construct) failed with exit code 2: error: bad key"


def test_rebase_construct_config(tmp_path):
    conf = {"nodes": [{"node_type": "a", "files": ["a.parquet", "/abs/b.parquet"]}],
            "edges": [{"files": "e/*.parquet", "labels": [{"custom_split_filenames": {"train": "tr.parquet"}}]}]}
    (tmp_path / "c.json").write_text(json.dumps(conf))
    out = runner.rebase_construct_config(str(tmp_path / "c.json"), "s3://b/data", str(tmp_path))
    got = json.loads(open(out).read())
    assert got["nodes"][0]["files"] == ["s3://b/data/a.parquet", "/abs/b.parquet"]
    assert got["edges"][0]["files"] == "s3://b/data/e/*.parquet"
    assert got["edges"][0]["labels"][0]["custom_split_filenames"] == {"train": "s3://b/data/tr.parquet"}
    assert got["nodes"][0]["node_type"] == "a"
