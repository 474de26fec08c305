#!/usr/bin/env bash
# How each chat template of the pinned llama.cpp release renders a system message that comes after the first
# user turn (Claude Code 2.1.332 sends one every turn): in place, moved (to the first system message), dropped,
# or rejected (the template raises). For every template: a generated model carrying it, the pinned llama-server
# on a free loopback port, one POST /apply-template. Prints "template|outcome" lines and a count per outcome.
# Usage: scripts/late-system-survey.sh [TEMPLATE_NAME...]   (default: all templates of the pinned release)
set -euo pipefail
cd "$(dirname "$0")/.."
server="$(scripts/llama-server.sh)"
templates="$(dirname "$(dirname "$server")")/templates"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=""
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
probe='{"messages":[{"role":"system","content":"probe-system-first"},{"role":"user","content":"probe-user-one"},
{"role":"system","content":"probe-system-late"},{"role":"assistant","content":"probe-assistant-one"},
{"role":"user","content":"probe-user-two"}]}'
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for t in "$templates"/*.jinja; do names+=("$(basename "$t" .jinja)"); done
fi
for n in "${names[@]}"; do
  ./anyclaude gen-model --chat-template="$templates/$n.jinja" --out="$work/m.gguf" >/dev/null 2>&1
  "$server" -m "$work/m.gguf" --host 127.0.0.1 --port "$port" --jinja -c 2048 >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  outcome=$(curl -s "127.0.0.1:$port/apply-template" -H 'content-type: application/json' -d "$probe" | python3 -c '
import json, sys
d = json.load(sys.stdin)
if "error" in d: print("rejected"); sys.exit()
p = d["prompt"]; late = p.find("probe-system-late")
if late < 0: print("dropped")
elif p.find("probe-user-one") < late < p.find("probe-assistant-one"): print("in-place")
else: print("moved")')
  echo "$n|$outcome"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done | tee "$work/out.txt"
echo "--"
cut -d'|' -f2 "$work/out.txt" | sort | uniq -c
