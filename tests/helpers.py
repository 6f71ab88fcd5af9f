"""Helpers shared by the test modules."""

from __future__ import annotations

from hypothesis import settings


def profile_name() -> str:
    """The active Hypothesis profile (``ci`` unless ``--hypothesis-profile`` says otherwise)."""
    return settings.get_current_profile_name()


def oracle_seeds() -> range:
    """Seeds the oracle must solve in every variant: 0..199 under every profile.

    All oracles are fast enough (the whole suite stays near a minute and a half on two
    cores) that CI checks the full range, not a sample of it.
    """
    return range(200)
