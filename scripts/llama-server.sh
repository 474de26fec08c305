#!/usr/bin/env bash
# Prints the absolute path of a llama-server of the pinned llama.cpp release on stdout (progress on stderr).
#
# The pin is ggml-org/llama.cpp v0.5.0 (commit de3ff81), whose complete source ships as a git bundle inside
# the npm package node-llama-cpp@3.22.1 (llama/gitRelease.bundle); npm checks the package against the
# registry's integrity hash. The first use builds only the server target, statically linked, into
#   ${XDG_CACHE_HOME:-~/.cache}/anyclaude/llama.cpp/v0.5.0/bin/llama-server
# (about 6 minutes on 2 cores); later uses print that path at once. Two callers racing wait on one lock.
# The release's chat templates (models/templates/*.jinja) are kept beside it in .../v0.5.0/templates, for
# `anyclaude gen-model --chat-template NAME`.
#
#   scripts/llama-server.sh            build if needed, print the path
#   scripts/llama-server.sh --check    print the path only if it is already built (exit 1 otherwise)
#
# Environment: ANYCLAUDE_LLAMA_CACHE overrides the cache directory; ANYCLAUDE_BUILD_JOBS the parallel jobs.
set -euo pipefail

release=v0.5.0
commit=de3ff81
npm_package=node-llama-cpp@3.22.1

cache_root="${ANYCLAUDE_LLAMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/anyclaude/llama.cpp}"
dir="$cache_root/$release"
bin="$dir/bin/llama-server"

say() { echo "llama-server.sh: $*" >&2; }

# AMX: some virtual machines list amx_int8 in /proc/cpuinfo yet fault on the first tile instruction (a
# Firecracker guest does, even after the kernel grants the tile state), and ggml's -march=native build then
# dies with SIGILL in its first matrix product. A probe of three tile instructions decides; without AMX the
# build leaves ggml's AMX kernels out (their guard macros undefined) and keeps every other native feature.
amx_works() {
  grep -qw amx_tile /proc/cpuinfo 2>/dev/null || return 1
  local probe="$1/amx-probe"
  cat >"$probe.c" <<'C'
#include <immintrin.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
  unsigned char cfg[64];
  if (syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XTILEDATA */) != 0) return 1;
  memset(cfg, 0, sizeof cfg);
  cfg[0] = 1; cfg[16] = 4; cfg[48] = 1; /* palette 1, tile 0: one row of 4 bytes */
  _tile_loadconfig(cfg); _tile_zero(0); _tile_release();
  return 0;
}
C
  # The subshell waits for the probe (not the last command, so not exec'd) and so reports its SIGILL into /dev/null.
  cc -O1 -mamx-tile -o "$probe" "$probe.c" 2>/dev/null && ( "$probe"; exit $? ) 2>/dev/null
}

flags_file="$dir/bin/build-flags"
verified() { # the binary exists, runs, is the pinned commit, was built for this CPU's usable features, templates are there
  [ -x "$bin" ] && [ -f "$dir/templates/Qwen3-Coder.jinja" ] && [ -f "$flags_file" ] \
    && "$bin" --version 2>&1 | grep -q "commit $commit"
}

if verified; then echo "$bin"; exit 0; fi
if [ "${1:-}" = "--check" ]; then exit 1; fi

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || command -v c++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || command -v ninja >/dev/null 2>&1 || missing+=(make)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "cannot build llama.cpp $release: missing ${missing[*]}"
  say "on Debian/Ubuntu: sudo apt-get install -y cmake g++ make git npm"
  exit 2
fi

mkdir -p "$dir"
exec 9>"$dir/.lock"
if ! flock -n 9; then
  say "another build of llama.cpp $release is running; waiting for it"
  flock 9
fi
if verified; then echo "$bin"; exit 0; fi  # the other caller finished it

work="$dir/build-tmp"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

if [ -x "$bin" ] && [ -f "$flags_file" ] && "$bin" --version 2>&1 | grep -q "commit $commit"; then
  say "fetching the chat templates of llama.cpp $release into $dir/templates"
else
  say "building llama.cpp $release (commit $commit) once into $dir (~6 min on 2 cores)"
fi
say "fetching the source: npm pack $npm_package"
(cd "$work" && npm pack --silent "$npm_package" >/dev/null)
tar -xzf "$work"/node-llama-cpp-*.tgz -C "$work" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json
if ! grep -q "\"$release\"" "$work/package/llama/llama.cpp.info.json"; then
  say "unexpected release in $npm_package: $(cat "$work/package/llama/llama.cpp.info.json")"
  exit 1
fi
git clone --quiet "$work/package/llama/gitRelease.bundle" "$work/src" 2>/dev/null
rm -rf "$dir/templates.new"
mkdir -p "$dir/templates.new"
cp "$work/src/models/templates/"*.jinja "$dir/templates.new/"
rm -rf "$dir/templates"
mv "$dir/templates.new" "$dir/templates"
if [ -x "$bin" ] && [ -f "$flags_file" ] && "$bin" --version 2>&1 | grep -q "commit $commit"; then
  say "kept the chat templates of $release in $dir/templates"
  echo "$bin"
  exit 0
fi

jobs="${ANYCLAUDE_BUILD_JOBS:-$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)}"
native_flags=""
if grep -qw amx_tile /proc/cpuinfo 2>/dev/null && ! amx_works "$work"; then
  native_flags="-U__AMX_TILE__ -U__AMX_INT8__ -U__AMX_BF16__"
  say "this CPU lists AMX but faults on its tile instructions: building without ggml's AMX kernels"
fi
say "configuring (cmake)"
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DCMAKE_C_FLAGS="$native_flags" -DCMAKE_CXX_FLAGS="$native_flags" \
  -DGGML_NATIVE=ON >"$dir/build.log" 2>&1 || { say "cmake failed; see $dir/build.log"; tail -20 "$dir/build.log" >&2; exit 1; }
say "compiling llama-server with $jobs jobs (log: $dir/build.log)"
start=$(date +%s)
if ! cmake --build "$work/build" --target llama-server -j "$jobs" >>"$dir/build.log" 2>&1; then
  say "build failed; see $dir/build.log"
  tail -20 "$dir/build.log" >&2
  exit 1
fi
mkdir -p "$dir/bin"
cp "$work/build/bin/llama-server" "$bin.new"
mv -f "$bin.new" "$bin"
echo "GGML_NATIVE=ON ${native_flags:-(all native features)}" >"$flags_file"
if ! verified; then
  say "built binary does not report commit $commit: $("$bin" --version 2>&1 | head -3)"
  rm -f "$bin"
  exit 1
fi
say "built in $(( $(date +%s) - start )) s: $("$bin" --version 2>&1 | grep -m1 version)"
echo "$bin"
