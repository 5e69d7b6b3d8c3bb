"""Pending data (issue 17): ``{{pending: what — who}}`` in a panel text is listed by
``exhibit check`` (as a notice, the check passes), shown on the review page, refuses approval
(through the real staff HTTP flow), refuses a final print (CLI) while a draft print shows it
marked, and is skipped by the demo's approvals; ``{{host_province}}`` is filled in per language.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import text

from exhibit.content import InvalidContent, load_exhibition
from exhibit.content.markdown import RenderEnv, render_markdown
from exhibit.content.pending import find_pending, marker_problems
from exhibit.publication import public_exhibition
from exhibit.review.demo import approve_all

from .conftest import DEMO_PANELS, ROOT, make_app
from .test_review import SMALL, people, post_decision, reviewer  # noqa: F401  (fixtures)

MARKER = "{{pending: the project's GEF ID — FECO and UNIDO}}"
MARKER_FR = "{{pending: identifiant FEM du projet — FECO et ONUDI}}"


def add_pending(panels: Path, slug: str = "story") -> None:
    """A pending item on line 5 of the English text and line 5 of the French one."""
    for lang, marker in (("en", MARKER), ("fr", MARKER_FR)):
        path = panels / slug / f"text.{lang}.md"
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[4] = f"{lines[4]} {marker}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exhibit", "check", str(folder)],
                          capture_output=True, text=True, timeout=120, cwd=folder.parent)


# -- the content format ----------------------------------------------------------------------------

def test_pending_items_are_found_with_their_file_and_line():
    text = "## Results\n\nLine three.\n\nGrant: {{pending: GEF grant (US$) — FECO and UNIDO}}.\n"
    [item] = find_pending(text, "09-pvc-project/text.en.md", "en")
    assert (item.where, item.what, item.who) == ("09-pvc-project/text.en.md:5",
                                                 "GEF grant (US$)", "FECO and UNIDO")
    assert marker_problems(text) == []
    assert marker_problems("{{pending: nobody named}}\n{{host_province}}\n{{hostprovince}}\n") == [
        (1, "a pending item is written {{pending: what is missing — who supplies it}} (an em dash "
            "between the two parts)"),
        (3, "unknown placeholder {{hostprovince}}: a text may use {{pending: what — who}} and "
            "{{host_province}}"),
    ]


def test_a_pending_marker_is_a_visible_escaped_badge_not_a_number_to_cite():
    env = RenderEnv(lang="en", anchor_prefix="src-x-", source_numbers={})
    html = render_markdown("Results: {{pending: tonnes <b>cut</b> in 2025 — FECO}}\n", env)
    assert ('<span class="pending" title="Pending data: to be supplied by the organisation named; '
            'the panel cannot be approved before"><span class="pending-label">pending</span> '
            'tonnes &lt;b&gt;cut&lt;/b&gt; in 2025 — FECO</span>') in html
    assert env.uncited_lines == []  # "2025" inside the marker is not an uncited number
    assert "{{" not in html


def test_exhibit_check_lists_pending_items_as_notices_and_passes(scratch):
    add_pending(scratch)
    result = check(scratch)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "panels/story/text.en.md:5: notice: pending: the project's GEF ID (supplied by FECO "\
           "and UNIDO)" in lines
    assert "panels/story/text.fr.md:5: notice: pending: identifiant FEM du projet (supplied "\
           "by FECO et ONUDI)" in lines
    assert any(line.startswith("2 pending item(s) in 1 panel(s) (story)") for line in lines)
    assert lines[-1].endswith(": ok")
    panel = load_exhibition(scratch).panel("story")
    assert [i.where for i in panel.pending] == ["story/text.en.md:5", "story/text.fr.md:5"]
    assert load_exhibition(scratch).panel("output").pending == ()


def test_a_malformed_marker_fails_the_check_with_its_line(scratch):
    path = scratch / "story" / "text.en.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nMissing: {{pending: the grant}}\n",
                    encoding="utf-8")
    result = check(scratch)
    assert result.returncode == 1
    assert "panels/story/text.en.md:7: a pending item is written {{pending: what is missing — who supplies "\
           "it}} (an em dash between the two parts)" in result.stdout.splitlines()


def test_host_province_is_a_setting_filled_in_per_language(scratch):
    for lang, line in (("zh", "本展在{{host_province}}举办。"), ("en", "Shown in {{host_province}}."),
                       ("fr", "Présentée en {{host_province}}.")):
        path = scratch / "story" / f"text.{lang}.md"
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    with pytest.raises(InvalidContent) as failed:
        load_exhibition(scratch)
    assert "{{host_province}} is used, but exhibition.yaml sets no 'host_province'" in \
        failed.value.report()
    yaml = scratch / "exhibition.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "host_province: {zh: 示例省, en: Example "
                    "Province}\n", encoding="utf-8")
    with pytest.raises(InvalidContent) as failed:
        load_exhibition(scratch)
    assert [e.format(scratch) for e in failed.value.errors] == [
        "exhibition.yaml:24: missing translation: 'host_province' has no fr text"]
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "en: Example Province}", "en: Example Province, fr: Province d’exemple}"), encoding="utf-8")
    exhibition = load_exhibition(scratch)
    story = exhibition.panel("story")
    assert "本展在示例省举办。" in story.body["zh"]
    assert "Shown in Example Province." in story.body["en"]
    assert "Présentée en Province d’exemple." in story.body["fr"]
    assert exhibition.host_province["en"] == "Example Province"
    version = story.version
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("Example Province", "Other"),
                    encoding="utf-8")
    assert load_exhibition(scratch).panel("story").version != version  # what it shows changed


def test_the_demo_sets_a_host_province_and_no_panel_hard_codes_it():
    exhibition = load_exhibition(DEMO_PANELS)
    assert exhibition.host_province is not None
    users = [p.slug for p in exhibition.panels if "{{host_province}}" in p.body_source["en"]]
    assert users, "some demo panel names the host province through {{host_province}}"
    for panel in exhibition.panels:
        for lang in exhibition.languages:
            assert exhibition.host_province[lang] not in panel.body_source[lang], panel.slug


# -- review: shown, and approval refused -----------------------------------------------------------

def test_the_review_page_shows_pending_items_and_approval_is_refused(
        visit_app, reviewer):  # noqa: F811
    add_pending(Path(visit_app.config["CONTENT_DIR"]))
    store = visit_app.extensions["exhibit.content"]
    assert store.refresh() is True
    version = store.exhibition.panel("story").version
    fiona = reviewer("fiona")
    page = fiona.get("/staff/review/story/").get_data(as_text=True)
    assert 'id="h-pending">Pending data: 2 item(s)' in page
    assert "<code>story/text.en.md:5</code></td><td>the project&#39;s GEF ID</td>" \
           "<td>FECO and UNIDO</td>" in page
    assert 'value="approve" class="button" disabled aria-describedby="approve-held"' in page
    # The button is disabled, but a request is not a button: the server refuses it too.
    refused = post_decision(fiona, "story", version)
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert "This version cannot be approved: it has 2 pending item(s)" in body
    assert "story/text.en.md:5" in body
    engine = visit_app.extensions["exhibit.db"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM review_decisions")).scalar() == 0
    # Sending it back (to fill the data in) is still possible; the other panel can be approved.
    sent = post_decision(fiona, "story", version, action="send_back",
                         comment="Please fill in the GEF ID.")
    assert sent.status_code == 303
    other = store.exhibition.panel("output").version
    assert post_decision(fiona, "output", other).status_code == 303
    # Filled in: a new version, which can be approved.
    for lang, marker in (("en", MARKER), ("fr", MARKER_FR)):
        path = Path(visit_app.config["CONTENT_DIR"]) / "story" / f"text.{lang}.md"
        path.write_text(path.read_text(encoding="utf-8").replace(f" {marker}", ""),
                        encoding="utf-8")
    assert store.refresh() is True
    new = store.exhibition.panel("story").version
    assert 'id="h-pending"' not in fiona.get("/staff/review/story/").get_data(as_text=True)
    assert post_decision(fiona, "story", new).status_code == 303


# -- print: final refused, draft marked ------------------------------------------------------------

def test_a_final_print_refuses_a_pending_panel_and_a_draft_shows_it(visit_app, tmp_path):
    panels = Path(visit_app.config["CONTENT_DIR"])
    add_pending(panels)
    visit_app.extensions["exhibit.content"].refresh()
    runner = visit_app.test_cli_runner()
    final = runner.invoke(args=["print", "story", "--size", SMALL, "--lang", "en",
                                "--out", str(tmp_path / "final")])
    assert final.exit_code == 1
    assert "'story' has pending data, so it cannot be printed final" in final.output
    assert "story/text.en.md:5: pending: the project's GEF ID (supplied by FECO and UNIDO)" in \
        final.output
    assert not (tmp_path / "final").exists() or not list((tmp_path / "final").glob("*.pdf"))

    draft = runner.invoke(args=["print", "story", "--draft", "--rgb", "--size", SMALL, "--lang",
                                "en", "--out", str(tmp_path / "draft")])
    assert draft.exit_code == 0, draft.output
    [pdf] = (tmp_path / "draft").glob("*.pdf")
    words = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(pdf).pages)
    assert "PENDING the project's GEF ID — FECO and UNIDO" in words.replace("’", "'")


def test_the_print_preflight_refuses_final_files_with_pending_data(visit_app):
    from exhibit.printing.preflight import check_content

    add_pending(Path(visit_app.config["CONTENT_DIR"]))
    store = visit_app.extensions["exhibit.content"]
    store.refresh()
    panel = store.exhibition.panel("story")
    [problem] = [p for p in check_content(store.exhibition, panel, "en", final=True)
                 if "pending" in p.message]
    assert problem.is_error and "story/text.en.md:5" in problem.message
    assert not [p for p in check_content(store.exhibition, panel, "en") if "pending" in p.message]


# -- the demo's approvals skip pending panels -----------------------------------------------------

def test_approve_all_and_the_demo_skip_panels_with_pending_data(visit_app):
    add_pending(Path(visit_app.config["CONTENT_DIR"]))
    visit_app.extensions["exhibit.content"].refresh()
    with visit_app.app_context():
        approve_all(visit_app)
        public = public_exhibition(visit_app)
    assert [p.slug for p in public.panels] == ["output"]


def test_the_demo_exhibition_keeps_its_pending_panel_unpublished(demo_app):
    files = demo_app.extensions["exhibit.content"].exhibition
    held = [p.slug for p in files.panels if p.pending]
    assert held == ["pvc-results"]
    assert "pvc-project" not in held  # panel 09 shows public facts only and stays public
    with demo_app.app_context():
        public = public_exhibition(demo_app)
    assert public.panel("pvc-results") is None
    assert public.panel("pvc-project") is not None
    client = demo_app.test_client()
    for path in ("/en/", "/zh/", "/fr/", "/api/v1/panels?lang=en", "/sitemap.xml"):
        page = client.get(path).get_data(as_text=True)
        assert "pvc-results" not in page and "{{pending" not in page
        assert 'class="pending"' not in page
    assert client.get("/en/panels/pvc-results/").status_code == 404


def test_exhibit_review_demo_leaves_the_pending_panel_waiting(tmp_path, media_cache):
    """`exhibit review demo` (what scripts/demo runs) approves the demo except what it must not."""
    app = make_app(DEMO_PANELS, media_cache, DATABASE_URL=f"sqlite:///{tmp_path / 'd.sqlite3'}")
    app.instance_path = str(tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["review", "demo", "--password-stdin"],
                                          input="exhibit-demo-review\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        public = public_exhibition(app)
    assert public.panel("pvc-results") is None and public.panel("pvc-project") is not None
    status = app.test_cli_runner().invoke(args=["review", "status"]).output
    assert "pending: 15 item(s) of data still to be supplied; cannot be approved" in status
    assert "exhibit review demo" in (ROOT / "scripts" / "demo").read_text()
