"""The language layer: prompts, parsers, memory and tool wrappers."""
