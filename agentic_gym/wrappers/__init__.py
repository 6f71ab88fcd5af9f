"""The language layer: prompts, parsers, memory and tool wrappers."""

from __future__ import annotations

from agentic_gym.wrappers.record import RecordEpisode

__all__ = ["RecordEpisode"]
