#!/usr/bin/env bash
# Fuzzes every input loader, and the service's request handlers, with
# libFuzzer for SECONDS each (default 30): builds the targets of tests/fuzz/
# with clang, AddressSanitizer and UndefinedBehaviorSanitizer into build-fuzz/,
# seeds each from the embedded sample or a small book's requests (inputs up to
# 64 KiB, so deep JSON nesting is reachable), and fails on any crash, leak,
# timeout, input a loader refuses other than with an InputError, request a
# handler refuses other than with a RequestError or RunError, or refused
# request that changes the service's state. Findings are written to
# build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
targets=(market config instruments positions accounts history scenarios run service)
max_len=65536

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DXM_WITH_CUDA=OFF -DXM_BUILD_TESTS=OFF -DXM_BUILD_BENCH=OFF -DXM_BUILD_FUZZ=ON \
  "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
  >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

# Seeds: the first 64 KiB (whole lines) of each sample file, plus inputs that
# reach the limits (deep nesting, a scenario file written by xmargin).
seeds=build-fuzz/seeds
rm -rf "$seeds"
sample=scenarios/default
first_64k() {  # a longer file is cut after its last whole line within the limit
  if (($(stat -c %s "$1") <= max_len)); then cat "$1"; else head -c "$max_len" "$1" | sed '$d'; fi
}
declare -A file_of=([market]=market.json [config]=config.json [instruments]=instruments.csv
                    [positions]=positions.csv [accounts]=accounts.csv [history]=history.csv)
for loader in "${!file_of[@]}"; do
  mkdir -p "$seeds/$loader"
  first_64k "$sample/${file_of[$loader]}" >"$seeds/$loader/sample"
done
for loader in market config; do
  printf '{"x":%s%s}' "$(printf '[%.0s' {1..70})" "$(printf ']%.0s' {1..70})" \
    >"$seeds/$loader/deep"
done
# Every section and key of config.json, for the config loader and for `run`
# (a fuzzed config of a small book of AA and BB through scenario generation).
mkdir -p "$seeds/run"
cat >"$seeds/config/every_key" <<'JSON'
{"measure": "var", "confidence": 0.975, "time_decay": true,
 "vol_surface": {"allow_calendar_arbitrage": true},
 "scenarios": {
  "historical": {"lookback_days": 40, "mpor_days": 2, "weight": 2},
  "filtered_historical": {"lookback_days": 30, "mpor_days": 3, "lambda": 0.94, "seed_days": 10, "weight": 1},
  "monte_carlo": {"count": 300, "mpor_days": 5, "seed": 18446744073709551615,
                  "distribution": "student_t", "nu": 4, "covariance": {"window_days": 20, "lambda": 0.97},
                  "vol_factors": true, "weight": 0.5},
  "stress": {"mpor_days": 1,
   "span": {"price_scan": 0.1, "vol_scan": 0.03, "extreme": 3, "covered": 0.3,
            "underlyings": {"AA": {"price_scan": 0.15}, "BB": {"vol_scan": 0.05}}},
   "grid": {"range": 0.2, "steps": 6, "vol_shock": 0.1, "power": 0.5, "min_days": 5,
            "extended": [{"move": 0.4, "covered": 0.25}], "underlyings": {"BB": {"steps": 2}}},
   "named": [{"name": "crash", "shocks": {"*": {"price": -0.2, "vol": 0.2}, "BB": {"price": -0.1}}},
             {"name": "window", "history_dates": ["2000-09-01", "2000-09-20"]}]}},
 "combine": {"rule": "blend", "blend": 0.6},
 "anti_procyclicality": {"buffer": 0.25, "buffer_released": false, "stressed_weight": 0.25,
                         "stressed_period": ["2000-09-10", "2000-09-10"], "floor_lookback_days": 60}}
JSON
cp "$seeds/config/every_key" "$seeds/run/every_key"
mkdir -p "$seeds/scenarios"
read -r aa bb < <(grep -o '"id": *"[^"]*"' "$sample/market.json" | head -2 | cut -d'"' -f4 | xargs)
{
  echo "scenario,source,label,weight,horizon_days,$aa.price_factor,$aa.vol_shift,$bb.price_factor"
  echo "0,historical,2000-01-03/2000-01-05,0.5,2,1.01,-0.002,0.99"
  echo "1,monte_carlo,mc#000001,0.5,2,0.98,0.01,1.02"
} >"$seeds/scenarios/sample"
# The service's requests on tests/support's small book (accounts A1 and A2 in
# group G1; FAA a future and CAA a call on AA, PBB a put on BB). The first byte
# picks the handler and the book (tests/fuzz/fuzz_service.cpp): 0 a what-if, 1
# a trade batch, on the book with accounts.csv; 2 and 3 the same without it; 4 a
# market change.
mkdir -p "$seeds/service"
printf '%s' '0{"account":"A1","trades":[{"instrument":"FAA","quantity":5},' \
  '{"instrument":"CAA","quantity":-1.5}]}' >"$seeds/service/whatif_held"
printf '%s' '0{"account":"A2","trades":[{"instrument":"NEW","quantity":5},' \
  '{"instrument":"FAA","quantity":-1}],"instruments":[{"instrument":"NEW","type":"option",' \
  '"underlying":"AA","expiry":"2001-06-15","multiplier":100,"strike":90,"right":"C",' \
  '"style":"european","on":"spot","vol":0.25}]}' >"$seeds/service/whatif_option"
printf '%s' '1{"trades":[{"account":"A1","instrument":"FAA","quantity":-2},' \
  '{"account":"A2","instrument":"CAA","quantity":3}]}' >"$seeds/service/trades"
printf '%s' '3{"trades":[{"account":"A3","instrument":"PBB","quantity":1},' \
  '{"account":"A1","instrument":"FAA","quantity":-1}]}' >"$seeds/service/trades_new_account"
printf '1{"trades":[{"account":"A1","account":"A2","instrument":"FAA","quantity":1}]}' \
  >"$seeds/service/duplicate_key"
printf '%s' '4{"underlyings":[{"id":"AA","price":101.5,"vol":0.32},{"id":"BB","rate":0.04}],' \
  '"valuation_date":"2001-01-03"}' >"$seeds/service/market"
printf '0{"account":"A1","trades":%s%s}' "$(printf '[%.0s' {1..70})" "$(printf ']%.0s' {1..70})" \
  >"$seeds/service/deep"

for target in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$target findings=build-fuzz/findings/$target
  mkdir -p "$corpus" "$findings"
  echo "fuzz: $target for ${seconds}s"
  # -timeout: any input slower than 10 s is a finding; leaks are one too
  # (AddressSanitizer's leak check is on).
  build-fuzz/tests/fuzz/fuzz_"$target" -max_len="$max_len" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$findings/" \
    "$corpus" "$seeds/$target" 2>build-fuzz/fuzz_"$target".log ||
    { tail -40 build-fuzz/fuzz_"$target".log; echo "fuzz: $target FAILED"; exit 1; }
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" build-fuzz/fuzz_"$target".log |
    tr '\n' ' '
  echo
done
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s each without a finding"
