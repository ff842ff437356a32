"""Seeded pseudo-random draws as Polars expressions, so generation never loops over rows.

A draw hashes an integer key (an item or row index) with a seed derived from the run's seed and
a label. Different labels give independent streams, and the same seed gives the same values on
every run, which is what makes generated files byte-identical for a given seed.
"""

from __future__ import annotations

import hashlib

import polars as pl


def stream_seed(seed: int, *labels: object) -> int:
    """A 64-bit seed for one named stream; stable across processes, unlike Python's hash()."""
    digest = hashlib.blake2b(repr((seed, *labels)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def draw(key: pl.Expr, modulus: int | pl.Expr, seed: int, *labels: object) -> pl.Expr:
    """A uniform integer in [0, modulus) per key; modulus must be at least 1."""
    bound = modulus.cast(pl.UInt64) if isinstance(modulus, pl.Expr) else pl.lit(modulus, pl.UInt64)
    return (key.hash(stream_seed(seed, *labels)) % bound).cast(pl.Int64)
