"""Access to the toy graph of tests/training/train_helpers.py from the model and task tests."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "training"))

from train_helpers import NC_YAML, NR_YAML, make_toy_graph, toy_graph, write_yaml  # noqa: E402,F401
