# Shared by scripts/test, scripts/bench-jobs and scripts/walkthrough (sourced): the Python tools
# in .venv and a moto server on a free loopback port. The caller sets VENV, WORK_DIR and
# MOTO_PID="" and stops moto on exit (stop_moto); scripts/walkthrough uses only free_port.

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Creates .venv and installs moto[server], cfn-lint, standardwebhooks (the reference
# signer the webhook interop test checks against), schemathesis (pinned: its checks and
# warnings change between releases; scripts/schemathesis), and the client tooling of
# scripts/client-check (pinned too): openapi-spec-validator, openapi-python-client and
# python-dateutil (which the generated client imports) into it (skipped when already there).
setup_python_tools() {
    if [[ ! -x "$VENV/bin/python" ]]; then
        python3 -m venv "$VENV"
    fi
    if [[ ! -x "$VENV/bin/moto_server" || ! -x "$VENV/bin/cfn-lint" ]] \
        || ! "$VENV/bin/python" -c 'import standardwebhooks' 2>/dev/null; then
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check 'moto[server]>=5,<6' cfn-lint 'standardwebhooks>=1.1,<2'
    fi
    if [[ "$("$VENV/bin/st" --version 2>/dev/null)" != *"4.32.5"* ]]; then
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
    fi
    if [[ "$("$VENV/bin/openapi-spec-validator" --version 2>/dev/null)" != *"0.9.0"* ]] \
        || [[ "$("$VENV/bin/openapi-python-client" --version 2>/dev/null)" != *"0.29.1"* ]] \
        || ! "$VENV/bin/python" -c 'import dateutil' 2>/dev/null; then
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            'openapi-spec-validator==0.9.0' 'openapi-python-client==0.29.1' 'python-dateutil>=2.8,<3'
    fi
    export PATH="$VENV/bin:$PATH"
}

# moto's server, as `moto_server` runs it, except that DynamoDB requests are served one at a
# time. moto's TransactWriteItems is not safe under concurrent requests: a cancelled transaction
# restores a copy of the table taken when it started, which can bring back or erase the writes
# of transactions that ran meanwhile (50 parallel bookings left several sessions stored). Real
# DynamoDB serializes transactions; the store's conditions, not this lock, pick the one winner.
write_moto_launcher() {
    cat >"$WORK_DIR/moto_server.py" <<'PY'
import os, sys, threading
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
app = DomainDispatcherApplication(create_backend_app)
dynamodb = threading.Lock()

def serve(environ, start_response):
    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
        with dynamodb:
            return list(app(environ, start_response))
    return app(environ, start_response)

run_simple(host, port, serve, threaded=True, request_handler=MotoRequestHandler)
PY
}

# Starts moto on a free loopback port and points the AWS SDKs at it.
start_moto() {
    local port log
    port="$(free_port)"
    log="$WORK_DIR/moto.log"
    write_moto_launcher
    "$VENV/bin/python" "$WORK_DIR/moto_server.py" 127.0.0.1 "$port" >"$log" 2>&1 &
    MOTO_PID=$!
    local i
    for i in $(seq 1 100); do
        if curl -s -o /dev/null "http://127.0.0.1:$port/moto-api/"; then
            break
        fi
        if ! kill -0 "$MOTO_PID" 2>/dev/null || [[ "$i" == 100 ]]; then
            echo "moto_server did not start; its log:" >&2
            cat "$log" >&2
            return 1
        fi
        sleep 0.2
    done
    export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
    export AWS_ACCESS_KEY_ID=test
    export AWS_SECRET_ACCESS_KEY=test
    export AWS_REGION=us-east-1
    export AWS_DEFAULT_REGION=us-east-1
    echo "moto_server on $AWS_ENDPOINT_URL (pid $MOTO_PID)"
}

stop_moto() {
    if [[ -n "$MOTO_PID" ]]; then
        kill "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
        MOTO_PID=""
    fi
}
