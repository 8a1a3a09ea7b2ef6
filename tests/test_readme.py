"""What README.md says that a test can hold it to: the "How it works" map names every module, once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _has_code(path: Path) -> bool:
    """False for a package marker that holds at most a docstring."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return any(not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) for node in body)


def test_the_module_map_names_every_module_of_kg_once():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## How it works\n", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"^    (kg/\S+\.py)\s", section, flags=re.MULTILINE)
    modules = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "kg").rglob("*.py") if _has_code(p))
    missing, unknown = sorted(set(modules) - set(named)), sorted(set(named) - set(modules))
    assert not missing and not unknown, f"README 'How it works': add a line for {missing}, drop {unknown}"
    assert len(named) == len(set(named)), "README 'How it works' names a module twice"
