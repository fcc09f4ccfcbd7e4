"""The job spec's errors: strict keys with did-you-mean, names, kinds, --set."""

import pytest

from graphstorm_py.deploy.spec import apply_sets, load_spec, parse_spec
from graphstorm_py.errors import ConfigError


def _doc(**over):
    doc = {"version": 1, "name": "job", "output_prefix": "/tmp/out",
           "stages": [{"name": "construct", "kind": "construct", "inputs": {"config": "c.json"}}]}
    doc.update(over)
    return doc


def test_valid_minimal():
    spec = parse_spec(_doc())
    assert spec.stages[0].resources.workers == 1 and spec.graph_name == "graph"


@pytest.mark.parametrize("doc, needle", [
    (_doc(stagez=[]), "unknown key 'stagez'; did you mean 'stages'?"),
    (_doc(stages=[{"name": "construct", "kind": "construct", "inputs": {"config": "c"}, "arg": {}}]),
     "stages[0] (construct).arg: unknown key 'arg'; did you mean 'args'?"),
    (_doc(stages=[{"name": "t", "kind": "train", "inputs": {}, "resources": {"cpu": 2}}]),
     "unknown key 'cpu'; did you mean 'cpus'?"),
    (_doc(stages=[{"name": "t", "kind": "training"}]), "stages[0] (t).kind"),
    (_doc(name="my job"), "the job name is 1-40 letters"),
    (_doc(name="x" * 41), "the job name is 1-40 letters"),
    (_doc(stages=[]), "stages"),
    (_doc(stages=[{"name": "t", "kind": "train", "resources": {"memory": "lots"}}]), "not a size"),
    (_doc(stages=[{"name": "Train!", "kind": "train"}]), "a stage name is lower-case"),
    ({"name": "j", "stages": []}, "output_prefix: required key is missing"),
    ([1, 2], "a job spec is a mapping"),
])
def test_errors(doc, needle):
    with pytest.raises(ConfigError) as exc:
        parse_spec(doc, "job.yaml")
    assert needle in str(exc.value)
    assert "job.yaml" in str(exc.value) or needle.startswith("a job spec")


def test_duplicate_stage_names():
    st = {"name": "a", "kind": "construct", "inputs": {"config": "c"}}
    with pytest.raises(ConfigError, match="stage name 'a' is used twice"):
        parse_spec(_doc(stages=[st, st]))


def test_set_overrides_by_stage_name():
    doc = apply_sets(_doc(), ["stages.construct.args.num-parts=4", "env.OMP_NUM_THREADS=2", "name=other"])
    spec = parse_spec(doc)
    assert spec.stages[0].args == {"num-parts": 4} and spec.env == {"OMP_NUM_THREADS": "2"} and spec.name == "other"


@pytest.mark.parametrize("item, needle", [
    ("stages.constrct.args.x=1", "no stage named 'constrct'; stages: ['construct']; did you mean 'construct'?"),
    ("nameother", "expected KEY=VALUE"),
    ("name.x=1", "name is not a mapping"),
])
def test_set_errors(item, needle):
    with pytest.raises(ConfigError) as exc:
        apply_sets(_doc(), [item])
    assert needle in str(exc.value)


def test_load_spec_relative_paths(tmp_path):
    (tmp_path / "job.yaml").write_text("name: j\noutput_prefix: out\nstages:\n"
                                       "  - {name: c, kind: construct, inputs: {config: c.json, data: s3://b/t}}\n")
    spec = load_spec(str(tmp_path / "job.yaml"))
    assert spec.output_prefix == str(tmp_path / "out")
    assert spec.stages[0].inputs == {"config": str(tmp_path / "c.json"), "data": "s3://b/t"}


@pytest.mark.parametrize("text, needle", [("name: [", "cannot parse YAML"), (None, "does not exist")])
def test_load_spec_file_errors(tmp_path, text, needle):
    path = tmp_path / "job.yaml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ConfigError, match=needle):
        load_spec(str(path))
