"""``gs-infer``: not yet available (see the project's open issues)."""

import sys


def main(argv=None) -> int:
    print("gs-infer is not yet available in this version of graphstorm_py", file=sys.stderr)
    raise SystemExit(2)
