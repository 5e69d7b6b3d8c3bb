"""Fuzzing the JSON API: thousands of generated requests, in process, against the real app.

- The OpenAPI description served at /api/v1/openapi.json is what schemathesis fuzzes from, and it
  must say exactly what the validator accepts: a property test checks both answer the same for
  valid events, mutated ones and arbitrary JSON.
- Whatever is sent: never a 5xx; every 4xx is JSON naming the field (and, for an event, its index
  and id); nothing of a rejected event is stored; every valid event beside it is stored exactly once.
- Hostile bodies: malformed JSON, wrong Content-Type, no Content-Length, huge and deeply nested
  bodies, huge numbers, NaN, bytes that are not UTF-8, lone surrogates, duplicate keys, empty and
  oversized batches.

About 1,700 requests reach the app per run (750 generated from the description, 600 of any bytes,
the mixed batches on each database, the panels); the property test checks 1,500 more events
against the validator without HTTP. Runs are repeatable (derandomized Hypothesis, no example
database) and take about a minute on a 2-core machine; FUZZ_SCALE (an environment variable,
default 1) multiplies the examples: FUZZ_SCALE=2 sends the 1,500 description cases of earlier runs,
and a scheduled long run should use 10 or more. (Schemathesis spends nearly all of this test's time
generating cases, a tenth of the whole suite's at the former 1,500.)
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import uuid
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder, run_wsgi_app

from exhibit.visits.events import (
    ATTRACT_CAUSES,
    FIELDS,
    IDENT_PATTERN,
    KINDS,
    LANG_PATTERN,
    MAX_DWELL_MS,
    MAX_LOOP_MS,
    SLUG_PATTERN,
    SRC_PATTERN,
    FieldError,
    event_schemas,
    fields_of,
    validate,
)
from exhibit.visits.schema import events as events_table

from .conftest import make_app, publish
from .scratch import write_exhibition

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"


def fuzz_settings(examples: int) -> settings:
    """Repeatable runs: the same examples every time (CI and a developer see the same failures)."""
    return settings(max_examples=max(1, int(examples * SCALE)), derandomize=True, database=None,
                    deadline=None, phases=[Phase.explicit, Phase.generate, Phase.shrink],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much,
                                           HealthCheck.function_scoped_fixture])


def fuzz_app_for(tmp_path, media_cache, **config):
    app = make_app(write_exhibition(tmp_path), media_cache, RATELIMIT_ENABLED=False, **config)
    app.instance_path = str(tmp_path / "instance")
    publish(app)
    return app


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, media_cache):
    """One app (SQLite) for the schemathesis runs: its log grows over the run, which is the point."""
    app = fuzz_app_for(tmp_path_factory.mktemp("fuzz"), media_cache)
    yield app
    app.extensions["exhibit.db"].dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    # The statuses the events API refuses with (docs/api.md, "The answer", "Refused as a whole").
    # Schemathesis' own list lacks 411 and 413: a batch over EVENTS_MAX_BATCH (the schema's
    # maxItems) is refused with 413 like a body over EVENTS_MAX_BYTES, because the kiosk splits
    # its batch on a 413. A 5xx is never a rejection: not_a_server_error fails it.
    config = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {
        "expected-statuses": ["400", "404", "405", "411", "413", "415", "422", "429"]}}})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app, config=config)


def stored_ids(app) -> set[str]:
    with app.extensions["exhibit.db"].connect() as conn:
        return set(conn.execute(select(events_table.c.id)).scalars())


def row_count(app) -> int:
    with app.extensions["exhibit.db"].connect() as conn:
        return conn.execute(select(func.count()).select_from(events_table)).scalar_one()


def sent_ids(events: Any) -> set[str]:
    """The ids a batch may have stored (lowercase, as stored), of those a database can look up."""
    if not isinstance(events, list):
        return set()
    return {e["id"].lower() for e in events if isinstance(e, dict) and isinstance(e.get("id"), str)
            and len(e["id"]) <= 64 and e["id"].isprintable() and _utf8(e["id"])}


class Ledger:
    """The database before a request, enough to say afterwards what the request stored: the row
    count, and which of the ids it sent were there already (the log grows over a run, so looking at
    every row each time would be quadratic)."""

    def __init__(self, app, events: Any):
        self.app = app
        self.ids = sent_ids(events)
        self.count = row_count(app)
        self.present = self.stored(self.ids)

    def stored(self, ids: set[str]) -> set[str]:
        if not ids:
            return set()
        with self.app.extensions["exhibit.db"].connect() as conn:
            return set(conn.execute(select(events_table.c.id).where(events_table.c.id.in_(ids)))
                       .scalars())

    def check(self, answer: Any) -> set[str]:
        """What is new in the database is exactly what the answer says was stored now, and
        nothing already stored is lost. Returns the new ids."""
        newly = {r["id"].lower() for r in answer.get("results", []) if r["status"] == "stored"}
        now_present = self.stored(self.ids | newly)
        assert now_present - self.present == newly, answer
        assert self.present <= now_present
        assert row_count(self.app) - self.count == len(newly), answer
        return newly


# -- the checks every answer must pass ---------------------------------------------------------------

def check_answer(status: int, content_type: str, body: bytes, sent: Any = None) -> Any:
    """Never a 5xx; every 4xx is JSON with a message; a per-event rejection names its field, index
    and (when it was a short string) id. Returns the parsed answer."""
    assert status < 500, body[:500]
    assert content_type.startswith("application/json"), (status, content_type, body[:200])
    answer = json.loads(body)
    if status >= 400 and "results" not in answer:
        assert isinstance(answer.get("error"), str) and answer["error"], answer
        if "field" in answer:
            assert f"field '{answer['field']}'" in answer["error"], answer
        return answer
    assert set(answer) == {"results", "counts"}, answer
    results = answer["results"]
    if isinstance(sent, list):
        assert [r["index"] for r in results] == list(range(len(sent)))
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
        if result["status"] != "rejected":
            continue
        error = result["error"]
        if "field" in result:
            assert error.startswith(f"field '{result['field']}': "), result
        else:  # only an event that is not an object has no field to blame
            assert error == "each event must be a JSON object", result
        if isinstance(sent, list):
            raw = sent[result["index"]]
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            if isinstance(raw_id, str) and len(raw_id) <= 64 and raw_id.isprintable():
                assert result["id"] == raw_id, result
    assert answer["counts"] == counts
    assert status == (400 if counts.get("rejected") else 200), answer
    return answer


# -- 1. schemathesis, from the OpenAPI description the app serves ------------------------------------

def test_the_description_is_valid_openapi_3_1(api_schema, fuzz_app):
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

    document = fuzz_app.test_client().get("/api/v1/openapi.json").get_json()
    OPENAPI_31_VALIDATOR.validate(document)
    assert document["components"]["schemas"]["EventBatch"]["properties"]["events"]["maxItems"] == \
        fuzz_app.config["EVENTS_MAX_BATCH"]
    assert {"/api/v1/events", "/api/v1/panels"} <= set(document["paths"])


def recent_times(events: list[Any]) -> None:
    """The one rule JSON Schema cannot say (an event's time is recent) made true of generated
    valid events, each at its own recent time."""
    now = dt.datetime.now(dt.UTC)
    for number, event in enumerate(events):
        event["at"] = (now - dt.timedelta(seconds=number)).isoformat()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=lambda m: m.value)
def test_events_fuzzed_from_the_description(api_schema, fuzz_app, mode):
    """Valid batches are stored whole (200); invalid ones are refused (4xx) for the right reason,
    with their valid events stored all the same. The answers match the documented schemas."""
    operation = api_schema["/api/v1/events"]["POST"]
    examples = {GenerationMode.POSITIVE: 250, GenerationMode.NEGATIVE: 500}[mode]

    @fuzz_settings(examples)
    @given(case=operation.as_strategy(mode))
    def run(case):
        if mode is GenerationMode.POSITIVE:
            recent_times(case.body["events"])
        sent = case.body.get("events") if isinstance(case.body, dict) else None
        ledger = Ledger(fuzz_app, sent)
        response = case.call()
        # schemathesis' own checks: no server error, documented status, content type and schema,
        # valid data accepted, invalid data refused.
        case.validate_response(response)
        answer = check_answer(response.status_code, response.headers.get("content-type", [""])[0],
                              response.content, sent)
        ledger.check(answer)

    run()


def test_panels_fuzzed_from_the_description(api_schema):
    operation = api_schema["/api/v1/panels"]["GET"]
    for mode, examples in ((GenerationMode.POSITIVE, 15), (GenerationMode.NEGATIVE, 40)):
        @fuzz_settings(examples)
        @given(case=operation.as_strategy(mode))
        def run(case):
            response = case.call()
            case.validate_response(response)
            assert response.status_code in (200, 400)
            if response.status_code == 400:
                answer = check_answer(400, response.headers["content-type"][0], response.content)
                assert answer["field"] == "lang"

        run()


# -- 2. the description and the validator agree --------------------------------------------------------

EVENT_SCHEMA = jsonschema_rs.Draft202012Validator(
    {"oneOf": list(event_schemas().values())}, validate_formats=True)


def has_lone_surrogate(value: Any) -> bool:
    return "\\ud" in json.dumps(value) and not _utf8(json.dumps(value, ensure_ascii=False))


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def schema_accepts(event: Any) -> bool:
    # JSON text with a lone surrogate is not Unicode: no JSON Schema validator can take it, and
    # the API refuses it.
    return not has_lone_surrogate(event) and EVENT_SCHEMA.is_valid(event)


def in_window_only(event: Any) -> Any:
    """The event with a recent time if its time is wrong only by being too old or in the future."""
    if isinstance(event, dict) and isinstance(event.get("at"), str):
        try:
            FIELDS["at"].check(event["at"])
        except ValueError as exc:
            if "future" in str(exc) or "older" in str(exc):
                return {**event, "at": dt.datetime.now(dt.UTC).isoformat()}
    return event


def validator_accepts(event: Any) -> bool:
    try:
        validate(event)
    except FieldError:
        return False
    return True


def matching(pattern: str, max_size: int | None = None) -> st.SearchStrategy[str]:
    strategy = st.from_regex(pattern, fullmatch=True).filter(lambda s: re.fullmatch(pattern, s))
    return strategy.filter(lambda s: len(s) <= max_size) if max_size else strategy


UNICODE_TEXT = st.characters(exclude_categories=("Cc", "Cs"))


@st.composite
def recent_time(draw) -> str:
    """A time the API accepts: within the window, in the spellings clients use."""
    ago = draw(st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(days=399)))
    offset = draw(st.integers(min_value=-14 * 60, max_value=14 * 60))
    zone = dt.timezone(dt.timedelta(minutes=offset))
    moment = (dt.datetime.now(dt.UTC) - ago).astimezone(zone)
    style = draw(st.sampled_from(["iso", "js", "seconds", "lower"]))
    if style == "js":  # new Date().toISOString()
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
            f"{moment.microsecond // 1000:03d}Z"
    if style == "seconds":
        return moment.replace(microsecond=0).isoformat()
    text = moment.isoformat()
    return text.replace("T", "t") if style == "lower" else text


def whole_numbers(low: int, high: int) -> st.SearchStrategy[Any]:
    ints = st.integers(min_value=low, max_value=high)
    return st.one_of(ints, st.sampled_from([low, high]), ints.map(float))  # 12.0 is a whole number


SLUGS = st.one_of(matching(SLUG_PATTERN, 80), st.sampled_from(["story", "a" * 80, "a-" * 39 + "bc"]))
VALID_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "id": st.one_of(st.uuids().map(str), st.uuids().map(lambda u: str(u).upper())),
    "at": recent_time(),
    "lang": matching(LANG_PATTERN),
    "from_lang": matching(LANG_PATTERN),
    "panel": SLUGS,
    "kiosk": st.one_of(matching(IDENT_PATTERN), st.just("k" * 64)),
    "session": st.uuids().map(str),
    "dwell_ms": whole_numbers(0, MAX_DWELL_MS),
    "duration_ms": whole_numbers(0, MAX_DWELL_MS),
    "panels": st.lists(SLUGS, max_size=4),
    "videos_completed": whole_numbers(0, 1000),
    "path": st.one_of(st.text(UNICODE_TEXT, max_size=299).map(lambda t: "/" + t),
                      st.just("/" + "p" * 299)),
    "src": matching(SRC_PATTERN),
    "referrer": st.one_of(st.text(UNICODE_TEXT, min_size=1, max_size=500),
                          st.sampled_from(["https://mp.weixin.qq.com/s/x", "http://[::1",
                                           "https://[bad/", "http://\uff0e\uff0e/", "r" * 500])),
    "question": matching(IDENT_PATTERN),
    "answer": st.one_of(whole_numbers(0, 100), matching(IDENT_PATTERN)),
    "cause": st.sampled_from(ATTRACT_CAUSES),
    "loop_ms": whole_numbers(0, MAX_LOOP_MS),
}
assert set(VALID_VALUES) == set(FIELDS) - {"kind", "surface"}  # those two are chosen first

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)
# Values chosen to be wrong for some field: wrong types, edges, text that is not Unicode.
AWKWARD_VALUES = st.one_of(
    JSON_VALUES, st.sampled_from([
        -1, MAX_DWELL_MS + 1, 1001, 101, 0.5, 1e300, -0.0, True, "", " ", "zh\n", "story\n",
        "a" * 81, "k" * 65, "/" + "p" * 300, "r" * 501, "/a\x00b", "/a\x7fb", "/a\x85b", "/a\ud800b",
        "\udfff", "2026-13-01T00:00:00Z", "2026-11-21T09:30:60Z", "2026-11-21T09:30:00",
        "2026-11-21T09:30:00+24:00", "2026-11-21 09:30:00Z", "1999-01-01T00:00:00Z",
        "{3f2b0c1e-8d4a-4c6e-9a51-2f0e9d8c7b6a}", "urn:uuid:3f2b0c1e-8d4a-4c6e-9a51-2f0e9d8c7b6a",
        "3f2b0c1e8d4a4c6e9a512f0e9d8c7b6a", "PAGE_VIEW", "Web"]))


@st.composite
def valid_events(draw) -> dict[str, Any]:
    kind = draw(st.sampled_from(list(KINDS)))
    surface = draw(st.sampled_from(KINDS[kind].surfaces))
    required, optional = fields_of(kind, surface)
    names = list(required) + draw(st.lists(st.sampled_from(optional), unique=True)
                                  if optional else st.just([]))
    event = {"kind": kind, "surface": surface}
    for name in draw(st.permutations(names)):
        if name not in event:
            event[name] = draw(VALID_VALUES[name])
    return event


@st.composite
def invalid_events(draw) -> tuple[Any, str | None]:
    """(an event the API must refuse, the field it must name). Made from a valid event by one
    mutation; the description (not the validator) says it is invalid."""
    event = draw(valid_events())
    required, optional = fields_of(event["kind"], event["surface"])
    how = draw(st.sampled_from(["missing", "unknown", "value", "value", "not_object", "old"]))
    if how == "not_object":
        return draw(st.one_of(st.none(), st.integers(), st.text(max_size=5),
                              st.lists(JSON_VALUES, max_size=2))), None
    if how == "missing":
        name = draw(st.sampled_from(required))
        del event[name]
        return event, name
    if how == "unknown":
        name = draw(st.text(max_size=10).filter(lambda n: n not in required + optional))
        event[name] = draw(JSON_VALUES)
        return event, None  # named, but escaped: checked by the message's shape
    if how == "old":
        event["at"] = draw(st.sampled_from(["2000-01-01T00:00:00Z", "2999-01-01T00:00:00+08:00"]))
        return event, "at"
    name = draw(st.sampled_from(sorted(event)))
    event[name] = draw(AWKWARD_VALUES.filter(lambda v: not schema_accepts({**event, name: v})))
    return event, None  # the first wrong field is named; kind and surface decide the others


ANY_EVENTS = st.one_of(
    valid_events(),
    invalid_events().map(lambda pair: pair[0]),
    st.dictionaries(st.sampled_from(sorted(FIELDS)), st.one_of(AWKWARD_VALUES, *VALID_VALUES.values()),
                    max_size=8),
)


@fuzz_settings(1500)
@given(event=ANY_EVENTS)
def test_the_description_and_the_validator_agree(event):
    """Any event, valid, mutated or made of random fields: the OpenAPI event schema and the
    validator say the same (times are kept inside the window, the one rule JSON Schema cannot say)."""
    event = in_window_only(event)
    assert schema_accepts(event) == validator_accepts(event), event


def test_event_schemas_are_made_from_the_validators_data():
    schemas = event_schemas()
    assert len(schemas) == sum(len(kind.surfaces) for kind in KINDS.values())
    for kind, spec in KINDS.items():
        for surface in spec.surfaces:
            required, optional = fields_of(kind, surface)
            schema = next(s for s in schemas.values()
                          if s["properties"]["kind"]["const"] == kind
                          and s["properties"]["surface"]["const"] == surface)
            assert schema["required"] == list(required)
            assert set(schema["properties"]) == set(required) | set(optional)
            assert schema["additionalProperties"] is False


def test_the_docs_list_every_kind_and_field_as_the_validator_does():
    """docs/api.md has the kinds table written out; it must say what KINDS says."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text(encoding="utf-8")

    def names(cell: str) -> tuple[str, ...]:
        return tuple(re.findall(r"`([a-z_]+)`", cell)) or tuple(
            word.strip() for word in cell.split(",") if word.strip())

    table = {}
    for line in docs.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].strip("`") in KINDS:
            table[cells[0].strip("`")] = (names(cells[1]), names(cells[2]), names(cells[3]))
    assert table == {kind: (spec.surfaces, spec.required, spec.optional)
                     for kind, spec in KINDS.items()}
    for field in FIELDS:
        assert f"`{field}`" in docs, field


# -- 3. mixed batches: valid events beside invalid ones, on SQLite and PostgreSQL ----------------------

@st.composite
def mixed_batches(draw) -> list[tuple[str, bool, Any, str | None]]:
    """(the event's JSON text, valid?, the event, field to blame) — some invalid events spelled
    with a key given twice, which only the text can carry."""
    items = []
    for valid in draw(st.lists(st.booleans(), min_size=1, max_size=12)):
        if valid:
            event = draw(valid_events())
            items.append((json.dumps(event), True, event, None))
            continue
        if draw(st.integers(0, 5)) == 0:
            event = draw(valid_events())
            name = draw(st.sampled_from(sorted(event)))
            text = json.dumps(event)[:-1] + f", {json.dumps(name)}: {json.dumps(event[name])}}}"
            items.append((text, False, event, name))
            continue
        event, field = draw(invalid_events())
        items.append((json.dumps(event), False, event, field))
    return items


@pytest.fixture()
def mixed_app(tmp_path, media_cache, database_url):
    app = fuzz_app_for(tmp_path, media_cache, DATABASE_URL=database_url)
    yield app
    app.extensions["exhibit.db"].dispose()


def test_mixed_batches_store_every_valid_event_once_and_nothing_else(mixed_app):
    client = mixed_app.test_client()
    examples = 200 if "sqlite" in mixed_app.config["DATABASE_URL"] else 120

    @fuzz_settings(examples)
    @given(batch=mixed_batches())
    def run(batch):
        sent = [json.loads(text) for text, *_ in batch]
        ledger = Ledger(mixed_app, sent)
        before = ledger.present
        body = '{"events": [' + ", ".join(text for text, *_ in batch) + "]}"
        response = client.post("/api/v1/events", data=body.encode("utf-8", "surrogatepass"),
                               content_type="application/json", headers={"User-Agent": BROWSER_UA})
        answer = check_answer(response.status_code, response.content_type, response.data, sent)
        after = before | ledger.check(answer)
        valid_ids = {event["id"].lower() for _, valid, event, _ in batch if valid}
        first_seen: set[str] = set()
        for (_, valid, event, field), result in zip(batch, answer["results"], strict=True):
            if valid:
                event_id = event["id"].lower()
                expected = "duplicate" if event_id in before | first_seen else "stored"
                assert result == {"index": result["index"], "id": event["id"], "status": expected}
                first_seen.add(event_id)
                assert event_id in after
            else:
                assert result["status"] == "rejected", (event, result)
                if field is not None:
                    assert result.get("field") == field, (event, result)
                if isinstance(event, dict) and isinstance(event.get("id"), str):
                    # nothing of it is stored, unless a valid event had the same id
                    event_id = event["id"].lower()
                    assert event_id not in after - before or event_id in valid_ids
        assert after - before == valid_ids - before  # every valid event new here, and only those

    run()


# -- 4. hostile bodies ---------------------------------------------------------------------------------

def now_event(**extra) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "kind": "page_view", "surface": "web",
            "at": dt.datetime.now(dt.UTC).isoformat(), "path": "/zh/", "lang": "zh", **extra}


def post_raw(client, body: bytes, content_type="application/json", **kwargs):
    return client.post("/api/v1/events", data=body, content_type=content_type, **kwargs)


def assert_refused(response, status: int, words: str):
    answer = check_answer(response.status_code, response.content_type, response.data)
    assert response.status_code == status, answer
    assert words in answer["error"], answer
    return answer


NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("body, words", [
    (b'{"events": [', "not valid JSON"),
    (b"   ", "the body is empty"),
    (b"null", "field 'events'"),
    (b'{"events": {}}', "field 'events'"),
    (b'[{"events": []}]', "field 'events'"),
    (b'{"events": [], "extra": 1}', "field 'extra': not allowed at the top level"),
    (b'{"events": [], "events": []}', "field 'events': given twice"),
    (b'{"events": [' + NESTED + b"]}", "nested too deeply"),
    (b'{"events": [], "x": ' + b"9" * 5000 + b"}", "not valid JSON"),
    (b'{"events": [NaN]}', "NaN is not a JSON value"),
    (b'{"events": [Infinity]}', "Infinity is not a JSON value"),
    (b'{"events": [-Infinity]}', "-Infinity is not a JSON value"),
    (b'{"events": ["\xff\xfe"]}', "not UTF-8 text (byte 13 is 0xff)"),
    ('{"events": []}'.encode("utf-16"), "not UTF-8"),
    ('\ufeff{"events": []}'.encode(), "not valid JSON"),
    (b'{"events": []}\x00', "not valid JSON"),
], ids=lambda v: v.decode("latin-1")[:30] if isinstance(v, bytes) else v)
def test_hostile_bodies_are_refused_whole(fuzz_app, body, words):
    before = row_count(fuzz_app)
    assert_refused(post_raw(fuzz_app.test_client(), body), 400, words)
    assert row_count(fuzz_app) == before


def test_content_type_length_and_size_limits(fuzz_app):
    client = fuzz_app.test_client()
    body = json.dumps({"events": [now_event()]}).encode()
    assert_refused(post_raw(client, body, "text/plain"), 415, "Content-Type: application/json")
    assert_refused(post_raw(client, body, "application/x-www-form-urlencoded"), 415, "JSON")
    # No Content-Length and not chunked: the body cannot be read safely.
    environ = EnvironBuilder("/api/v1/events", method="POST", input_stream=io.BytesIO(body),
                             content_type="application/json").get_environ()
    del environ["CONTENT_LENGTH"]
    app_iter, status, headers = run_wsgi_app(fuzz_app, environ, buffered=True)
    no_length = fuzz_app.response_class(b"".join(app_iter), status=status, headers=headers)
    assert_refused(no_length, 411, "Content-Length")
    huge = json.dumps({"events": [now_event(referrer="https://x.example/" + "a" * 480)] * 2000})
    assert len(huge) > fuzz_app.config["EVENTS_MAX_BYTES"]
    assert_refused(post_raw(client, huge.encode()), 413, "larger than")
    # A chunked body has no length to check first: reading stops at the limit.
    chunked = client.post("/api/v1/events", input_stream=io.BytesIO(huge.encode()),
                          content_type="application/json",
                          headers={"Transfer-Encoding": "chunked"},
                          environ_overrides={"wsgi.input_terminated": True})
    assert_refused(chunked, 413, "larger than")
    assert stored_ids(fuzz_app).isdisjoint({json.loads(huge)["events"][0]["id"]})


def test_batches_of_zero_and_of_one_too_many(fuzz_app):
    client = fuzz_app.test_client()
    response = client.post("/api/v1/events", json={"events": []})
    assert response.status_code == 200
    assert response.get_json() == {"results": [], "counts": {}}
    limit = fuzz_app.config["EVENTS_MAX_BATCH"]
    batch = [now_event() for _ in range(limit + 1)]
    answer = assert_refused(client.post("/api/v1/events", json={"events": batch}), 413,
                            f"at most {limit} events")
    assert answer["field"] == "events"
    assert stored_ids(fuzz_app).isdisjoint({e["id"] for e in batch})
    response = client.post("/api/v1/events", json={"events": batch[:limit]})
    assert response.status_code == 200
    assert response.get_json()["counts"] == {"stored": limit}


def test_surrogates_duplicate_keys_and_odd_numbers_cost_only_their_event(fuzz_app):
    client = fuzz_app.test_client()
    good = now_event()
    lone = now_event()
    body = ('{"events": [' + json.dumps(good) + ", "
            + json.dumps(lone)[:-1] + ', "referrer": "https://x.example/\\ud800"}, '
            + json.dumps(now_event())[:-1] + ', "lang": "en"}, '
            + json.dumps(now_event(kind="panel_view", panel="story", surface="web"))[:-1]
            .replace('"path": "/zh/", ', "") + ', "dwell_ms": 1e400}, '
            + json.dumps({"\ud800": 1, **now_event()}) + ", "
            + json.dumps(now_event(path="/" + "\U0001f600" * 299)) + "]}")
    response = post_raw(client, body.encode())
    answer = check_answer(response.status_code, response.content_type, response.data)
    statuses = [(r["status"], r.get("field")) for r in answer["results"]]
    assert statuses == [("stored", None), ("rejected", "referrer"), ("rejected", "lang"),
                        ("rejected", "dwell_ms"), ("rejected", "\\ud800"), ("stored", None)]
    assert "lone surrogate" in answer["results"][1]["error"]
    assert answer["results"][2]["error"] == "field 'lang': given twice in the same event"
    assert good["id"] in stored_ids(fuzz_app) and lone["id"] not in stored_ids(fuzz_app)


def test_api_errors_are_json(fuzz_app):
    client = fuzz_app.test_client()
    response = client.get("/api/v1/events")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    assert response.get_json()["error"].startswith("Method Not Allowed")
    assert client.get("/api/v1/nothing").get_json() == {"error": "not found"}
    response = client.get("/api/v1/panels?lang=" + "x" * 1000)
    assert response.status_code == 400 and len(response.get_json()["error"]) < 200
    assert client.get("/en/nothing").content_type.startswith("text/html")


@fuzz_settings(600)
@given(body=st.one_of(st.binary(max_size=200),
                      JSON_VALUES.map(lambda v: json.dumps(v).encode()),
                      st.lists(ANY_EVENTS, max_size=5).map(lambda e: json.dumps({"events": e}).encode()),
                      st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass"))),
       content_type=st.sampled_from(["application/json", "application/json; charset=utf-8",
                                     "application/vnd.api+json", "text/plain", ""]))
def test_any_bytes_never_fail_the_server(fuzz_app, body, content_type):
    try:
        sent = json.loads(body)["events"]
    except (ValueError, TypeError, KeyError):
        sent = None
    ledger = Ledger(fuzz_app, sent)
    response = post_raw(fuzz_app.test_client(), body, content_type)
    answer = check_answer(response.status_code, response.content_type, response.data,
                          sent if isinstance(sent, list) else None)
    ledger.check(answer)
