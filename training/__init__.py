"""gs-train: the training stage. One loop (:mod:`.trainer`), tasks plug in, policies are callbacks.

* :func:`~graphstorm_py.training.run.train`: config + graph -> trained checkpoints + results.
* :class:`~graphstorm_py.training.trainer.Trainer`, :class:`~graphstorm_py.training.callbacks.Callback`,
  :class:`~graphstorm_py.training.early_stop.EarlyStopping`,
  :class:`~graphstorm_py.training.checkpointing.CheckpointSaver`,
  :class:`~graphstorm_py.training.optim.Optimizers`.
"""
