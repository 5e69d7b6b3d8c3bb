#!/usr/bin/env python3
"""Record the demo narration: a panel's title and summary spoken by espeak-ng (a real speech
synthesiser, Debian package ``espeak-ng``), encoded as Ogg Opus by ``opusenc`` (``opus-tools``).
``scripts/setup media`` installs both. From the repository root:

    .venv/bin/python media/_src/make_narration.py

The words come from the panel's own ``panel.yaml`` (title, then summary), so the recording says
exactly what the panel says. The app never runs this script; its output is committed in
``media/narration/`` and declared in the panel's ``narration:`` field. A synthetic voice is a demo
stand-in: an exhibition records its narration with a person, in the same format.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# (panel folder, language, espeak-ng voice, output file under media/)
RECORDINGS = (
    ("01-minamata-convention", "en", "en-gb", "narration/minamata-convention.en.opus"),
    ("01-minamata-convention", "fr", "fr-fr", "narration/minamata-convention.fr.opus"),
)


def record(folder: str, lang: str, voice: str, out: str) -> Path:
    panel = yaml.safe_load((ROOT / "panels" / folder / "panel.yaml").read_text(encoding="utf-8"))
    words = f"{panel['title'][lang]}. {panel['summary'][lang]}"
    target = ROOT / "media" / out
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), words], check=True)
        # Speech at 24 kbit/s mono; no comments that change from run to run.
        subprocess.run(["opusenc", "--quiet", "--bitrate", "24", "--downmix-mono",
                        "--comment", f"TITLE={panel['title'][lang]}", "--comment",
                        "ARTIST=espeak-ng (synthetic demo narration)",
                        str(wav), str(target)], check=True)
    return target


def main() -> int:
    for folder, lang, voice, out in RECORDINGS:
        print(record(folder, lang, voice, out).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
