"""The distributed runtime: SPMD workers, one per ``num_partitions / N`` partitions.

Each worker trains, samples and serves its own partitions to its peers; there are no server
or sampler processes. The pieces, one idea per module:

=====================  ==========================================================================
module                 what it holds
=====================  ==========================================================================
``launcher``           ``--num-trainers N``: start N local workers, watch them, fail fast
``rendezvous``         read RANK/WORLD_SIZE/... (local launcher or torchrun), init process groups
``context``            :class:`DistContext`: rank, world, partition map, graph group, transport
``partition_map``      which rank owns which nid / eid (``searchsorted`` over metadata ranges)
``exchange``           ``all_to_all_single`` of variable-length tensors on the graph group
``local_graph``        the CSC of the owned partitions
``dist_sampler``       neighbour sampling across partitions (partition-invariant keys)
``dist_store``         feature rows of any node: own rows locally, remote rows in one exchange
                       (node and edge rows of a batch packed together)
``halo``               the remote in-neighbours of a worker's partitions; one exchange per layer
``full_infer``         layer-wise full-graph inference of the owned nodes with halo exchange
``grads``              lockstep gradient reduction (dense all-reduce, sparse gather)
``sparse_embed``       learnable embedding tables sharded by owner: rows fetched, gradients pushed
``targets``            splitting training targets between workers
``dist_eval``          evaluation split between workers, metrics exactly one worker's
``edge_infer``         gs-infer predictions of edge tasks and link prediction, per owner
``ray_launcher``       ``--ray-address``: the same workers as Ray Train workers
=====================  ==========================================================================

See ``docs/distributed.md`` for the protocol and the numbers.
"""

from graphstorm_py.distributed.context import DistContext, current_context

__all__ = ["DistContext", "current_context"]
