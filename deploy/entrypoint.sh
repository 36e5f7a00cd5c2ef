#!/bin/sh
# Container entry point for Triage (see Dockerfile).
#   serve [ARGS]     the HTTP service on $TRIAGE_HOST:$TRIAGE_PORT (default)
#   slack | mcp | run | demo | kb | ...   any other triage command, as is
#   healthcheck      exit 0 when GET /readyz answers 200 (Docker HEALTHCHECK)
set -eu

: "${TRIAGE_HOME:=/data}"
: "${TRIAGE_HOST:=0.0.0.0}"
: "${TRIAGE_PORT:=8080}"
export TRIAGE_HOME

if [ ! -d "$TRIAGE_HOME" ] || [ ! -w "$TRIAGE_HOME" ]; then
  echo "error: TRIAGE_HOME=$TRIAGE_HOME is not a writable folder (mount a volume there)" >&2
  exit 2
fi

cmd="${1:-serve}"
[ "$#" -gt 0 ] && shift

case "$cmd" in
  serve)
    if [ -z "${TRIAGE_WEBHOOK_TOKEN:-}" ] && [ "${TRIAGE_ALLOW_OPEN:-}" != "1" ]; then
      echo "error: set TRIAGE_WEBHOOK_TOKEN (or TRIAGE_ALLOW_OPEN=1 to run without auth)" >&2
      exit 2
    fi
    exec triage serve --host "$TRIAGE_HOST" --port "$TRIAGE_PORT" "$@"
    ;;
  healthcheck)
    exec python3 - "$TRIAGE_PORT" <<'PY'
import sys
import urllib.request

try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/readyz", timeout=4) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
    ;;
  *)
    exec triage "$cmd" "$@"
    ;;
esac
