#!/usr/bin/env bash
# Build and serve the production app, then say where it is once it really answers.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${BARTR_PORT:-3000}
# On another port the socket must accept pages from that origin (and links in emails
# point there), unless the environment says otherwise.
if [ "$PORT" != 3000 ]; then
  export BARTR_ALLOWED_ORIGINS=${BARTR_ALLOWED_ORIGINS:-http://localhost:$PORT,http://127.0.0.1:$PORT}
  export BARTR_PUBLIC_URL=${BARTR_PUBLIC_URL:-http://localhost:$PORT}
fi
.venv/bin/reflex run --env prod --loglevel warning --frontend-port "$PORT" --backend-port "$PORT" &
app=$!
trap 'kill -TERM "$app" 2>/dev/null; wait "$app" 2>/dev/null' INT TERM
for _ in $(seq 1 600); do
  if ! kill -0 "$app" 2>/dev/null; then wait "$app"; exit $?; fi
  if curl -sf -o /dev/null "http://localhost:$PORT/" 2>/dev/null; then
    echo
    echo "==> BARTR is running at http://localhost:$PORT  (Ctrl+C stops it)"
    break
  fi
  sleep 1
done
wait "$app"
