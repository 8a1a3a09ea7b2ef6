"""The kg command line: defaults from the options dataclasses, help that shows them, --version."""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys

import pytest

import kg
from kg import cli
from kg.pipeline import BuildOptions
from kg.query.serve import ServeOptions


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_option_of_every_command_shows_its_default():
    for name, sub in _subparsers(cli._parser()).items():
        text = sub.format_help()
        for action in sub._actions:
            if action.option_strings and action.dest != "help" and not action.required:
                assert action.help, (name, action.option_strings)
                assert "default" in cli._HelpFormatter(name)._get_help_string(action), (name, action.option_strings)
        assert "(default:" in text or name == "validate", name


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"kg {kg.__version__}"


def test_build_defaults_are_the_build_options_fields():
    args = cli._parser("build").parse_args(["build"])
    defaults = BuildOptions()
    for name in cli._BUILD_OPTIONS:
        assert getattr(args, name) == getattr(defaults, name), name
    assert args.out_dir == str(defaults.out_dir)


def test_serve_defaults_are_the_serve_options_fields():
    args = cli._parser("serve").parse_args(["serve"])
    assert ServeOptions(**{n: getattr(args, n) for n in cli._SERVE_OPTIONS}) == ServeOptions()
    settable = {f.name for f in dataclasses.fields(ServeOptions)} - {"load_timeout"}
    assert set(cli._SERVE_OPTIONS) <= settable


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["serve", "--port", "70000"], "--port"),
        (["serve", "--timeout", "0"], "--timeout"),
        (["serve", "--workers", "0"], "--workers"),
    ],
)
def test_out_of_range_options_exit_2_naming_the_option(argv, flag, capsys):
    assert cli.main(argv) == 2
    assert f"kg: error: {flag}: must be" in capsys.readouterr().err


def test_html_max_nodes_zero_means_every_node():
    assert cli._parser("build").parse_args(["build", "--html-max-nodes", "0"]).html_max_nodes is None
    assert cli._parser("build").parse_args(["build", "--html-max-nodes", "7"]).html_max_nodes == 7
    with pytest.raises(SystemExit):
        cli._parser("build").parse_args(["build", "--html-max-nodes", "-1"])


def test_query_and_version_do_not_import_the_pipeline():
    code = (
        "import sys; from kg import cli; cli._parser('query'); cli._parser('validate'); "
        "assert 'kg.pipeline' not in sys.modules and 'torch' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
