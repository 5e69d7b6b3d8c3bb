"""The command line: `exhibit check` and refusing to start on invalid content."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from exhibit.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def run_check(directory: Path):
    return CliRunner().invoke(cli, ["check", str(directory)])


def test_check_passes_on_the_demo():
    result = run_check(ROOT / "panels")
    assert result.exit_code == 0, result.output
    assert ": ok" in result.output


def remove_field(path: Path, field: str) -> None:
    """Delete the first `field:` of a YAML file, with the lines nested under it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{field}:"))
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and len(lines[end]) - len(lines[end].lstrip()) > indent:
        end += 1
    del lines[start:end]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_check_names_each_broken_file_and_line(demo_copy):
    """The foundation issue's four breakages on a copy of the demo, reported in one run."""
    yaml_panel = demo_copy / "01-minamata-convention" / "panel.yaml"
    yaml_panel.write_text(yaml_panel.read_text(encoding="utf-8").replace("kind:", "kind: [", 1),
                          encoding="utf-8")
    (demo_copy / "02-vcm-measures" / "text.fr.md").unlink()
    remove_field(demo_copy / "07-low-mercury-catalyst" / "panel.yaml", "alt")
    csv_file = sorted((demo_copy / "03-carbide-route").glob("*.csv"))[0]
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    value_column = lines[0].split(",").index("value")
    cells = lines[1].split(",")
    cells[value_column] = "12..5"
    lines[1] = ",".join(cells)
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run_check(demo_copy)
    assert result.exit_code == 1
    out = result.output
    assert f"03-carbide-route/{csv_file.name}:2: value '12..5' is not a number" in out, out
    assert "01-minamata-convention/panel.yaml:" in out and "YAML syntax error" in out
    assert "02-vcm-measures/text.fr.md:1: missing translation: no fr text for this panel" in out
    assert "07-low-mercury-catalyst/panel.yaml:" in out and "missing field 'alt' in images[1]" in out


def test_run_refuses_invalid_content_and_prints_the_same_messages(scratch):
    (scratch / "story" / "text.fr.md").unlink()
    env = dict(os.environ, EXHIBIT_CONTENT_DIR=str(scratch), FLASK_RUN_PORT="0")
    result = subprocess.run([sys.executable, "-m", "exhibit", "run"], env=env, cwd=scratch.parent,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "story/text.fr.md:1: missing translation: no fr text for this panel" in result.stderr
    assert "not starting" in result.stderr


def test_the_instance_secret_key_is_private_and_made_once(tmp_path):
    """Mode 0600 from its creation whatever the umask, and processes starting together (threads
    here) all end up with the one key that was written."""
    import stat
    from concurrent.futures import ThreadPoolExecutor

    from exhibit.config import _instance_secret

    old = os.umask(0)  # the most permissive umask: the mode must come from the code
    try:
        with ThreadPoolExecutor(8) as pool:
            keys = set(pool.map(lambda _: _instance_secret(tmp_path / "instance"), range(8)))
    finally:
        os.umask(old)
    path = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys == {path.read_text()} and len(path.read_text()) == 64
