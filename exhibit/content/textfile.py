"""Reading text files strictly: UTF-8, no byte-order mark, no NUL bytes, a sane size, and never
through a symbolic link that leads out of the content folder."""

from __future__ import annotations

from pathlib import Path

from .errors import ErrorLog

# Content files are hand-written text; anything bigger is a mistake (a pasted image, a log file)
# and would only slow every reload down.
MAX_TEXT_FILE_BYTES = 1_000_000


LINK_OUT = "symbolic link leads outside the content folder; links out are not followed"
LINK_LOOP = "symbolic link loops back on itself"


def link_problem(path: Path, folder: Path) -> str | None:
    """Why ``path`` may not be followed (a symbolic link out of ``folder``, or a loop), or None."""
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError on a loop
        return LINK_LOOP
    return None if inside else LINK_OUT


def read_text(path: Path, errors: ErrorLog, *, within: Path | None = None,
              max_bytes: int = MAX_TEXT_FILE_BYTES, kind: str = "content files") -> str | None:
    """The file's text, or None after logging why it cannot be used.

    ``within``: the folder the file must stay in; a symbolic link out of it is refused before
    anything is opened. ``max_bytes``: a tighter size limit for ``kind`` (e.g. "panel texts"), for
    files that are parsed at length.
    """
    problem = link_problem(path, within) if within is not None else None
    if problem:
        errors.add(path, 0, problem)
        return None
    if path.is_dir():
        errors.add(path, 0, "is a folder, not a file")
        return None
    try:
        size = path.stat().st_size
        if size > max_bytes:
            errors.add(path, 0, f"file is {size:,} bytes; {kind} are limited to {max_bytes:,} bytes")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        errors.add(path, 0, f"cannot read file: {exc.strerror}")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        errors.add(path, 1, "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM")
        return None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        errors.add(path, 1, "file is UTF-16; save it as UTF-8")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        errors.add(path, line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
                               f"{exc.start}); save the file as UTF-8")
        return None
    if "\x00" in text and _looks_like_utf16(raw):
        errors.add(path, 1, "file is UTF-16 (without a byte-order mark); save it as UTF-8")
        return None
    if "\x00" in text:
        errors.add(path, text[: text.index("\x00")].count("\n") + 1, "file contains a NUL byte")
        return None
    return text


def _looks_like_utf16(raw: bytes) -> bool:
    """Mostly-ASCII text saved as UTF-16 has a NUL in every other byte."""
    head = raw[:512]
    return len(head) >= 4 and (head[0::2].count(0) == len(head[0::2])
                               or head[1::2].count(0) == len(head[1::2]))
