"""The public API of ``kg``: every name in __all__ resolves, and importing kg loads nothing heavy."""

from __future__ import annotations

import subprocess
import sys

import kg


def test_every_public_name_resolves():
    for name in kg.__all__:
        assert getattr(kg, name) is not None, name
    assert kg.build.__module__ == "kg.pipeline" and kg.load_graph.__module__ == "kg.query"


def test_import_kg_is_light():
    code = (
        "import sys, kg; heavy = {'torch', 'rdflib', 'numpy', 'networkx'} & set(sys.modules); assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
