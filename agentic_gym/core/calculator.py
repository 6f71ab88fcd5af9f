"""A safe arithmetic evaluator for agents' ``calculator`` tool calls.

The expression is parsed with :mod:`ast` (parsing only: no ``eval``, ``exec``,
``compile`` of code or ``literal_eval``) and walked over a whitelist: numbers,
``+ - * / // % **``, unary ``+``/``-``, parentheses, the functions in
:data:`FUNCTIONS` and the constants ``pi``, ``e`` and ``tau``. Limits are checked
before any work: at most 1000 characters, 200 syntax nodes and nesting depth 32;
every intermediate integer has at most 4096 bits (checked before multiplying or
raising to a power); a float that overflows is an error.

Example:
    >>> calculate("2 * (3 + 4) ** 2")
    98
    >>> format_number(calculate("1234.5 * 3 / 7"))
    '529.071428571'
    >>> calculate("__import__('os')")
    Traceback (most recent call last):
    ...
    agentic_gym.core.calculator.CalculatorError: calculator: names and calls other than sqrt, abs, round, min, max, floor, ceil, log, log10, log2, exp, sin, cos, tan, pi, e, tau are not allowed; got __import__.
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections.abc import Callable
from typing import Any

from agentic_gym.core.command import InvalidAction

MAX_CHARS = 1000
MAX_NODES = 200
MAX_DEPTH = 32
MAX_INT_BITS = 4096
#: Largest |ndigits| for round(): integers within MAX_INT_BITS have at most 1234 digits.
MAX_ROUND_DIGITS = 1300

Number = int | float


class CalculatorError(InvalidAction):
    """An expression the calculator will not or cannot evaluate; the message says why."""


FUNCTIONS: dict[str, tuple[Callable[..., Number], int, int]] = {
    # name: (function, fewest arguments, most arguments)
    "sqrt": (math.sqrt, 1, 1),
    "abs": (abs, 1, 1),
    "round": (round, 1, 2),
    "min": (min, 2, 16),
    "max": (max, 2, 16),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "log": (math.log, 1, 2),
    "log10": (math.log10, 1, 1),
    "log2": (math.log2, 1, 1),
    "exp": (math.exp, 1, 1),
    "sin": (math.sin, 1, 1),
    "cos": (math.cos, 1, 1),
    "tan": (math.tan, 1, 1),
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}
#: Characters whose parse never warns (no letters, quotes or backslashes: no odd literal).
_CANNOT_WARN = frozenset("0123456789.+-*/%() \t\n")
_ALLOWED_NAMES = ", ".join([*FUNCTIONS, *CONSTANTS])

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


def _fail(message: str) -> CalculatorError:
    return CalculatorError(f"calculator: {message}")


def _bits(value: Number) -> int:
    return value.bit_length() if isinstance(value, int) else 0


def _check(value: Any) -> Number:
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise _fail(f"an intermediate integer exceeds {MAX_INT_BITS} bits.")
        return value
    if isinstance(value, float):
        if math.isnan(value):
            raise _fail("the result is not a number.")
        if math.isinf(value):
            raise _fail("float overflow: the result is too large.")
        return value
    raise _fail("complex results are not supported.")


#: Exponents with more bits than this cannot be converted to a float; their powers are decided exactly.
_HUGE_EXPONENT_BITS = 1000


def _pre_check(op: type, left: Number, right: Number) -> None:
    """Refuse an operation whose integer result would exceed the bit limit, before computing it."""
    if op is ast.Mult and isinstance(left, int) and isinstance(right, int):
        if _bits(left) + _bits(right) > MAX_INT_BITS + 1:
            raise _fail(f"an intermediate integer exceeds {MAX_INT_BITS} bits.")
    elif op is ast.Pow:
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            # |left| >= 2, so the result has at least `right` bits: compare in integers first
            # (a huge `right` cannot be converted to a float).
            if right > MAX_INT_BITS + 1 or right * math.log2(abs(left)) > MAX_INT_BITS + 1:
                raise _fail(f"an intermediate integer exceeds {MAX_INT_BITS} bits.")
        if left == 0 and right < 0:
            raise _fail("division by zero (zero to a negative power).")
        if isinstance(left, float) or isinstance(right, float):
            if left < 0 and isinstance(right, float) and not right.is_integer():
                raise _fail("a negative number to a fractional power is not real.")
    elif op in (ast.Div, ast.FloorDiv, ast.Mod) and right == 0:
        raise _fail("division by zero.")


def _power(left: Number, right: Number) -> Number:
    """``left ** right`` once :func:`_pre_check` passed, exact for exponents too large for a float.

    Python converts such an exponent to a float and raises ``OverflowError``; its power is
    decided by the base alone: 0 stays 0, 1 stays 1, -1 alternates with the exponent's parity,
    and any other base grows past every limit or shrinks to zero.
    """
    if not isinstance(right, int) or right.bit_length() <= _HUGE_EXPONENT_BITS:
        return left ** right
    odd = bool(right & 1)
    if left == 0 or abs(left) == 1:
        return left ** (1 if odd else 2) if left else left
    if (abs(left) > 1) == (right > 0):
        if isinstance(left, int):
            raise _fail(f"an intermediate integer exceeds {MAX_INT_BITS} bits.")
        raise _fail("float overflow: the result is too large.")
    return -0.0 if left < 0 and odd else 0.0


def _clip(value: Number) -> str:
    text = format_number(value)
    return text if len(text) <= 40 else text[:18] + "..." + text[-18:]


def _walk(node: ast.AST, depth: int) -> Number:
    if depth > MAX_DEPTH:
        raise _fail(f"the expression is nested deeper than {MAX_DEPTH} levels.")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _fail(f"only numbers are allowed, got {type(node.value).__name__}.")
        return _check(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        value = _walk(node.operand, depth + 1)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        if op is ast.BitXor:
            raise _fail("'^' is not a power here; write powers as a ** b.")
        if op not in _BINARY:
            raise _fail("only + - * / // % ** are allowed.")
        left = _walk(node.left, depth + 1)
        right = _walk(node.right, depth + 1)
        _pre_check(op, left, right)
        try:
            return _check(_power(left, right) if op is ast.Pow else _BINARY[op](left, right))
        except OverflowError:
            raise _fail("float overflow: the result is too large.") from None
        except ZeroDivisionError:
            raise _fail("division by zero.") from None
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise _fail(f"unknown name {node.id[:40]}; allowed: {_ALLOWED_NAMES}.")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            name = node.func.id[:40] if isinstance(node.func, ast.Name) else "this call"
            raise _fail(f"names and calls other than {_ALLOWED_NAMES} are not allowed; got {name}.")
        function, fewest, most = FUNCTIONS[node.func.id]
        if not fewest <= len(node.args) <= most:
            raise _fail(f"{node.func.id} takes {fewest}..{most} arguments, got {len(node.args)}.")
        args = [_walk(a, depth + 1) for a in node.args]
        if node.func.id == "round" and len(args) == 2 and not isinstance(args[1], int):
            raise _fail("round's second argument must be a whole number.")
        if node.func.id == "round" and len(args) == 2 and abs(args[1]) > MAX_ROUND_DIGITS:
            # round(x, -n) computes 10 ** n: bound n before it runs (every allowed number has fewer digits).
            raise _fail(f"round's second argument must be between -{MAX_ROUND_DIGITS} and {MAX_ROUND_DIGITS}.")
        try:
            return _check(function(*args))
        except OverflowError:
            raise _fail("float overflow: the result is too large.") from None
        except (ValueError, TypeError, ZeroDivisionError):
            # ZeroDivisionError: log(x, 1) divides by log(1).
            raise _fail(f"{node.func.id} is not defined for {', '.join(_clip(a) for a in args)}.") from None
    if isinstance(node, ast.Tuple):
        raise _fail("write numbers without thousands separators (1234567, not 1,234,567).")
    raise _fail(f"{type(node).__name__} is not allowed; use numbers, + - * / // % **, parentheses and "
                f"{_ALLOWED_NAMES}.")


def calculate(expression: str) -> Number:
    """Evaluate an arithmetic expression safely; raise :class:`CalculatorError` otherwise."""
    if not isinstance(expression, str):
        raise _fail("the expression must be text.")
    if len(expression) > MAX_CHARS:
        raise _fail(f"the expression is {len(expression)} characters; the limit is {MAX_CHARS}.")
    text = expression.strip()
    if not text:
        raise _fail("empty expression.")
    if "\x00" in text:
        raise _fail("the expression contains a NUL character.")
    # Parentheses nest the parser itself: bound them before parsing.
    depth = 0
    for char in text:
        if char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _fail(f"the expression is nested deeper than {MAX_DEPTH} levels.")
        elif char in ")]}":
            depth -= 1
    try:
        if _CANNOT_WARN.issuperset(text):  # numbers and operators only: parsing cannot warn
            tree = ast.parse(text, mode="eval")
        else:
            with warnings.catch_warnings():
                # Odd literals ("1if", "'\\.'") warn while parsing; the agent gets errors, not warnings.
                warnings.simplefilter("ignore")
                tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
        raise _fail(f"could not read the expression ({type(error).__name__}).") from None
    # A tree has at most three nodes per character (an operator node, a context node), so
    # only a text longer than MAX_NODES / 3 can exceed the bound: only those are counted.
    if 3 * len(text) + 1 > MAX_NODES:
        for count, _ in enumerate(ast.walk(tree), start=1):
            if count > MAX_NODES:
                raise _fail(f"the expression has more than {MAX_NODES} parts.")
    try:
        return _walk(tree.body, 0)
    except CalculatorError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as error:
        # Every known case has its own message above; this keeps agent input from ever escaping.
        raise _fail(f"could not evaluate the expression ({type(error).__name__}).") from None


def format_number(value: Number) -> str:
    """A number as a tool result: integers exactly, floats to 12 significant digits."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.12g}"
