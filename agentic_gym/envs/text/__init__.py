"""Text family: partially observable text worlds over pure world models."""
