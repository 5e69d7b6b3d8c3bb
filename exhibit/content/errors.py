"""Problems found in content, each pointing at a file and a line."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in the content: ``path:line: message``."""

    path: Path
    line: int  # 1-based; 0 when the problem is about the file as a whole
    message: str

    def format(self, relative_to: Path | None = None) -> str:
        """The conventional ``path:line: message`` form that editors and CI understand."""
        shown = self.path
        base = relative_to or Path.cwd()
        with contextlib.suppress(ValueError):  # another drive on Windows
            shown = Path(os.path.relpath(self.path, base))
        return f"{shown}:{max(self.line, 1)}: {self.message}"

    def __str__(self) -> str:
        return self.format()


class InvalidContent(Exception):
    """Raised when an exhibition cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, errors: list[ContentError]):
        self.errors = sorted(errors)
        super().__init__(f"{len(self.errors)} problem(s) in the content")

    def report(self, relative_to: Path | None = None) -> str:
        return "\n".join(error.format(relative_to) for error in self.errors)


class ErrorLog:
    """Collects problems while a loader walks the content, so that all of them are reported."""

    def __init__(self) -> None:
        self.errors: list[ContentError] = []
        self._seen: set[ContentError] = set()

    def add(self, path: Path, line: int, message: str) -> None:
        error = ContentError(Path(path), line, message)
        # A file can be reached twice (a folder scan, then a read); one report is enough.
        if error not in self._seen:
            self._seen.add(error)
            self.errors.append(error)

    def __len__(self) -> int:
        return len(self.errors)
