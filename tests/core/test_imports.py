"""Every module imports on its own (no cycles), and a stage never imports another stage."""

import ast
import importlib
import os
import pkgutil

import graphstorm_py

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STAGES = {"gconstruct": "graphstorm_py.gconstruct", "training": "graphstorm_py.training",
          "inference": "graphstorm_py.inference", "deploy": "graphstorm_py.deploy"}


def _modules():
    names = []
    for folder, pkg in [("graphstorm_py", "graphstorm_py")] + list(STAGES.items()):
        importlib.import_module(pkg)
        mod = importlib.import_module(pkg)
        for info in pkgutil.walk_packages(mod.__path__, prefix=pkg + "."):
            names.append(info.name)
    return names


def test_every_module_imports():
    for name in _modules():
        importlib.import_module(name)


def test_stages_import_only_the_core():
    for folder, pkg in STAGES.items():
        others = [p for p in STAGES.values() if p != pkg]
        for root, _, files in os.walk(os.path.join(REPO, folder)):
            for f in files:
                if not f.endswith(".py"):
                    continue
                tree = ast.parse(open(os.path.join(root, f)).read())
                for node in ast.walk(tree):
                    mods = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                        [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                    for m in mods:
                        assert not any(m == o or m.startswith(o + ".") for o in others), \
                            f"{folder}/{f} imports {m}: stages may import only the core"


def test_cli_help_does_not_import_torch():
    import subprocess
    import sys

    code = ("import sys\nfrom graphstorm_py.gconstruct.cli import build_parser\nbuild_parser()\n"
            "assert 'torch' not in sys.modules and 'transformers' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
