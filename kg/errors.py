"""Errors a user can act on: each names the file (and line) at fault."""

from __future__ import annotations


class FileError(Exception):
    """A problem located in a file: ``path:line: message`` (or ``path: message`` without a line)."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # rebuilt from its fields when it crosses a process boundary
        return type(self), (self.path, self.message, self.line)


class InputError(FileError):
    """Bad input: a missing path, an unreadable file or (under ``--strict``) a malformed record.

    >>> str(InputError("data/x.jsonl", "bad JSON", line=3))
    'data/x.jsonl:3: bad JSON'
    """


class ExportError(FileError):
    """An export that does not read back: a bug in its writer, never the user's input. The build fails
    and the earlier exports stay.

    >>> str(ExportError("out/graph.graphml", "not readable GraphML", line=21))
    'out/graph.graphml:21: not readable GraphML'
    """


class EngineError(Exception):
    """The build engine failed: a Dask scheduler that cannot be reached, workers that keep dying.

    >>> str(EngineError("tcp://10.0.0.1:8786", "cannot reach the Dask scheduler"))
    'tcp://10.0.0.1:8786: cannot reach the Dask scheduler'
    """

    def __init__(self, where: str, message: str):
        self.where, self.message = str(where), message
        super().__init__(f"{self.where}: {message}")
