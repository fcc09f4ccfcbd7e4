"""Writing a trained model's embeddings and predictions, keyed by the original IDs.

Shared by gs-infer and by gs-train (``save_embed_path`` writes the best model's embeddings
after training), so it lives in the core. :func:`~graphstorm_py.outputs.infer.infer` is the
entry point; :class:`~graphstorm_py.outputs.writer.OutputDir` the sharded, atomic writer.
"""
