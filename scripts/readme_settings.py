"""Rewrite the settings table in README.md from exhibit/settings.py (the single source).

    .venv/bin/python scripts/readme_settings.py
"""

from __future__ import annotations

import re
from pathlib import Path

from exhibit.settings import SETTINGS

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def table() -> str:
    rows = [f"| `{s.name}` | `{s.default!r}` | {s.help} |" for s in SETTINGS]
    return "\n".join(["| setting | default | what and why |", "|---|---|---|", *rows])


def main() -> None:
    text = README.read_text(encoding="utf-8")
    new = re.sub(f"{re.escape(START)}.*?{re.escape(END)}", f"{START}\n{table()}\n{END}", text,
                 flags=re.S)
    README.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
