"""Explicit, derivable random streams.

Every random draw in simgen comes from a generator derived here from (seed, variant, purpose), so
that adding a distribution in one place never shifts the draws made anywhere else, and the same
inputs give the same numbers in any process.
"""

from __future__ import annotations

import hashlib

import numpy as np


def purpose_key(purpose: str) -> int:
    """A stable 64-bit integer for a purpose string (Python's ``hash`` is salted per process)."""
    digest = hashlib.blake2b(purpose.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def derive_rng(seed: int, variant: int, purpose: str) -> np.random.Generator:
    """The generator for one (scenario seed, variant, purpose) triple."""
    if seed < 0 or variant < 0:
        raise ValueError(f"seed and variant must be >= 0, got seed={seed}, variant={variant}")
    sequence = np.random.SeedSequence([seed, variant, purpose_key(purpose)])
    return np.random.Generator(np.random.PCG64(sequence))
