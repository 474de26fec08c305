#!/usr/bin/env bash
# Installs the pinned Claude Code CLI versions into target/claude-code/<version> for the end-to-end tests:
# the oldest supported (2.1.197) and the newest pinned one (2.1.332), or the versions given as arguments.
# Idempotent: a version already there is left alone. Needs npm (Debian: apt-get install npm).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -gt 0 ]; then
  versions=("$@")
else
  versions=(2.1.197 2.1.332) # keep in step with dev.anyclaude.cli.ClaudeCodeVersions
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-claude-code: npm not found (install Node.js and npm, e.g. apt-get install npm)" >&2
  exit 1
fi

for version in "${versions[@]}"; do
  prefix="$PWD/target/claude-code/$version"
  bin="$prefix/node_modules/.bin/claude"
  pkg="$prefix/node_modules/@anthropic-ai/claude-code/package.json"
  installed="$([ -f "$pkg" ] && sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkg" | head -1 || true)"
  if [ -x "$bin" ] && [ "$installed" = "$version" ] && "$bin" --version >/dev/null 2>&1; then
    continue
  fi
  echo "install-claude-code: installing @anthropic-ai/claude-code@$version into $prefix" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "@anthropic-ai/claude-code@$version" >&2
  "$bin" --version >&2
done
