"""gs-infer: embeddings and predictions of a trained model, written back keyed by the original IDs."""
