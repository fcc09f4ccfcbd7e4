"""Config schemas and the helpers that turn validation failures into clear errors."""
