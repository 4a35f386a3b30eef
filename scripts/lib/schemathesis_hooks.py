"""Schemathesis hooks for scripts/schemathesis: who calls the API, and signed webhooks.

Every generated request gets the bearer token of one of the org's roles in turn (coach,
client, admin: `ST_TOKENS`, space-separated), so each operation is tried as each kind of
caller within one run. The evaluation webhook takes no bearer: its request is signed like a
Standard Webhooks sender signs it (`ST_WEBHOOK_SECRET`), over the exact bytes sent, so the
fuzzer reaches the handler behind the signature check.
"""

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import schemathesis

TOKENS = os.environ["ST_TOKENS"].split()
WEBHOOK_SECRET = os.environ["ST_WEBHOOK_SECRET"]
WEBHOOK_PATH = "/v1/orgs/{orgId}/webhooks/evaluations"

_turn = itertools.count()
_lock = threading.Lock()
_ids = itertools.count()


def _next_token():
    with _lock:
        return TOKENS[next(_turn) % len(TOKENS)]


# No caching (refresh_interval=None): the role changes with every request.
@schemathesis.auth(refresh_interval=None)
class RoleTokens:
    def get(self, case, context):
        if context.operation.path == WEBHOOK_PATH:
            return None
        return _next_token()

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


# Secrets orgs rotated during the run (POST /v1/org/webhook-secret): they replace the derived one.
_ROTATED = {}


def _org_key(org):
    """The key that verifies `org`'s deliveries: its rotated secret, else the one the server
    derives from the master: HMAC-SHA256(master key, "org:" + org id)."""
    if org in _ROTATED:
        return base64.b64decode(_ROTATED[org].removeprefix("whsec_"))
    master = base64.b64decode(WEBHOOK_SECRET.removeprefix("whsec_"))
    return hmac.new(master, b"org:" + org.encode(), hashlib.sha256).digest()


def _sign(org, msg_id, timestamp, body):
    key = _org_key(org)
    signed = msg_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


# Records in the state the state-dependent operations need (scripts/lib/schemathesis_fixtures.py
# explains why): the first positive case of each operation in each phase gets one, then about
# a quarter of the rest, with the token of the party that may act on it. Consumed records are
# used once. Seeded, so that a run repeats.
_FIXTURES = json.load(open(os.environ["ST_FIXTURES"])) if os.environ.get("ST_FIXTURES") else {}
_FIXTURE_SHARE = 0.25
_fixture_rng = random.Random(int(os.environ.get("ST_SEED", "1")))
_fixture_turns = {}
_fixture_used = itertools.count()
# Free slots of coach-cy (24 h a day, no notice): one hour apart from 2027-02-01, never reused.
_FRESH_SLOTS = datetime(2027, 2, 1, tzinfo=timezone.utc)
_slots = itertools.count()


def _is_positive(case):
    meta = case.meta
    return meta is not None and meta.generation.mode.value == "positive"


def _take_fixture(case):
    """The record this case gets, if any (positive cases of the unit phases only: the stateful
    phase reaches records through the document's links)."""
    label = f"{case.operation.method.upper()} {case.operation.path}"
    fixture = _FIXTURES.get(label)
    if fixture is None or not _is_positive(case) or case.meta.phase.name.value == "stateful":
        return None
    turn = (label, case.meta.phase.name.value)
    with _lock:
        first = turn not in _fixture_turns
        _fixture_turns[turn] = True
        if not first and _fixture_rng.random() >= _FIXTURE_SHARE:
            return None
        pool = fixture["items"]
        if not pool:
            return None
        if fixture["consume"]:
            return pool.pop(0)
        return pool[next(_fixture_used) % len(pool)]


def _apply_fixture(case, item, kwargs):
    case.path_parameters = {**(case.path_parameters or {}), **item["path"]}
    case.headers = {k: v for k, v in (case.headers or {}).items()
                    if k not in item.get("drop_headers", [])}
    case.headers["Authorization"] = f"Bearer {item['token']}"
    if "headers" in kwargs:
        kwargs["headers"]["Authorization"] = case.headers["Authorization"]
    if item.get("fresh_key"):
        case.headers["Idempotency-Key"] = f"st-fixture-{next(_ids)}"
    query = {k: v for k, v in (case.query or {}).items() if k not in item.get("drop_query", [])}
    case.query = {**query, **item.get("query", {})}
    if isinstance(case.body, dict) or "body" in item or "fresh_slot" in item:
        body = dict(case.body) if isinstance(case.body, dict) else {}
        for key in item.get("drop", []):
            body.pop(key, None)
        body.update(item.get("body", {}))
        if "fresh_slot" in item:
            slot = _FRESH_SLOTS + timedelta(hours=next(_slots))
            body[item["fresh_slot"]] = slot.strftime("%Y-%m-%dT%H:%M:%SZ")
        case.body = body


@schemathesis.hook
def before_call(context, case, kwargs):
    """Gives a share of the state-dependent operations' cases a seeded record; signs evaluation
    webhook deliveries over the bytes that will be sent."""
    item = _take_fixture(case)
    if item is not None:
        _apply_fixture(case, item, kwargs)
    if case.operation.path != WEBHOOK_PATH:
        return
    body = case.body
    if isinstance(body, (bytes, bytearray)):
        raw = bytes(body)
    elif body is None or type(body).__name__ == "NotSet":
        raw = b""
    else:
        # What requests would send for `json=`; sent as `data` so the signed bytes are the sent ones.
        raw = json.dumps(body, allow_nan=False).encode()
        kwargs["data"] = raw
    msg_id = f"st-{os.getpid()}-{next(_ids)}"
    timestamp = int(time.time())
    case.headers = case.headers or {}
    case.headers["webhook-id"] = msg_id
    case.headers["webhook-timestamp"] = str(timestamp)
    org = str((case.path_parameters or {}).get("orgId", ""))
    case.headers["webhook-signature"] = _sign(org, msg_id, timestamp, raw)


_TRACE = os.environ.get("ST_TRACE")
# The seeded time (scripts/lib/schemathesis_fixtures.py), and an admin's token to set it.
_CLOCK_NOW = os.environ.get("ST_CLOCK_NOW")
_ADMIN = os.environ.get("ST_ADMIN")


def _restore_clock(response):
    """A generated `PUT /v1/test-clock` moves the clock every rule reads (to 1970, to 9999):
    put it back, so that the seeded records stay in the states they were seeded in."""
    url = urlsplit(response.request.url)
    request = urllib.request.Request(
        f"{url.scheme}://{url.netloc}/v1/test-clock",
        data=json.dumps({"now": _CLOCK_NOW}).encode(),
        method="PUT",
        headers={"authorization": f"Bearer {_ADMIN}", "content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        if answer.status != 200:
            raise RuntimeError(f"restoring the test clock answered {answer.status}")


@schemathesis.hook
def after_call(context, case, response):
    """Puts the test clock back after a generated move; with ST_TRACE=FILE, writes one JSON line
    per call (operation, phase, positive or not, status)."""
    if case.operation.path == "/v1/test-clock" and case.operation.method.upper() == "PUT" and _CLOCK_NOW:
        _restore_clock(response)
    if case.operation.path == "/v1/org/webhook-secret" and response.status_code == 201:
        # The org's secret was rotated (every token here is of org acme): sign the following
        # deliveries to acme with the new one.
        _ROTATED["acme"] = response.json()["secret"]
    if not _TRACE:
        return
    meta = case.meta
    line = {
        "op": f"{case.operation.method.upper()} {case.operation.path}",
        "phase": meta.phase.name.value if meta is not None else None,
        "mode": meta.generation.mode.value if meta is not None else None,
        "status": response.status_code,
        "code": None,
    }
    if os.environ.get("ST_TRACE_BODIES"):
        line["path"] = case.path_parameters
        line["body"] = case.body if isinstance(case.body, (dict, list, str, int, float)) else None
    if response.status_code >= 400:
        try:
            problem = response.json()
            line["code"] = problem.get("code")
            line["errors"] = problem.get("errors") or problem.get("detail")
        except Exception:
            pass
    with _lock, open(_TRACE, "a") as f:
        f.write(json.dumps(line) + "\n")
