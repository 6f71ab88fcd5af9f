"""Multi-agent PettingZoo environments.

Each env is a module ``<name>_v0`` with ``env()`` (AEC, in PettingZoo's safety
wrapper), ``parallel_env()`` and ``raw_env``, and a ``VARIANTS`` table of named
configurations; :data:`MULTI_AGENT_ENVS` maps env names to those modules.

Example:
    >>> from agentic_gym.envs.multi import MULTI_AGENT_ENVS, make
    >>> sorted(MULTI_AGENT_ENVS)
    ['CoopKeyDoor', 'Negotiation']
    >>> env = make("Negotiation-3p-v0")
    >>> env.possible_agents
    ['player_0', 'player_1', 'player_2']
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any


class ModuleTable(Mapping[str, ModuleType]):
    """A read-only mapping of names to modules, each imported on first access.

    PettingZoo and the env modules load only when an env is used, so ``import
    agentic_gym`` stays cheap.
    """

    def __init__(self, paths: Mapping[str, str]):
        self._paths = dict(paths)

    def __getitem__(self, name: str) -> ModuleType:
        return importlib.import_module(self._paths[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __repr__(self) -> str:
        return f"ModuleTable({self._paths!r})"


#: Env name -> its ``<name>_v0`` module (``env()``, ``parallel_env()``, ``raw_env``, ``VARIANTS``).
MULTI_AGENT_ENVS: Mapping[str, ModuleType] = ModuleTable({
    "Negotiation": "agentic_gym.envs.multi.negotiation_v0",
    "CoopKeyDoor": "agentic_gym.envs.multi.coop_keydoor_v0",
})

_ID = re.compile(r"(?:agentic_gym/)?([A-Za-z]+)-(.+)-v0")


def multi_agent_ids() -> tuple[str, ...]:
    """Every variant id, ``<Name>-<variant>-v0``."""
    return tuple(f"{name}-{variant}-v0" for name, module in MULTI_AGENT_ENVS.items() for variant in module.VARIANTS)


def make(env_id: str, parallel: bool = False, **kwargs: Any) -> Any:
    """The AEC env (or, with ``parallel=True``, the parallel env) of a variant id such as ``Negotiation-3p-v0``."""
    match = _ID.fullmatch(env_id) if isinstance(env_id, str) else None
    module = MULTI_AGENT_ENVS.get(match.group(1)) if match else None
    if match is None or module is None or match.group(2) not in module.VARIANTS:
        raise ValueError(f"unknown multi-agent env {env_id!r}; known: {', '.join(multi_agent_ids())}")
    factory = module.parallel_env if parallel else module.env
    return factory(variant=match.group(2), **kwargs)
