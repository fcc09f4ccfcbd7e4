"""Neighbour sampling over the CSC of graph format v1."""
