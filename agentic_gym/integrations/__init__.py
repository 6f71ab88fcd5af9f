"""Bridges to training libraries, each an optional module with its own extra.

- :mod:`agentic_gym.integrations.sb3`: Stable-Baselines3 on the grid family (extra ``sb3``).
- :mod:`agentic_gym.integrations.hf`: chat messages in the shape Hugging Face chat
  templates expect (pure Python, no extra).

Nothing here is imported by ``import agentic_gym``; import the module you need.
"""
