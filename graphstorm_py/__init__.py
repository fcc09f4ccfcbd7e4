"""graphstorm_py: graph machine learning on large heterogeneous, text-attributed graphs.

The core package holds what every stage shares: errors, I/O, the graph dataset format,
config helpers, sampling and neural-network building blocks. Stages live in
``graphstorm_py.gconstruct``, ``graphstorm_py.training`` and ``graphstorm_py.inference``.

Heavy imports (torch, transformers) are deliberately not made here, so that
``gs-construct --help`` answers fast.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
