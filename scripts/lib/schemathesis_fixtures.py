"""Seeds the records scripts/schemathesis hands to the state-dependent operations, and writes
them as JSON for scripts/lib/schemathesis_hooks.py.

Schemathesis generates ids and times at random: `POST /v1/sessions/{id}/complete` with a random
id is a 404, and even the stateful phase, which follows the document's links from each create,
only ever reaches sessions that have not started (nothing it books is under way, ended or
completed). Schemathesis warns about that (`missing_test_data`, `validation_mismatch`), and
rightly: such operations would be tested only up to their first check. So a share of their
positive cases get a record in the state the operation needs, as a client would have one: a
session under way to complete, an ended one to mark a no-show, a completed one to review, a
pending reschedule request to approve or reject, a review session with a criterion to delete,
a thread with a real cursor, a free slot of a coach to book or move to. Everything else about
those cases stays as schemathesis generated it.

The records belong to coach-cy, a coach the generated cases do not name (they name coach-ana,
whose settings the fuzzer rewrites), so the fixtures keep their state until they are used.

Usage: schemathesis_fixtures.py BASE_URL OUT.json (env: ST_COACH_CY, ST_CLIENT, ST_ADMIN tokens).
The test clock must stand at CLOCK_START; it is left at CLOCK_NOW.
"""

import json
import os
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

BASE, OUT = sys.argv[1], sys.argv[2]
COACH = os.environ["ST_COACH_CY"]
CLIENT = os.environ["ST_CLIENT"]
ADMIN = os.environ["ST_ADMIN"]

CLOCK_START = datetime(2026, 11, 29, 0, 0, tzinfo=timezone.utc)
CLOCK_NOW = datetime(2026, 11, 30, 10, 12, tzinfo=timezone.utc)
# How many records each consuming operation gets: the first positive case of every phase takes
# one, and about a quarter of the rest.
POOL = 12


def at(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def call(method, path, token, body=None, expect=(200,)):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    if status not in expect:
        sys.exit(f"schemathesis fixtures: {method} {path} answered {status}, not {expect}: {raw[:500]!r}")
    return json.loads(raw) if raw else None


def clock(t):
    call("PUT", "/v1/test-clock", ADMIN, {"now": at(t)})


def book(starts_at, minutes=30):
    body = {"kind": "paid", "coachId": "coach-cy", "clientId": "client-bo",
            "startsAt": at(starts_at), "durationMinutes": minutes}
    return call("POST", "/v1/sessions", CLIENT, body, expect=(201,))["id"]


def review_session():
    body = {"kind": "review", "coachId": "coach-cy", "clientId": "client-bo", "name": "Fixture review",
            "review": {"periodStart": "2026-11-01T00:00:00Z", "periodEnd": "2026-12-01T00:00:00Z"}}
    return call("POST", "/v1/sessions", COACH, body, expect=(201,))["id"]


clock(CLOCK_START)
week = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
call("PUT", "/v1/coaches/coach-cy/settings", COACH, {
    "timezone": "UTC", "minNoticeMinutes": 0,
    "availability": [{"weekday": d, "start": "00:00", "end": "24:00"} for d in week],
    "prices": {k: {"amount": 5000, "currency": "EUR"} for k in ("30", "45", "60")},
})

# Sessions that will have started by CLOCK_NOW: to complete, to mark as no-shows, to review.
past = [book(CLOCK_START + timedelta(hours=1, minutes=30 * k)) for k in range(3 * POOL)]
to_complete, no_shows, to_review = past[:POOL], past[POOL:2 * POOL], past[2 * POOL:]
# One under way at CLOCK_NOW (10:00 to 11:00): to join, and to write messages in.
under_way = book(datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc), 60)
# Sessions 24 to 48 hours after CLOCK_NOW: the client's moves become requests for the coach.
requested = [book(datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc) + timedelta(minutes=30 * k))
             for k in range(2 * POOL + 1)]
# Scheduled sessions weeks ahead: to read, edit, move (each move goes to a fresh slot), cancel.
ahead = [book(datetime(2026, 12, 20, 8, 0, tzinfo=timezone.utc) + timedelta(hours=k)) for k in range(4)]
to_cancel = [book(datetime(2026, 12, 21, 8, 0, tzinfo=timezone.utc) + timedelta(hours=k)) for k in range(POOL)]

clock(CLOCK_NOW)
for s in to_review:
    call("POST", f"/v1/sessions/{s}/complete", COACH)
requests = []
for k, s in enumerate(requested):
    moved = call("POST", f"/v1/sessions/{s}/reschedule", CLIENT,
                 {"startsAt": at(datetime(2026, 12, 10, 0, 0, tzinfo=timezone.utc) + timedelta(hours=k))},
                 expect=(202,))
    requests.append(moved["rescheduleRequest"]["id"])
to_approve, to_reject, to_read = requests[:POOL], requests[POOL:2 * POOL], requests[2 * POOL:]

# Review sessions (drafts) with the criterion `empathy` written: to write again and to delete.
reviews = []
for _ in range(POOL + 1):
    r = review_session()
    call("PUT", f"/v1/sessions/{r}/criteria/empathy", COACH,
         {"name": "Empathy", "summary": "Greets abruptly", "linkedEvaluationIds": ["ev-1"]})
    reviews.append(r)

# A review session to generate coaching for (the builtin generator; empathy has markdowns).
to_generate = review_session()
# An action item of a scheduled session: to edit and tick.
item = call("POST", f"/v1/sessions/{ahead[0]}/action-items", COACH,
            {"title": "Send the Q1 plan", "dueDate": "2026-12-18"}, expect=(201,))["id"]

# Knowledge-base articles to remove, and coach-cy's calendar feed (the generated cases rotate
# only their own callers' tokens).
articles = [call("POST", "/v1/kb-articles", ADMIN, {"title": f"Greeting guide {k}",
                 "url": f"https://kb.example.com/greeting-{k}", "keywords": ["greeting"]},
                 expect=(201,))["id"] for k in range(POOL)]
feed = call("POST", "/v1/calendar-token", COACH, expect=(200, 201))["token"]

# A thread of three messages and the cursor of its second page.
for text in ("Agenda attached", "Thanks!", "See you at ten"):
    call("POST", f"/v1/sessions/{under_way}/messages", COACH, {"text": text}, expect=(201,))
cursor = call("GET", f"/v1/sessions/{under_way}/messages?limit=1", CLIENT)["nextCursor"]

# Outbound webhook endpoints of the admin (a public-looking host: the server is not started with
# COACHING_WEBHOOK_ALLOW_PRIVATE, and the name resolves nowhere here, so attempts fail fast and
# deliveries stay pending), and a ping delivery of the first, to replay.
endpoints = [call("POST", "/v1/webhook-endpoints", ADMIN,
                  {"url": f"https://hooks.example.com/st-{k}", "eventTypes": ["session.cancelled"]},
                  expect=(201,))["id"] for k in range(POOL // 2)]
ping = call("POST", f"/v1/webhook-endpoints/{endpoints[0]}/test", ADMIN, expect=(202,))["id"]


def items(ids, token, key="id", **extra):
    return [dict({"path": {key: i}, "token": token}, **extra) for i in ids]


fixtures = {
    # consume: each record is used once (the operation changes its state for good).
    "POST /v1/sessions/{id}/complete": {"consume": True, "items": items(to_complete, COACH)},
    "POST /v1/sessions/{id}/no-show": {"consume": True, "items": items(no_shows, COACH)},
    "POST /v1/sessions/{id}/review": {"consume": True, "items": items(to_review, CLIENT)},
    "POST /v1/sessions/{id}/review-request": {"consume": False, "items": items(to_review[:1], COACH)},
    "POST /v1/sessions/{id}/join": {"consume": False, "items": items([under_way], CLIENT)},
    "GET /v1/sessions/{id}/messages": {"consume": False, "items": items(
        [under_way], CLIENT, query={"cursor": cursor}) + items([under_way], COACH, drop_query=["cursor"])},
    "POST /v1/reschedule-requests/{id}/approve": {"consume": True, "items": items(to_approve, COACH)},
    "POST /v1/reschedule-requests/{id}/reject": {"consume": True, "items": items(to_reject, COACH)},
    "GET /v1/reschedule-requests/{id}": {"consume": False, "items": items(to_read, COACH)},
    "PUT /v1/sessions/{id}/criteria/{criterionId}": {"consume": False, "items": [
        {"path": {"id": reviews[-1], "criterionId": "empathy"}, "token": COACH,
         "body": {"linkedEvaluationIds": ["ev-1"]}, "drop_headers": ["If-Match"]}]},
    "DELETE /v1/sessions/{id}/criteria/{criterionId}": {"consume": True, "items": [
        {"path": {"id": r, "criterionId": "empathy"}, "token": COACH, "drop_headers": ["If-Match"]}
        for r in reviews[:-1]]},
    "POST /v1/sessions/{id}/generate": {"consume": False, "items": items(
        [to_generate], COACH, drop=["criterionIds"])},
    "PATCH /v1/action-items/{id}": {"consume": False, "items": items([item], COACH)},
    "POST /v1/sessions/{id}/cancel": {"consume": True, "items": items(to_cancel, CLIENT)},
    "GET /v1/sessions/{id}": {"consume": False, "items": items(ahead[:1], COACH) + items([under_way], CLIENT)},
    "POST /v1/sessions/{id}/action-items": {"consume": False, "items": items(
        ahead[:1], COACH, drop=["assigneeId"])},
    "POST /v1/sessions/{id}/messages": {"consume": False, "items": items([under_way], CLIENT)},
    "DELETE /v1/kb-articles/{articleId}": {"consume": True, "items": items(articles, ADMIN, key="articleId")},
    "GET /v1/webhook-endpoints/{id}": {"consume": False, "items": items(endpoints[:1], ADMIN)},
    "PATCH /v1/webhook-endpoints/{id}": {"consume": False, "items": items(
        endpoints[1:2], ADMIN, drop=["url", "eventTypes"])},
    "DELETE /v1/webhook-endpoints/{id}": {"consume": True, "items": items(endpoints[2:], ADMIN)},
    "POST /v1/webhook-endpoints/{id}/rotate-secret": {"consume": False, "items": items(endpoints[:1], ADMIN)},
    "POST /v1/webhook-endpoints/{id}/test": {"consume": False, "items": items(endpoints[:1], ADMIN)},
    "GET /v1/webhook-endpoints/{id}/deliveries": {"consume": False, "items": items(
        endpoints[:1], ADMIN, drop_query=["cursor"])},
    "POST /v1/webhook-deliveries/{id}/retry": {"consume": False, "items": items([ping], ADMIN)},
    "GET /v1/calendar/{token}.ics": {"consume": False, "items": items(
        [feed], COACH, key="token", drop_headers=["If-None-Match"])},
    # A month of figures: generated from/to pairs are mostly backwards or years apart (400).
    "GET /v1/coaches/{coachId}/analytics": {"consume": False, "items": [
        {"path": {"coachId": "coach-cy"}, "token": ADMIN,
         "query": {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}}]},
    # A scheduled session is edited (not rescheduled: PATCH startsAt only schedules a draft).
    "PATCH /v1/sessions/{id}": {"consume": False, "items": items(
        ahead[:2], COACH, drop=["startsAt", "agenda"], drop_headers=["If-Match"])},
    # Moved by its coach to a fresh slot: at once.
    "POST /v1/sessions/{id}/reschedule": {"consume": False, "items": items(
        ahead[2:], COACH, fresh_slot="startsAt", drop_headers=["If-Match"])},
    # Booked by the client into a fresh slot of coach-cy, under a fresh idempotency key.
    "POST /v1/sessions": {"consume": False, "items": [
        {"path": {}, "token": CLIENT, "fresh_slot": "startsAt", "fresh_key": True,
         "body": {"coachId": "coach-cy", "clientId": "client-bo", "kind": "paid", "durationMinutes": 30},
         "drop": ["agendaTemplateId", "review", "name"]}]},
}
# Lists: a cursor is something a client has from the page before, never made up (a made-up one
# is 400); a share of each list's cases ask for the first page instead, as the org's admin.
for path in ("/v1/sessions", "/v1/action-items", "/v1/agenda-templates", "/v1/notifications",
             "/v1/reschedule-requests", "/v1/kb-articles", "/v1/coachees/{coacheeId}/evaluations"):
    fixtures[f"GET {path}"] = {"consume": False, "items": [
        {"path": {"coacheeId": "client-bo"} if "{coacheeId}" in path else {}, "token": ADMIN,
         "drop_query": ["cursor"]}]}
with open(OUT, "w") as f:
    json.dump(fixtures, f, indent=1)
print(f"schemathesis fixtures: {sum(len(v['items']) for v in fixtures.values())} records for "
      f"{len(fixtures)} operations in {OUT}")
