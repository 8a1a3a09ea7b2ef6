"""Errors a user can act on: each names the file (and line) at fault."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: a missing path, an unreadable file or (under ``--strict``) a malformed record.

    >>> str(InputError("data/x.jsonl", "bad JSON", line=3))
    'data/x.jsonl:3: bad JSON'
    """

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class EngineError(Exception):
    """The build engine failed: a Dask scheduler that cannot be reached, workers that keep dying.

    >>> str(EngineError("tcp://10.0.0.1:8786", "cannot reach the Dask scheduler"))
    'tcp://10.0.0.1:8786: cannot reach the Dask scheduler'
    """

    def __init__(self, where: str, message: str):
        self.where, self.message = str(where), message
        super().__init__(f"{self.where}: {message}")
