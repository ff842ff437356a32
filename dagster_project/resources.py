"""The one resource: which configuration to use and where outputs go."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from recon.config import ReconConfig, load_config
from recon.errors import ReconError
from recon.store import Layout

BUNDLED_CONFIG = Path(__file__).resolve().parent.parent / "fixtures" / "recon.yaml"


@contextmanager
def as_failure() -> Iterator[None]:
    """Turn a recon error (bad file, bad config, unbalanced day) into a step failure with its one-line
    message, so the UI shows the cause instead of a traceback."""
    try:
        yield
    except ReconError as exc:
        raise dg.Failure(description=str(exc)) from None


class ReconResource(dg.ConfigurableResource):
    """Configuration file and optional data directory; read at run time, so an edited file applies to
    the next run (partners and dates are fixed when the code location loads)."""

    config_path: str = str(BUNDLED_CONFIG)
    data_dir: str | None = None

    def config(self) -> ReconConfig:
        with as_failure():
            return load_config(self.config_path)

    def layout(self, config: ReconConfig) -> Layout:
        return Layout(Path(self.data_dir) if self.data_dir else config.data_dir)
