"""Helpers shared by the test modules."""

from __future__ import annotations

from hypothesis import settings


def profile_name() -> str:
    """The active Hypothesis profile (``ci`` unless ``--hypothesis-profile`` says otherwise)."""
    return settings.get_current_profile_name()


def oracle_seeds() -> range:
    """Seeds the oracle must solve: 0..199 under ``dev``, a smaller prefix under ``ci``."""
    return range(200) if profile_name() == "dev" else range(20)
