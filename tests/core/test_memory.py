"""peak_rss_mb: this process's own peak, not its launcher's."""

import os
import subprocess
import sys

from graphstorm_py.memory import peak_rss_mb


def test_peak_is_at_least_the_current_rss():
    with open("/proc/self/status") as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    block = bytearray(64 * 2**20)                 # touched: 64 MB more resident
    assert peak_rss_mb() >= rss_kb / 1024 + 60
    del block


def test_a_child_does_not_inherit_its_parents_peak():
    """ru_maxrss would report the parent's 256 MB in the exec'd child; VmHWM does not."""
    code = ("import resource; from graphstorm_py.memory import peak_rss_mb; "
            "print(peak_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    big = bytearray(256 * 2**20)                  # noqa: F841  (the parent's peak)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ)).stdout.split()
    ours, ru = float(out[0]), float(out[1])
    assert ours < 200, (ours, ru)
