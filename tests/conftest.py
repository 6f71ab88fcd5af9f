"""Shared test set-up: headless rendering and the Hypothesis profiles.

``ci`` (the default, and what .ci/run uses) is derandomized with no deadline;
``dev`` runs many more examples and every oracle seed: ``pytest --hypothesis-profile=dev``.
"""

from __future__ import annotations

import os

# Rendering tests run headless; set before anything imports pygame.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=50, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev", deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# Cases that take tens of seconds each (the 12x12, four-box Sokoban tier, whose oracle
# searches anew after every random move, and whole example scripts): marked slow here, in
# one table, so a plain `pytest` stays short while `pytest -m ""` (.ci/run) runs them.
SLOW_CASES = (
    # Sokoban from 10x10 up: every oracle call after a random move is a new search.
    "[agentic_gym/GridSokoban-Expert-v0]",
    "[agentic_gym/GridSokoban-Hard-v0]",
    "[agentic_gym/GridSokoban-10x10-v0]",
    "[agentic_gym/GridSokoban-10x10-Vision-v0]",
    "test_examples.py::test_example_runs_and_solves_its_episode[curriculum.py]",
    "test_vector.py::test_vector_env_matches_a_loop_of_single_envs",
    "test_examples.py::test_example_runs_and_solves_its_episode[vector_ppo_grid.py]",
    "test_the_learner_gains_with_notes_and_not_without[agentic_gym/TextAdventure-HiddenRules-Expert-v0]",
    # Multi-agent: rendering every seat's frames, exhaustive checks, fresh interpreters.
    "test_pettingzoo_api.py::test_render[",
    "test_negotiation_logic.py::test_solution_matches_brute_force",
    "test_coop_keydoor.py::test_oracle_plan_succeeds_on_every_seed[12x12]",
    "test_multi_determinism.py::test_same_episode_in_fresh_processes",
)


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        if any(case in item.nodeid for case in SLOW_CASES):
            item.add_marker(pytest.mark.slow)
