"""Language models over node text: encoder, token source, embedding table, co-training input layer,
GLEM and the GALM export. See :mod:`graphstorm_py.lm.input_layer` for the modes."""
