"""Options checked in one place: the range and choice checks every options dataclass runs in its
``__post_init__``, the command line's defaults read from those dataclasses' fields, and the options
that shape a build's output.

An out-of-range option raises :class:`OptionError`, which names the option as the command line spells
it and says what was expected. It is both an :class:`kg.errors.InputError` (``kg`` exits 2) and a
``ValueError`` (what a Python caller expects from a bad argument).

Examples
--------
>>> check_range("row_limit", 0, low=1)
Traceback (most recent call last):
...
kg.params.OptionError: --row-limit: must be at least 1, got 0
>>> check_range("timeout", 2.5, low=0, exclusive_low=True)
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Opts:
...     port: int = 8000
...     quiet: bool = False
>>> field_default(Opts, "port"), options_except(Opts(), frozenset({"quiet"}))
(8000, (('port', 8000),))
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterable
from typing import Any

from kg.errors import InputError

__all__ = [
    "OptionError",
    "add_option",
    "check_choice",
    "check_range",
    "field_default",
    "flag",
    "options_except",
]


class OptionError(InputError, ValueError):
    """An option with a value outside what it accepts."""

    def __init__(self, name: str, message: str):
        super().__init__(flag(name), message)


def flag(name: str) -> str:
    """The command-line spelling of an option field: ``html_max_nodes`` -> ``--html-max-nodes``."""
    return "--" + name.replace("_", "-")


def check_range(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    exclusive_low: bool = False,
) -> None:
    """Raise :class:`OptionError` unless ``value`` is a number in ``[low, high]`` (``(low, high]`` when
    ``exclusive_low``); a bound of None is open. Booleans are not numbers here."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    above = low is None or (is_number and (value > low if exclusive_low else value >= low))
    below = high is None or (is_number and value <= high)
    if is_number and above and below:
        return
    if low is not None and high is not None:
        expected = f"between {low} and {high}"
    elif low is not None:
        expected = f"greater than {low}" if exclusive_low else f"at least {low}"
    elif high is not None:
        expected = f"at most {high}"
    else:
        expected = "a number"
    raise OptionError(name, f"must be {expected}, got {value!r}")


def check_choice(name: str, value: Any, choices: Iterable[str]) -> None:
    """Raise :class:`OptionError` unless ``value`` is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        raise OptionError(name, f"must be one of {', '.join(choices)}, got {value!r}")


def field_default(cls: type, name: str) -> Any:
    """The default of the dataclass field ``name`` of ``cls`` (the one place a default is written)."""
    for f in dataclasses.fields(cls):
        if f.name == name:
            if f.default is not dataclasses.MISSING:
                return f.default
            if f.default_factory is not dataclasses.MISSING:
                return f.default_factory()
            raise KeyError(f"{cls.__name__}.{name} has no default")
    raise KeyError(f"{cls.__name__} has no field {name!r}")


def add_option(parser: argparse.ArgumentParser, cls: type, name: str, help: str, **kwargs: Any) -> None:
    """``parser.add_argument(--name)`` with the default of the dataclass field and its type.

    The value is checked when the dataclass is made (its ``__post_init__``), not by argparse, so the
    command line and a Python caller get the same check and the same message.
    """
    default = field_default(cls, name)
    if "type" not in kwargs and "action" not in kwargs and type(default) in (int, float):
        kwargs["type"] = type(default)
    parser.add_argument(flag(name), default=default, help=help, **kwargs)


def options_except(options: Any, excluded: frozenset[str]) -> tuple[tuple[str, Any], ...]:
    """``(name, value)`` of every field of the dataclass ``options`` not in ``excluded``, in field order.

    A build's fingerprint takes its options from here, so a new option shapes the fingerprint unless it
    is listed as not shaping the output.
    """
    names = {f.name for f in dataclasses.fields(options)}
    unknown = excluded - names
    if unknown:
        raise KeyError(f"not fields of {type(options).__name__}: {', '.join(sorted(unknown))}")
    return tuple((f.name, getattr(options, f.name)) for f in dataclasses.fields(options) if f.name not in excluded)
