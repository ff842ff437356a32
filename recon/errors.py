"""Errors a user can hit; each carries a one-line message fit for a terminal."""


class ReconError(Exception):
    """Base class: the CLI prints the message and exits non-zero, without a traceback."""


class ConfigError(ReconError):
    """The configuration file is missing, unparseable or invalid (message names file and key)."""


class IngestError(ReconError):
    """An input file cannot be read at all (message names the file and the problem)."""


class BalanceError(ReconError):
    """Rows or money in do not equal rows or money out: the run must not publish results."""
