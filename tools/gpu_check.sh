#!/usr/bin/env bash
# The checks only a GPU can do, in one call (README "Checking on a GPU"):
#   tools/gpu_check.sh BUILD_DIR
# BUILD_DIR is a build folder (build/) or a bundle of one with the same layout
# (xmargin, xmargin_make_book, bench/xmargin_bench), beside the source tree.
# It validates cpu against cuda on the sample, `small` and `medium` (and once
# with a memory budget that forces chunking) and on the sample with a million
# Monte Carlo scenarios drawn on the device, and on the sample with every source,
# stress kind and anti-procyclicality tool, then benchmarks `eod` on both
# backends. The device tests themselves (tests/scenarios/test_device_draws.cpp
# prints the ulps between device and host draws) run before this, from
# on-device.sh. Logs go to $OUT (or /tmp/out); the last line is a summary.
set -uo pipefail
bundle=${1:?usage: tools/gpu_check.sh BUNDLE_DIR}
bundle=$(cd "$bundle" && pwd)
out=${OUT:-/tmp/out}
mkdir -p "$out"
books=/tmp/xmargin-workloads
xmargin=$bundle/xmargin
results=()

step() {  # step NAME SECONDS COMMAND...: runs it with a time limit, logs to $out/NAME.log
  local name=$1 limit=$2
  shift 2
  local start=$SECONDS
  timeout "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  results+=("$name: exit $rc in $((SECONDS - start)) s")
  echo "== $name: exit $rc in $((SECONDS - start)) s"
  tail -3 "$out/$name.log"
}

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >"$out/device.csv" 2>&1
for workload in small medium eod; do
  step "make_$workload" 300 "$bundle/xmargin_make_book" --workload "$workload" --out "$books/$workload"
done
step validate_sample 120 "$xmargin" validate
step validate_small 180 "$xmargin" validate --dir "$books/small"
step validate_medium 300 "$xmargin" validate --dir "$books/medium"
# 8 MB is less than the small book's unit matrix (1,000 × 2,500 doubles, 20 MB): the device
# cuts the scenarios into chunks, and the margins must not change.
step validate_small_chunked 180 "$xmargin" validate --dir "$books/small" --memory-budget 8000000
# Issue 7: the device draws a million Monte Carlo scenarios itself; cpu draws them on the host.
mc_config=/tmp/xmargin-mc-1m.json
cat >"$mc_config" <<'JSON'
{ "measure": "es", "confidence": 0.99, "time_decay": true,
  "scenarios": { "historical": { "lookback_days": 1000, "mpor_days": 2 },
                 "monte_carlo": { "count": 1000000, "mpor_days": 2, "seed": 20011231,
                                  "covariance": { "window_days": 500 }, "vol_factors": true } } }
JSON
step validate_sample_mc_1m 600 "$xmargin" validate --config "$mc_config" \
  --dir "$(dirname "$bundle")/scenarios/default"
# Issue 8: every source, every stress kind and every anti-procyclicality tool at once;
# validate compares each component too.
all_config=/tmp/xmargin-every-source.json
cat >"$all_config" <<'JSON'
{ "measure": "es", "confidence": 0.99, "time_decay": true,
  "scenarios": { "historical": { "lookback_days": 1000, "mpor_days": 2 },
                 "filtered_historical": { "lookback_days": 1000, "mpor_days": 2 },
                 "monte_carlo": { "count": 20000, "mpor_days": 2 },
                 "stress": { "mpor_days": 2,
                   "span": { "price_scan": 0.12, "vol_scan": 0.04,
                             "underlyings": { "INTC": { "price_scan": 0.16 } } },
                   "grid": { "range": 0.16, "steps": 8, "vol_shock": 0.1,
                             "extended": [ { "move": 0.3, "covered": 0.2 } ] },
                   "named": [ { "name": "1987", "shocks": { "*": { "price": -0.1917, "vol": 0.25 } } },
                              { "name": "1998-08", "history_dates": ["1998-08-26", "1998-08-31"] } ] } },
  "combine": { "rule": "max" },
  "anti_procyclicality": { "buffer": 0.25, "stressed_weight": 0.25, "floor_lookback_days": 2500 } }
JSON
step validate_sample_every_source 600 "$xmargin" validate --config "$all_config" \
  --dir "$(dirname "$bundle")/scenarios/default"
# Issue 15: the service started with --backend cuda on a GPU machine serves the bytes the cpu
# backend's run writes (its matrices are host-resident for now; this checks that asking for cuda
# where it runs starts the service and changes nothing).
service_check() {
  local sample dir port pid
  sample="$(dirname "$bundle")/scenarios/default"
  dir=$(mktemp -d)
  "$xmargin" run --backend cpu --dir "$sample" --out "$dir/run" >/dev/null || return 1
  "$xmargin" serve --backend "${XM_SERVICE_BACKEND:-cuda}" --dir "$sample" --listen 127.0.0.1:0 >"$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do
    port=$(grep -o '127.0.0.1:[0-9]*' "$dir/serve.log" | head -1 | cut -d: -f2)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$dir/serve.log"; kill "$pid"; return 1; }
  curl -s "http://127.0.0.1:$port/v1/margins?format=csv" >"$dir/served.csv"
  curl -s -X POST "http://127.0.0.1:$port/v1/whatif" \
    -d '{"account": "ACC0001", "trades": [{"instrument": "AA-FUT-20010316", "quantity": 5}]}'
  echo
  kill "$pid"
  wait "$pid"
  cmp "$dir/served.csv" "$dir/run/margins.csv" && echo "service: margins.csv bytes equal"
}
step service_cuda 300 bash -c "$(declare -f service_check); xmargin='$xmargin' bundle='$bundle' service_check"
step run_cuda_eod 300 "$xmargin" run --backend cuda --dir "$books/eod" --out /tmp/xm-eod
step bench_eod 600 "$bundle/bench/xmargin_bench" --workload eod --cache "$books/eod" \
  --backends cuda,cpu --repetitions 1
grep -h '^{' "$out/bench_eod.log" >"$out/bench_eod.json" 2>/dev/null
printf '%s\n' "" "GPU CHECK" "${results[@]}"
echo "gpu_check: ${#results[@]} steps; $(printf '%s\n' "${results[@]}" | grep -vc 'exit 0 ') failed"
