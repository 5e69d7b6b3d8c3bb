"""Reading text files strictly: UTF-8, no byte-order mark, no NUL bytes, a sane size."""

from __future__ import annotations

from pathlib import Path

from .errors import ErrorLog

# Content files are hand-written text; anything bigger is a mistake (a pasted image, a log file)
# and would only slow every reload down.
MAX_TEXT_FILE_BYTES = 1_000_000


def read_text(path: Path, errors: ErrorLog) -> str | None:
    """The file's text, or None after logging why it cannot be used."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        errors.add(path, 0, f"cannot read file: {exc.strerror}")
        return None
    if size > MAX_TEXT_FILE_BYTES:
        errors.add(path, 0, f"file is {size:,} bytes; content files are limited to "
                            f"{MAX_TEXT_FILE_BYTES:,} bytes")
        return None
    raw = path.read_bytes()
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
    if "\x00" in text:
        errors.add(path, text[: text.index("\x00")].count("\n") + 1, "file contains a NUL byte")
        return None
    return text
