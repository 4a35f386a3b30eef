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
import threading
import time

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


def _sign(msg_id, timestamp, body):
    key = base64.b64decode(WEBHOOK_SECRET.removeprefix("whsec_"))
    signed = msg_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@schemathesis.hook
def before_call(context, case, kwargs):
    """Signs evaluation webhook deliveries over the bytes that will be sent."""
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
    case.headers["webhook-signature"] = _sign(msg_id, timestamp, raw)
