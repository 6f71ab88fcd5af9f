"""Bridges to training libraries, each an optional module with its own extra."""
