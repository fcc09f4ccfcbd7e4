"""A "did you mean" hint ends its message: what is wrong first, then the suggestion.

``f"target_etype {x!r}{did_you_mean(x, names)} is not an edge type"`` reads as
"'user,sells,item'; did you mean 'user,buys,item'? is not an edge type". This test reads the
source of every package and requires each hint (a ``did_you_mean(...)`` call, or a variable
holding one or a literal "did you mean") to be the last part of the f-string that formats it,
with nothing added after it.
"""

import ast
import pathlib

from gs_testing import REPO

PACKAGES = ["graphstorm_py", "gconstruct", "training", "inference", "deploy", "benchmarks", "examples"]


def _is_hint(node: ast.AST, hint_names: set) -> bool:
    if isinstance(node, ast.Call):
        f = node.func
        return (isinstance(f, ast.Name) and f.id == "did_you_mean") or \
            (isinstance(f, ast.Attribute) and f.attr == "did_you_mean")
    if isinstance(node, ast.Name):
        return node.id in hint_names
    return False


def _mentions_hint(node: ast.AST) -> bool:
    return isinstance(node, (ast.JoinedStr, ast.Constant)) and "did you mean" in ast.unparse(node)


def _problems(path: pathlib.Path, root: str = REPO) -> list:
    tree = ast.parse(path.read_text(), str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    hint_names = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                  and (_is_hint(node.value, set()) or _mentions_hint(node.value))
                  for t in node.targets if isinstance(t, ast.Name)}
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        values = node.values
        for i, v in enumerate(values):
            if isinstance(v, ast.FormattedValue) and _is_hint(v.value, hint_names):
                after = "".join(ast.unparse(w) for w in values[i + 1:])
                parent = parents.get(node)
                concatenated = isinstance(parent, ast.BinOp) and parent.left is node
                if values[i + 1:] or concatenated:
                    out.append(f"{path.relative_to(root)}:{node.lineno}: text after the hint: {after[:60]!r}")
    return out


def test_every_did_you_mean_ends_its_message():
    files = [f for p in PACKAGES for f in sorted((pathlib.Path(REPO) / p).rglob("*.py"))]
    assert len(files) > 50
    problems = [p for f in files for p in _problems(f)]
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_hint_mid_sentence(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('x = f"target_etype {n!r}{did_you_mean(n, names)} is not an edge type"\n'
                   'hint = did_you_mean(n, names)\ny = f"{n!r}{hint}: no such label"\n'
                   'ok = f"{n!r} is not a node type; types: {t}{did_you_mean(n, t)}"\n')
    assert len(_problems(bad, str(tmp_path))) == 2
