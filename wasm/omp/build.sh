#!/usr/bin/env bash
# Builds the risktrain OpenMP runtime for emscripten pthreads.
#   build.sh lib OUTDIR   -> OUTDIR/libomp_wasm.a (link it into a -fopenmp -pthread build)
#   build.sh test         -> test/omp_check.mjs (checks run by tests/omp_runtime_test.ts)
# Toolchain: Debian's emscripten 3.1.6 (clang 14). Every object linked with it
# must be compiled with -pthread (shared memory), and -fopenmp code needs
# -I wasm/omp/include for omp.h.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
CFLAGS=(-O3 -pthread -msimd128 -Wall -Wextra -Werror)

build_lib() {
  local out="$1" obj
  mkdir -p "$out"
  rm -f "$out/libomp_wasm.a"
  for src in kmp_team kmp_sched kmp_sync omp_api; do
    obj="$out/$src.o"
    emcc "${CFLAGS[@]}" -c "$here/$src.c" -o "$obj"
    emar rcs "$out/libomp_wasm.a" "$obj"
  done
}

build_test() {
  local tmp
  tmp="$(mktemp -d)"
  build_lib "$tmp"
  emcc -O2 -fopenmp -pthread -I"$here/include" -Wall -Werror -c "$here/test/omp_check.c" -o "$tmp/omp_check.o"
  # A fixed pool of 3 workers: the checks use teams of 1 to 4 on any machine.
  emcc -O2 -pthread "$tmp/omp_check.o" "$tmp/libomp_wasm.a" \
    -sMODULARIZE -sEXPORT_ES6 -sENVIRONMENT=web,worker -sEXPORT_NAME=createOmpCheck \
    -sPTHREAD_POOL_SIZE=3 -sSINGLE_FILE \
    -sEXPORTED_FUNCTIONS=_omp_check,_omp_default_team,_omp_region_cost_us,_omp_pause_resource_all \
    -o "$tmp/omp_check.mjs"
  python3 "$here/patch_pthread_js.py" "$tmp/omp_check.mjs"
  cp "$tmp/omp_check.mjs" "$here/test/omp_check.mjs"
  rm -rf "$tmp"
  sha256sum "$here/test/omp_check.mjs"
}

case "${1:-}" in
  lib) build_lib "${2:?usage: build.sh lib OUTDIR}" ;;
  test) build_test ;;
  *) echo "usage: build.sh lib OUTDIR | build.sh test" >&2; exit 2 ;;
esac
