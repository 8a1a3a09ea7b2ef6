"""List the functions of kg/ longer than a limit (default 60 lines, docstring included); exit 1 if any.

.venv/bin/python bench/function_lengths.py [--limit 60]
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kg"


def long_functions(limit: int) -> list[tuple[str, int, str, int]]:
    """``(file, line, name, length)`` of every function over ``limit`` lines, in file order."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append((str(path.relative_to(PACKAGE.parent)), node.lineno, node.name, length))
    return found


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--limit", type=int, default=60, help="most lines a function may have (default: 60)")
    args = p.parse_args()
    found = long_functions(args.limit)
    for path, line, name, length in found:
        print(f"{path}:{line}: {name} has {length} lines (limit {args.limit})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
