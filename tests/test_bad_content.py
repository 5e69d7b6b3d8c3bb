"""The bad-content corpus: every folder in tests/bad_content/ is an exhibition broken in one way,
and `exhibit check` must say exactly what its expected.txt says — no more, no less.

For each case the real command runs in a fresh Python (the `exhibit` entry point, cwd = the case
folder, so paths print relative to it) under an audit hook that notes every file opened and every
folder listed outside the case folder and outside Python's own code. The test asserts:

- exit status 1 and exactly the lines of expected.txt on stdout (exit 0 when expected.txt lists
  nothing: the content is accepted, e.g. HTML in Markdown, which is escaped);
- no Python traceback, and an answer within TIMEOUT_SECONDS (a hang guard, not a benchmark);
- nothing read, opened or listed outside the case folder (symlinks, traversal);
- for accepted cases: the pages built from the content, and the panel HTML itself, carry no
  script, event-handler attribute, javascript:/data: link or frame that came from the content.

Adding a case needs no code: a new folder with an exhibition and an expected.txt (see
docs/content-format.md, "The bad-content corpus").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from exhibit.content import load_exhibition
from exhibit.content.markdown import ALLOWED_TAGS

from .conftest import make_app, publish

CORPUS = Path(__file__).resolve().parent / "bad_content"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
TIMEOUT_SECONDS = 30
OUTSIDE = "OUTSIDE-CASE-FOLDER: "

# Runs `exhibit check .` as the console script does, with an audit hook (PEP 578) that reports
# every open/listdir/scandir whose real path is outside the case folder and outside the places
# Python code and its libraries are loaded from.
AUDITED_CHECK = f"""
import importlib.util, os, sys
case = os.path.realpath(os.getcwd())
code = {{os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}}
code.add(os.path.realpath(os.path.dirname(importlib.util.find_spec("exhibit").origin)))
allowed = tuple(p + os.sep for p in code | {{case}})
outside = []

def hook(event, args):
    if event not in ("open", "os.listdir", "os.scandir") or not args:
        return
    path = args[0]
    if path is None or isinstance(path, int):
        return
    path = os.fsdecode(path)
    if path in ("/dev/null", "/dev/urandom"):
        return
    real = os.path.realpath(path)
    if not (real + os.sep).startswith(allowed):
        outside.append(f"{{event}} {{path}} -> {{real}}")

sys.addaudithook(hook)
from exhibit.cli import main
sys.argv = ["exhibit", "check", "."]
try:
    main()
finally:
    for line in outside:
        os.write(2, ("{OUTSIDE}" + line + "\\n").encode())
"""


def expected_lines(case: Path) -> list[str]:
    """The lines of expected.txt, without blank lines and '#' comments."""
    text = (case / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


SYMLINKS = "symlinks.txt"


def prepared(case: Path, tmp_path: Path) -> Path:
    """A copy of the case to run in, with the symbolic links its symlinks.txt lists
    (``path -> target``, one per line) made for real.

    The links are not committed: one points at ``../../``, and a tool that walks the checkout
    following links (setuptools building the project, a backup, an indexer) would go round it
    for ever. In the copy they lead exactly where they would from the case folder.
    """
    copy = tmp_path / case.name
    shutil.copytree(case, copy, ignore=shutil.ignore_patterns(SYMLINKS))
    listed = case / SYMLINKS
    if listed.is_file():
        for line in listed.read_text(encoding="utf-8").splitlines():
            if line.strip():
                path, target = (part.strip() for part in line.split(" -> "))
                link = copy / path
                link.parent.mkdir(parents=True, exist_ok=True)
                link.unlink(missing_ok=True)
                link.symlink_to(target)
    return copy


def run_check(case: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXHIBIT_", "FLASK_"))}
    return subprocess.run([sys.executable, "-c", AUDITED_CHECK], cwd=case, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT_SECONDS)


def test_every_case_has_an_expected_txt():
    assert len(CASES) >= 40
    missing = [case.name for case in CASES if not (case / "expected.txt").is_file()]
    assert not missing, f"cases without expected.txt: {missing}"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_exhibit_check_reports_exactly_the_expected_problems(case, tmp_path):
    expected = expected_lines(case)
    result = run_check(prepared(case, tmp_path))
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    leaks = [line for line in result.stderr.splitlines() if line.startswith(OUTSIDE)]
    assert not leaks, "read outside the case folder:\n" + "\n".join(leaks)
    if expected:
        assert result.returncode == 1, output
        printed = [line for line in result.stdout.splitlines() if line.strip()]
        assert sorted(printed) == sorted(expected), (
            "\nexpected (expected.txt):\n  " + "\n  ".join(expected)
            + "\nprinted by exhibit check:\n  " + "\n  ".join(printed))
    else:
        assert result.returncode == 0, output
        assert result.stdout.rstrip().endswith(": ok"), output


# -- accepted cases: whatever the content holds, no active HTML reaches a page ---------------------

ACCEPTED = [case for case in CASES if (case / "expected.txt").is_file() and not expected_lines(case)]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset"}
FRAME_TAGS = {"iframe", "frame", "frameset", "object", "embed", "base"}


class ActiveHtml(HTMLParser):
    """Collects what could run: scripts not served by the app, handlers, scripted URLs, frames."""

    def __init__(self, allowed_tags: set[str] | None):
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags  # None: a whole page, whose own scripts are allowed
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.allowed_tags is not None and tag not in self.allowed_tags:
            self.found.append(f"<{tag}>")
        if tag == "script":
            src = attributes.get("src") or ""
            own = src.startswith("/static/") or attributes.get("type") == "application/json"
            if self.allowed_tags is not None or not own:
                self.found.append(f"<script {attributes}>")
        if tag in FRAME_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            scheme = "".join((value or "").split()).lower()
            if name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def active_html(html: str, allowed_tags: set[str] | None = None) -> list[str]:
    """What in ``html`` could run; ``allowed_tags``: the only tags it may have (panel text)."""
    parser = ActiveHtml(allowed_tags)
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.mark.parametrize("case", ACCEPTED, ids=[case.name for case in ACCEPTED])
def test_accepted_content_reaches_no_page_as_active_html(case, media_cache):
    before = sorted(str(p.relative_to(case)) for p in case.rglob("*"))
    exhibition = load_exhibition(case)
    for panel in exhibition.panels:
        for lang, html in panel.body.items():
            assert not active_html(html, ALLOWED_TAGS), (panel.slug, lang, html)
            assert "<script" not in html and "<iframe" not in html  # as text, escaped: fine

    app = make_app(case, media_cache)
    publish(app)
    client = app.test_client()
    urls = ["/kiosk/"]
    for lang in exhibition.languages:
        urls.append(f"/{lang}/")
        urls += [f"/{lang}/panels/{panel.slug}/" for panel in exhibition.panels]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = active_html(response.get_data(as_text=True))
        assert not found, f"{url}: {found}"
    # Rendering wrote nothing into the content folder.
    assert sorted(str(p.relative_to(case)) for p in case.rglob("*")) == before
