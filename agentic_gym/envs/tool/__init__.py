"""Tool family: deterministic offline tool worlds."""
