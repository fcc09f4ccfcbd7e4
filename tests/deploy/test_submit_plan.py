"""Plans: references, missing inputs, cycles, default outputs, stage hashes, --stages."""

import pytest

from graphstorm_py.deploy.plan import make_plan
from graphstorm_py.deploy.spec import parse_spec
from graphstorm_py.errors import ConfigError


def _spec(stages, **over):
    return parse_spec({"name": "job", "output_prefix": "/out", "stages": stages, **over})


C = {"name": "construct", "kind": "construct", "inputs": {"config": "/c.json"}}
T = {"name": "train", "kind": "train", "inputs": {"config": "/t.yaml", "graph": "${construct.outputs.graph}"}}
I = {"name": "infer", "kind": "infer", "inputs": {"config": "/t.yaml", "graph": "${construct.outputs.graph}",
                                                  "model": "${train.outputs.model}"}}


def test_order_references_and_default_outputs():
    plan = make_plan(_spec([I, T, C]))   # written out of order: run order follows the references
    assert [s.name for s in plan.stages] == ["construct", "train", "infer"]
    graph = f"/out/job/{plan.spec_hash}/construct/graph"
    assert plan.stage("construct").outputs == {"graph": graph}
    assert plan.stage("infer").inputs["graph"] == graph
    assert plan.stage("infer").inputs["model"] == f"/out/job/{plan.spec_hash}/train/model"
    assert plan.stage("infer").deps == ["construct", "train"]


def test_hash_changes_downstream_only_with_inputs():
    a = make_plan(_spec([C, T]))
    t2 = {**T, "args": {"num-epochs": 2}}
    b = make_plan(_spec([C, t2], output_prefix="/out"))
    assert a.stage("construct").outputs != b.stage("construct").outputs   # the spec hash is in the path
    c = make_plan(_spec([C, T]))
    assert [s.hash for s in a.stages] == [s.hash for s in c.stages]


def test_explicit_output():
    c = {**C, "outputs": {"graph": "s3://b/g"}}
    plan = make_plan(_spec([c, T]))
    assert plan.stage("train").inputs["graph"] == "s3://b/g"


@pytest.mark.parametrize("stages, needle", [
    ([{**T, "inputs": {"config": "/t.yaml", "graph": "${constuct.outputs.graph}"}}],
     "no stage named 'constuct'; stages: ['train']"),
    ([C, {**T, "inputs": {"config": "/t.yaml", "graph": "${construct.outputs.grph}"}}],
     "a construct stage gives no output 'grph'; outputs: ['graph']; did you mean 'graph'?"),
    ([C, {**T, "inputs": {"config": "/t.yaml", "graph": "${construct.graph}"}}], "a reference is ${STAGE.outputs.KEY}"),
    ([C, {**T, "inputs": {"config": "/t.yaml"}}], "stages.train.inputs: a train stage needs input 'graph'"),
    ([C, {**T, "inputs": {**T["inputs"], "grapf": "x"}}], "takes no input 'grapf'"),
    ([{**C, "outputs": {"graf": "/x"}}], "gives no output 'graf'"),
    ([{"name": "a", "kind": "train", "inputs": {"config": "/t", "graph": "/g", "model": "${b.outputs.model}"}},
      {"name": "b", "kind": "train", "inputs": {"config": "/t", "graph": "/g", "model": "${a.outputs.model}"}}],
     "stages form a cycle: a -> b -> a"),
    ([{"name": "a", "kind": "train", "inputs": {"config": "/t", "graph": "/g", "model": "${a.outputs.model}"}}],
     "stages form a cycle: a -> a"),
])
def test_errors(stages, needle):
    with pytest.raises(ConfigError) as exc:
        make_plan(_spec(stages))
    assert needle in str(exc.value)


def test_stage_selection():
    plan = make_plan(_spec([C, T, I]), ["infer", "construct"])
    assert plan.selected == ["construct", "infer"]
    with pytest.raises(ConfigError, match="no stage named 'trian'.*did you mean 'train'"):
        make_plan(_spec([C, T, I]), ["trian"])


def test_plan_json_round_trip():
    plan = make_plan(_spec([C, T, I]))
    from graphstorm_py.deploy.plan import Plan

    assert Plan.from_json(plan.to_json()) == plan
