"""kg.params: one range check, defaults from dataclass fields, the options that shape a build."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.params import OptionError, check_choice, check_range, field_default, options_except
from kg.pipeline import BuildOptions


def test_an_option_error_is_an_input_error_and_a_value_error():
    with pytest.raises(InputError, match="--max-words: must be at least 1, got 0"):
        check_range("max_words", 0, low=1)
    with pytest.raises(ValueError, match="--timeout: must be greater than 0"):
        check_range("timeout", 0.0, low=0, exclusive_low=True)
    with pytest.raises(OptionError, match="between 1 and 5, got 6"):
        check_range("x", 6, low=1, high=5)
    with pytest.raises(OptionError, match="got True"):
        check_range("x", True, low=0)
    with pytest.raises(OptionError, match="one of a, b, got 'c'"):
        check_choice("x", "c", ("a", "b"))
    check_range("x", 5, low=1, high=5)


def test_field_default_reads_the_dataclass():
    assert field_default(BuildOptions, "out_dir") == Path("exports")
    with pytest.raises(KeyError):
        field_default(BuildOptions, "nope")
    with pytest.raises(KeyError):
        options_except(BuildOptions(), frozenset({"nope"}))
