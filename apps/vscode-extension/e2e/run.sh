#!/usr/bin/env bash
# End to end in a real VS Code: provisions code-server + Node 22 + playwright-core + Chromium
# (cached in ${TESSERA_CACHE_DIR:-$HOME/.cache/tessera-ci}), builds the .vsix and the API only if
# they are missing, then runs e2e/vscode-e2e.mjs. Screenshot: artifacts/vscode-e2e.png.
#
#   bash apps/vscode-extension/e2e/run.sh        (or: pnpm --filter tessera-vscode e2e)
#
# TESSERA_E2E_BUDGET_SECONDS (default 240) bounds the test itself; TESSERA_E2E_KEEP=1 keeps its
# temporary directory (logs, code-server's user data) for a look afterwards.
set -euo pipefail

EXTENSION_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$EXTENSION_DIR/../.." && pwd)"
PNPM=(npx -y pnpm@10.34.9)
BUDGET="${TESSERA_E2E_BUDGET_SECONDS:-240}"

say() { echo "[e2e] $*"; }
die() {
  echo "[e2e] ERROR: $*" >&2
  exit 1
}

# Process groups started by the test (it writes them here); swept on any exit, even if the test
# itself was killed before it could clean up.
PID_FILE="$(mktemp "${TMPDIR:-/tmp}/tessera-vscode-e2e-pids.XXXXXX")"
TEST_PID=""
PROVISION_PID=""
PROVISION_OUT="$(mktemp "${TMPDIR:-/tmp}/tessera-vscode-e2e-provision.XXXXXX")"
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$PROVISION_PID" ]; then
    # Its own process group (setsid): stops npm and node-gyp too. An interrupted install has no
    # completion marker, so the next run starts that part over.
    kill -TERM -- "-$PROVISION_PID" 2>/dev/null || kill -TERM "$PROVISION_PID" 2>/dev/null || true
  fi
  if [ -n "$TEST_PID" ] && kill -0 "$TEST_PID" 2>/dev/null; then
    kill -TERM "$TEST_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$TEST_PID" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$TEST_PID" 2>/dev/null || true
  fi
  # After a clean pass the test has stopped its processes itself.
  if [ "$status" != 0 ] && [ -s "$PID_FILE" ]; then
    while read -r pgid; do
      [ -n "$pgid" ] && kill -KILL -- "-$pgid" 2>/dev/null || true
    done <"$PID_FILE"
  fi
  rm -f "$PID_FILE" "$PROVISION_OUT"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SECONDS=0

# 1. Provision (cached). In the background so that a signal is handled at once.
setsid bash "$EXTENSION_DIR/e2e/provision.sh" >"$PROVISION_OUT" &
PROVISION_PID=$!
wait "$PROVISION_PID" || die "provisioning failed (see above)"
PROVISION_PID=""
while IFS='=' read -r key value; do
  case "$key" in
  CODE_SERVER | NODE22_BIN | PLAYWRIGHT_CORE) export "$key=$value" ;;
  esac
done <"$PROVISION_OUT"
[ -n "${CODE_SERVER:-}" ] && [ -n "${NODE22_BIN:-}" ] && [ -n "${PLAYWRIGHT_CORE:-}" ] ||
  die "provisioning did not report its paths: $(cat "$PROVISION_OUT")"
say "provisioned in ${SECONDS}s"

# 2. Build only what is missing (CI has run the turbo build already).
if [ ! -f "$EXTENSION_DIR/tessera.vsix" ]; then
  say "tessera.vsix is missing: building it"
  (cd "$REPO_ROOT" && "${PNPM[@]}" exec turbo run build --filter=tessera-vscode... \
    --output-logs=errors-only) || die "building tessera.vsix failed"
fi
if [ ! -f "$REPO_ROOT/apps/api/dist/server.js" ]; then
  say "apps/api/dist/server.js is missing: building the API"
  (cd "$REPO_ROOT" && "${PNPM[@]}" exec turbo run build --filter=@tessera/api... \
    --output-logs=errors-only) || die "building the API failed"
fi

# 3. The test, on the machine's Node (Node 22 is only for code-server).
say "running the VS Code end-to-end test"
export TESSERA_E2E_PID_FILE="$PID_FILE" TESSERA_E2E_BUDGET_SECONDS="$BUDGET"
timeout --kill-after=20 "$((BUDGET + 30))" node "$EXTENSION_DIR/e2e/vscode-e2e.mjs" &
TEST_PID=$!
set +e
wait "$TEST_PID"
status=$?
set -e
TEST_PID=""
case "$status" in
0) say "passed in ${SECONDS}s" ;;
124 | 137) die "the test was killed (time limit $((BUDGET + 30))s, or a signal)" ;;
*) die "the test failed (exit $status) after ${SECONDS}s; see the messages above" ;;
esac
