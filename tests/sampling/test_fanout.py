"""parse_fanout / normalize_fanouts: GraphStorm's text syntax and strict errors."""

import pytest

from graphstorm_py.errors import ConfigError
from graphstorm_py.sampling import normalize_fanouts, parse_fanout

UR = ("user", "rating", "movie")
RU = ("movie", "rating-rev", "user")
ETYPES = [UR, RU]


def test_plain_layers_input_first():
    assert parse_fanout("10,5", ETYPES) == [{UR: 10, RU: 10}, {UR: 5, RU: 5}]
    assert parse_fanout(" 10 , -1 ", ETYPES) == [{UR: 10, RU: 10}, {UR: -1, RU: -1}]
    assert parse_fanout(7, ETYPES) == [{UR: 7, RU: 7}]
    assert parse_fanout([4, "3"], ETYPES) == [{UR: 4, RU: 4}, {UR: 3, RU: 3}]


def test_per_etype_layers():
    text = "user/rating/movie:10@movie/rating-rev/user:5,movie/rating-rev/user:2@user/rating/movie:0"
    assert parse_fanout(text, ETYPES) == [{UR: 10, RU: 5}, {UR: 0, RU: 2}]
    # a layer may mix with a plain one
    assert parse_fanout("3,user/rating/movie:1@movie/rating-rev/user:2", ETYPES)[0] == {UR: 3, RU: 3}


@pytest.mark.parametrize("text,match", [
    ("user/ratng/movie:10@movie/rating-rev/user:5", "did you mean 'user/rating/movie'"),
    ("user/rating/movie:10", "missing movie/rating-rev/user"),
    ("user/rating/movie:1@user/rating/movie:2@movie/rating-rev/user:1", "given twice"),
    ("user:rating:movie:5@movie/rating-rev/user:3", "must look like"),
    ("10,,5", "empty layer"),
    ("ten", "not an integer"),
    ("-2", "must be an integer >= -1"),
    ("user/rating/movie:x@movie/rating-rev/user:1", "not an integer"),
])
def test_errors_name_the_problem(text, match):
    with pytest.raises(ConfigError, match=match) as err:
        parse_fanout(text, ETYPES, key="eval_fanout")
    assert "eval_fanout" in str(err.value)


def test_normalize_fanouts():
    assert normalize_fanouts([2, {UR: 1, RU: -1}], ETYPES) == [{UR: 2, RU: 2}, {UR: 1, RU: -1}]
    with pytest.raises(ConfigError, match="unknown edge type"):
        normalize_fanouts([{UR: 1, RU: 1, ("a", "b", "c"): 1}], ETYPES)
    with pytest.raises(ConfigError, match="integer"):
        normalize_fanouts([True], ETYPES)
