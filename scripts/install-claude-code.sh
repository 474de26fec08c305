#!/usr/bin/env bash
# Installs the pinned Claude Code CLI into target/claude-code for the end-to-end tests.
# Idempotent: does nothing when that version is already there. Needs npm (Debian: apt-get install npm).
set -euo pipefail
cd "$(dirname "$0")/.."

version="${CLAUDE_CODE_VERSION:-2.1.197}"
prefix="$PWD/target/claude-code"
bin="$prefix/node_modules/.bin/claude"
pkg="$prefix/node_modules/@anthropic-ai/claude-code/package.json"

installed_version() {
  [ -f "$pkg" ] && sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkg" | head -1
}

if [ -x "$bin" ] && [ "$(installed_version)" = "$version" ] && "$bin" --version >/dev/null 2>&1; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-claude-code: npm not found (install Node.js and npm, e.g. apt-get install npm)" >&2
  exit 1
fi
echo "install-claude-code: installing @anthropic-ai/claude-code@$version into $prefix" >&2
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "@anthropic-ai/claude-code@$version" >&2
"$bin" --version >&2
