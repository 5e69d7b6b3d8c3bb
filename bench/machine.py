"""What the benchmark tables say about the machine they were measured on."""

from __future__ import annotations

import os
from pathlib import Path


def machine() -> str:
    """Core count and CPU model, e.g. '2 cores (Intel(R) Xeon(R) Processor @ 2.10GHz)'."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model})"


def load() -> str:
    """The machine's load average: other work on the same cores slows every figure here."""
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
