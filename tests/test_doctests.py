"""Every docstring example in the package runs and shows what it claims."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import agentic_gym

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(agentic_gym.__path__, "agentic_gym."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:
            # A trainer bridge whose optional extra is not installed; its own tests skip too.
            if info.name.startswith("agentic_gym.integrations."):
                continue
            raise
        if any(test.examples for test in doctest.DocTestFinder().find(module)):
            names.append(info.name)
    return sorted(names)


MODULES = _modules_with_examples()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} doctest failures in {name}"


def test_the_public_modules_have_examples():
    for name in ("agentic_gym.core.command", "agentic_gym.core.calculator", "agentic_gym.wrappers.parse"):
        assert name in MODULES
