"""A rank of the lost-rank test: rank 1 never reaches the barrier; rank 0 must name it.

argv: GRAPH OUT
"""

import os
import sys
import time

from graphstorm_py.distributed.context import WorkerLost
from graphstorm_py.distributed.rendezvous import init_worker
from graphstorm_py.graph import GraphDataset

graph, out = sys.argv[1:3]
ds = GraphDataset.open(graph)
ctx = init_worker(ds.meta, graph, transport="collective", timeout_s=3)
if ctx.rank == 1:
    time.sleep(8)            # "hangs" past rank 0's barrier timeout, then leaves
    os._exit(0)
try:
    ctx.barrier("end of epoch 0")
    msg = "no error"
except WorkerLost as exc:
    msg = str(exc)
with open(os.path.join(out, "msg.txt"), "w") as f:
    f.write(msg)
os._exit(0)
