"""Bridges to training libraries, each an optional module with its own extra.

- :mod:`agentic_gym.integrations.sb3`: Stable-Baselines3 on the grid family (extra ``sb3``).
- :mod:`agentic_gym.integrations.hf`: chat messages in the shape Hugging Face chat
  templates expect (pure Python, no extra).
- :mod:`agentic_gym.integrations.trl`: an ``environment_factory`` class for TRL's GRPO
  trainer (extra ``trl``).
- :mod:`agentic_gym.integrations.verifiers`: a verifiers environment (extra ``verifiers``).
- :mod:`agentic_gym.integrations.openenv`: any env served over OpenEnv's protocol, and its
  client (extra ``openenv``).
- :mod:`agentic_gym.integrations.gem`: every env under ``gem.make``/``gem.make_vec``, the
  route to verl and OpenRLHF (extra ``gem``).

- :mod:`agentic_gym.integrations.levels`: what the trainer adapters share to take a curriculum
  (``curriculum=sampler``): a chat env per level, episodes drawn and reported (no extra).

Nothing here is imported by ``import agentic_gym``; import the module you need.
"""
