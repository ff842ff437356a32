"""Dagster definitions over the `recon` library: each asset calls one recon function."""
