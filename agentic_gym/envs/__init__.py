"""The registry: one flat table of every environment and its variants.

Each id is ``agentic_gym/<Name>-<Variant>-v0`` with its own string entry point;
size and difficulty live in the id and in ``kwargs``; ``max_episode_steps`` sets
the time limit.
"""

from __future__ import annotations

from gymnasium.envs.registration import register

_GRID = "agentic_gym.envs.grid"
_TEXT = "agentic_gym.envs.text"
_TOOL = "agentic_gym.envs.tool"

# fmt: off
# ---- grid family -------------------------------------------------------------
# ---- text family -------------------------------------------------------------
# ---- tool family -------------------------------------------------------------
# fmt: on

#: Names of the PettingZoo multi-agent envs, mapped to their ``<name>_v0`` modules.
MULTI_AGENT_ENVS: dict[str, str] = {}


def registered_ids() -> tuple[str, ...]:
    """Every single-agent id this package registers, in registration order."""
    from gymnasium.envs.registration import registry

    return tuple(env_id for env_id in registry if env_id.startswith("agentic_gym/"))


ENV_IDS = registered_ids()
