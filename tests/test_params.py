"""kg.params: one range check, defaults from dataclass fields, the options that shape a build."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kg.corpus import read_corpus
from kg.errors import InputError
from kg.params import OptionError, check_choice, check_range, field_default, options_except
from kg.pipeline import NOT_OUTPUT_SHAPING, BuildOptions, fingerprint


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


def _changed(value):
    """Another valid value of a BuildOptions field."""
    if isinstance(value, bool):
        return not value
    if value is None:
        return 7
    if isinstance(value, int | float):
        return value + 1 if isinstance(value, int) else value / 2
    if dataclasses.is_dataclass(value):
        first = dataclasses.fields(value)[0]
        return dataclasses.replace(value, **{first.name: _changed(getattr(value, first.name))})
    if isinstance(value, Path):
        return value / "elsewhere"
    return {"auto": "cpu", "in-process": "dask", "rules": "tagger"}[value]


def test_fingerprint_covers_every_output_shaping_option(tmp_path):
    src = tmp_path / "p.jsonl"
    src.write_text('{"id": "a", "title": "T", "abstract": "An abstract."}\n', encoding="utf-8")
    corpus = read_corpus([src])
    base = BuildOptions()
    before = fingerprint(corpus, base, "m")
    for f in dataclasses.fields(BuildOptions):
        value = getattr(base, f.name)
        other = {"cache_dir": Path("x"), "scheduler": "local:3"}.get(f.name, _changed(value))
        changed = dataclasses.replace(base, **{f.name: other})
        assert getattr(changed, f.name) != value, f.name
        same = fingerprint(corpus, changed, "m") == before
        assert same == (f.name in NOT_OUTPUT_SHAPING), f.name
