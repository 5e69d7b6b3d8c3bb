"""The channel-figures CSV import is strict: a row with more or fewer fields than the header is
refused with the line it starts on, and a file with any bad row saves nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from exhibit.auth.accounts import create_account
from exhibit.visits.schema import audit_events, channel_reports

from .test_staff import PASSWORD, Staff


@pytest.fixture()
def editor(visit_app):
    """An editor signed in to the staff area, CSRF tokens on as in production."""
    create_account(visit_app.extensions["exhibit.db"], "ed", PASSWORD, "editor", None)
    visit_app.config["WTF_CSRF_ENABLED"] = True
    session = Staff(visit_app)
    session.login("ed")
    return session


def _post(session, text: str):
    return session.post("/staff/channels", {"csv": (io.BytesIO(text.encode()), "figures.csv")},
                      content_type="multipart/form-data")


def _saved(visit_app):
    with visit_app.extensions["exhibit.db"].connect() as conn:
        return (conn.execute(select(channel_reports)).all(),
                conn.execute(select(audit_events).where(
                    audit_events.c.action == "channel_figures_saved")).all())


def test_rows_with_extra_or_missing_fields_are_refused_and_nothing_is_saved(editor, visit_app):
    text = ("channel,date,reads,source\n"
            "weibo,2026-11-01,1000,Weibo data centre\n"               # line 2: good
            "douyin,2026-11-01,2000,Douyin report, page 3\n"         # line 3: a field too many
            'wechat,2026-11-01,300,"WeChat back office,\nmonthly"\n'  # lines 4-5: good, quoted
            "kuaishou,2026-11-01,40\n"                                # line 6: a field missing
            "toutiao,2026-11-01,50,Toutiao\n")                        # line 7: good
    response = _post(editor, text)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "line 3: 5 field(s), but the header has 4" in html
    assert "line 6: 3 field(s), but the header has 4" in html
    assert "line 2:" not in html and "line 4:" not in html and "line 7:" not in html
    assert _saved(visit_app) == ([], [])  # the good rows are not saved either

    good = "\n".join(line for n, line in enumerate(text.split("\n")) if n not in (2, 5)) + "\n"
    assert _post(editor, good).status_code == 302
    rows, audit = _saved(visit_app)
    assert {r.channel: r.reads for r in rows} == {"weibo": 1000, "wechat": 300, "toutiao": 50}
    assert {r.source for r in rows} >= {"WeChat back office,\nmonthly"}
    assert len(audit) == 1


def test_a_bad_value_after_a_bad_row_is_reported_in_line_order(editor, visit_app):
    response = _post(editor, "channel,date,reads,source\nweibo,2026-11-01,1000,a,b\n"
                            "myspace,2026-11-01,5,x\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.index("line 2: 5 field(s)") < html.index("line 3: unknown channel")
    assert _saved(visit_app) == ([], [])
