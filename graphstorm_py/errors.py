"""The one exception family for user mistakes.

A ``GSError`` is raised for anything the user can fix: a bad config key, a missing file,
a column that is not there, a dangling edge. Its message names the culprit. The CLIs print
it without a traceback and exit with code 2 (see :func:`graphstorm_py.cli.run_cli`).
Programming errors stay ordinary Python exceptions.
"""

__all__ = ["GSError", "ConfigError", "DataError", "CheckpointError"]


class GSError(Exception):
    """A mistake in a config or in the data, with a message that names the culprit."""

    exit_code = 2


class ConfigError(GSError):
    """A config file or command-line option is invalid."""


class DataError(GSError):
    """Input data is missing, malformed, or inconsistent with the config."""


class CheckpointError(GSError):
    """A checkpoint does not match the graph or the model config."""
