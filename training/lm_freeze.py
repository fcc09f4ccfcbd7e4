"""``freeze_lm_encoder_epochs``: keep the LM frozen for the first epochs, then co-train it."""

from __future__ import annotations

from graphstorm_py.training.callbacks import Callback

__all__ = ["LMFreeze"]


class LMFreeze(Callback):
    """Freezes the LM input layer's LM while ``epoch < epochs``."""

    def __init__(self, epochs: int):
        self.epochs = epochs

    @staticmethod
    def _layer(trainer):
        return getattr(trainer.model.input_encoder, "set_lm_frozen", None)

    def on_train_begin(self, trainer) -> None:
        setter = self._layer(trainer)
        if setter is not None:
            setter(trainer.state.start_epoch < self.epochs)

    def on_epoch_end(self, trainer, epoch: int) -> None:
        setter = self._layer(trainer)
        if setter is not None:
            setter(epoch + 1 < self.epochs)
