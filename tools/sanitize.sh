#!/usr/bin/env bash
# Builds xmargin and its tests with AddressSanitizer and UndefinedBehaviorSanitizer
# (no recovery: the first report fails) into build-asan/, CUDA off, then runs the
# whole test suite and the embedded sample under them. Leak checking is on.
set -euo pipefail
cd "$(dirname "$0")/.."
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXM_WITH_CUDA=OFF \
  -DXM_BUILD_BENCH=OFF "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_EXE_LINKER_FLAGS=$flags" >/dev/null
cmake --build build-asan -j"$(nproc)"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan --output-on-failure -j"$(nproc)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
build-asan/xmargin run --backend cpu --out "$out" --pnl "$out/pnl.csv"
build-asan/xmargin scenarios --out "$out/scenarios.csv" >/dev/null
build-asan/xmargin run --backend cpu --dir scenarios/default --scenarios "$out/scenarios.csv" \
  --out "$out/replay" >/dev/null
cmp "$out/margins.csv" "$out/replay/margins.csv"
echo "sanitize: the test suite and the sample ran clean under ASan and UBSan"
