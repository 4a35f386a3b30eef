"""A short scenario through the Python client that openapi-python-client generated from the
served OpenAPI document (scripts/client-check puts it on PYTHONPATH): what a client team does
first with the document. Book a session and read it, a 409 parsed as a Problem, a paged list
followed through its cursor to a last page without one, a review's coaching generated and
polled until it succeeded, and the inbox's typed notifications.

Env: CC_BASE_URL, CC_COACH, CC_CLIENT, CC_ADMIN (bearer tokens of coach-ana, client-bo and
admin-al in org acme), CC_WEBHOOK_SECRET (the server's COACHING_WEBHOOK_SECRET).
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import time

import httpx
from coaching_api_client import AuthenticatedClient, models
from coaching_api_client.api.coaches import put_coach_settings
from coaching_api_client.api.evaluations import generate_coaching
from coaching_api_client.api.meta import set_test_clock
from coaching_api_client.api.notifications import list_notifications
from coaching_api_client.api.sessions import create_session, get_session, list_sessions
from coaching_api_client.types import UNSET

BASE = os.environ["CC_BASE_URL"]


def client_for(token):
    return AuthenticatedClient(
        base_url=BASE, token=token, raise_on_unexpected_status=True
    )


COACH = client_for(os.environ["CC_COACH"])
CLIENT = client_for(os.environ["CC_CLIENT"])
ADMIN = client_for(os.environ["CC_ADMIN"])


def at(text):
    return datetime.datetime.fromisoformat(text)


def check(condition, what):
    if not condition:
        print(f"client scenario: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"client scenario: ok: {what}")


def expect(response, status, what):
    if response.status_code != status:
        check(
            False,
            f"{what}: expected {status}, got {response.status_code}: {response.content[:500]!r}",
        )
    check(True, f"{what} ({status})")
    return response.parsed


def paid(starts_at, minutes=30):
    # The booking body is one of Intro, Paid and Review (by `kind`).
    return models.Paid.from_dict(
        {
            "kind": "paid",
            "coachId": "coach-ana",
            "clientId": "client-bo",
            "startsAt": starts_at,
            "durationMinutes": minutes,
        }
    )


def webhook_secret():
    """The secret evaluation deliveries of org acme are signed with: the org's own, which its
    admins read at GET /v1/org/webhook-secret, or the server's master secret where the server
    has no such operation (it then verifies with it directly)."""
    r = httpx.get(
        f"{BASE}/v1/org/webhook-secret",
        headers={"authorization": f"Bearer {os.environ['CC_ADMIN']}"},
    )
    if r.status_code in (404, 405):
        return os.environ["CC_WEBHOOK_SECRET"]
    r.raise_for_status()
    return r.json()["secret"]


def deliver(secret, webhook_id, body):
    """One signed evaluation delivery: the signature covers the exact bytes sent."""
    raw = json.dumps(body).encode()
    ts = str(int(time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{webhook_id}.{ts}.".encode() + raw, hashlib.sha256).digest()
    r = httpx.post(
        f"{BASE}/v1/orgs/acme/webhooks/evaluations",
        content=raw,
        headers={
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": ts,
            "webhook-signature": "v1," + base64.b64encode(mac).decode(),
        },
    )
    check(
        r.status_code == 200,
        f"evaluation {webhook_id} delivered ({r.status_code} {r.text})",
    )


def main():
    # The test clock is the admin's: Monday 30 November 2026, 08:00 UTC.
    clock = set_test_clock.sync_detailed(
        client=ADMIN, body=models.TestClockDto(now=at("2026-11-30T08:00:00Z"))
    )
    expect(clock, 200, "the admin sets the test clock")

    settings = models.CoachSettingsBody.from_dict(
        {
            "timezone": "Europe/Berlin",
            "availability": [
                {"weekday": d, "start": "09:00", "end": "17:00"}
                for d in ("mon", "tue", "wed", "thu", "fri")
            ],
            "prices": {
                "30": {"amount": 5000, "currency": "EUR"},
                "60": {"amount": 9000, "currency": "EUR"},
            },
        }
    )
    expect(
        put_coach_settings.sync_detailed("coach-ana", client=COACH, body=settings),
        200,
        "the coach puts their settings",
    )

    # Book a session, read it back.
    booked = expect(
        create_session.sync_detailed(
            client=CLIENT, body=paid("2026-12-07T08:00:00Z", 60)
        ),
        201,
        "the client books a paid session",
    )
    check(isinstance(booked, models.SessionDto), "the booking answer is a SessionDto")
    check(
        booked.status == models.SessionStatusDto.SCHEDULED, "the session is scheduled"
    )
    read = expect(
        get_session.sync_detailed(booked.id, client=CLIENT), 200, "the client reads it"
    )
    check(
        read.id == booked.id and read.kind == models.SessionKindDto.PAID,
        "the same paid session",
    )
    check(read.starts_at == at("2026-12-07T08:00:00Z"), "its start as booked")

    # A problem answer: the overlapping booking is a 409 slot_unavailable Problem.
    taken = create_session.sync_detailed(
        client=CLIENT, body=paid("2026-12-07T08:30:00Z")
    )
    problem = expect(taken, 409, "an overlapping booking is refused")
    check(
        isinstance(problem, models.Problem),
        f"the refusal parses as a Problem ({type(problem)})",
    )
    check(
        problem.code == models.ProblemCode.SLOT_UNAVAILABLE,
        f"its code is slot_unavailable ({problem.code})",
    )
    check(problem.status == 409, "its status is 409")

    # A paged list: four sessions in all, two a page; the second page is full and the last.
    for day in ("08", "09", "10"):
        expect(
            create_session.sync_detailed(
                client=CLIENT, body=paid(f"2026-12-{day}T08:00:00Z")
            ),
            201,
            f"booking on {day} December",
        )
    first = expect(
        list_sessions.sync_detailed(client=CLIENT, limit=2), 200, "the first page"
    )
    check(
        len(first.items) == 2 and isinstance(first.next_cursor, str),
        "two sessions and a cursor",
    )
    second = expect(
        list_sessions.sync_detailed(client=CLIENT, limit=2, cursor=first.next_cursor),
        200,
        "the page after the cursor",
    )
    check(len(second.items) == 2, "the second page is full")
    check(second.next_cursor is UNSET, "the full last page has no cursor")
    ids = [s.id for s in first.items + second.items]
    check(len(set(ids)) == 4 and booked.id in ids, "every session listed once")

    # Evaluations in November, a review session, its coaching generated and polled.
    secret = webhook_secret()
    for n, day in ((1, 20), (2, 25)):
        deliver(
            secret,
            f"client-check-{n}",
            {
                "type": "evaluation.completed",
                "data": {
                    "evaluationId": f"ev-{n}",
                    "coacheeId": "client-bo",
                    "scorecardId": "support",
                    "evaluatedAt": f"2026-11-{day}T10:00:00Z",
                    "scores": [
                        {
                            "criterionId": "empathy",
                            "criterionName": "Empathy",
                            "score": 1,
                            "maxScore": 4,
                            "comment": "Abrupt greeting",
                        }
                    ],
                },
            },
        )
    review_body = models.Review.from_dict(
        {
            "kind": "review",
            "coachId": "coach-ana",
            "clientId": "client-bo",
            "name": "November review",
            "review": {
                "periodStart": "2026-11-01T00:00:00Z",
                "periodEnd": "2026-12-01T00:00:00Z",
            },
        }
    )
    review = expect(
        create_session.sync_detailed(client=COACH, body=review_body),
        201,
        "the coach creates a review",
    )
    check(
        review.status == models.SessionStatusDto.DRAFT,
        "a review without a start is a draft",
    )
    accepted = expect(
        generate_coaching.sync_detailed(
            review.id, client=COACH, body=models.GenerateBody()
        ),
        202,
        "the coach asks for coaching",
    )
    check(
        accepted.generation.status == models.GenerationStatus.QUEUED,
        "the generation is queued",
    )
    for _ in range(100):
        now = expect(
            get_session.sync_detailed(review.id, client=COACH),
            200,
            "the coach polls the review",
        )
        status = now.review.generation.status
        if status in (
            models.GenerationStatus.SUCCEEDED,
            models.GenerationStatus.FAILED,
        ):
            break
        time.sleep(0.1)
    check(
        status == models.GenerationStatus.SUCCEEDED,
        f"the generation succeeded ({status})",
    )
    check(
        now.review.criteria[0].criterion_id == "empathy",
        "the review's criterion is empathy",
    )

    # The inbox: typed notifications, one class per type.
    inbox = expect(
        list_notifications.sync_detailed(client=COACH), 200, "the coach's inbox"
    )
    ready = inbox.items[0]
    check(
        isinstance(ready, models.CoachingReadyNotification),
        f"the newest notification is a CoachingReadyNotification ({type(ready).__name__})",
    )
    check(
        ready.data.status == models.GenerationStatus.SUCCEEDED,
        "its data says the generation succeeded",
    )
    booked_note = [
        n for n in inbox.items if isinstance(n, models.SessionBookedNotification)
    ]
    check(
        len(booked_note) == 4
        and booked_note[0].data.kind == models.SessionKindDto.PAID,
        "four typed session_booked",
    )
    print("client scenario: every step answered as the document says")


if __name__ == "__main__":
    main()
