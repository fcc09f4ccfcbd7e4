import os
import subprocess
import sys

import pytest

from gs_testing import REPO, shared_data_path

BIN = os.path.dirname(sys.executable)


@pytest.fixture(scope="session")
def cora2(tmp_path_factory):
    """Cora (examples/cora) built with 2 partitions."""
    data = shared_data_path("planetoid-cora")
    tables = str(tmp_path_factory.mktemp("cora"))
    subprocess.run([sys.executable, os.path.join(REPO, "examples/cora/prepare.py"), "--data-dir", data,
                    "--output-dir", tables], check=True, capture_output=True, timeout=120)
    out = os.path.join(tables, "graph2")
    subprocess.run([os.path.join(BIN, "gs-construct"), "--conf-file", os.path.join(tables, "cora_construct.json"),
                    "--output-dir", out, "--num-parts", "2", "--quiet"], check=True, timeout=120)
    return out
