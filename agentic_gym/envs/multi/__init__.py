"""Multi-agent PettingZoo environments."""
