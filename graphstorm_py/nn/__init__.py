"""Neural-network building blocks: input encoders, GNN encoders, decoders."""
