#!/usr/bin/env bash
# bench/loadgen-vs-wrk.sh — our load generator (src/loadgen, as target/release/loadgen) next
# to wrk, against the same minimal target (target/release/bench-target), in three parts:
#
#   1. Throughput at open throttle (qps=0), same connections and duration, in the order
#      wrk, ours, wrk (the second wrk shows drift). Prints req/s of each run and
#      ours / mean(wrk). The goal is >= 0.9. Also an informational ours-over-h2c run.
#   2. Percentile agreement against a target that waits DELAY_MS before answering: wrk and
#      ours both closed-loop with PCT_C connections (wrk has no rate control, so this is the
#      like-for-like comparison), plus ours paced at PCT_QPS; p50/p90/p99 of each next to
#      the known delay, with ours relative to wrk.
#   3. Pacing accuracy: ours at PACE_QPS for PACE_DURATION s; requested vs actual rate and
#      the request count vs the expected qps × duration.
#
# Per run it prints the generator's CPU ("gen cpu", % of one core, and "us/req": generator CPU
# per request, the generator's cost independent of how fast the target is), the target's CPU
# ("tgt cpu": ~100% means the target, not the generator, limited the rate, and the ratio then
# understates the gap), and the CPU other processes took meanwhile ("others": should be ~0%;
# the script warns when it is not).
# This is a measurement, not a test: a low ratio does not fail. The script exits non-zero
# only when something could not be set up (build, target) or when a run got errors or
# non-2xx answers.
#
# Environment (all optional):
#   C=32             connections for part 1 (wrk -c, loadgen -c)
#   DURATION=10      seconds per run in parts 1 and 2 (a trailing "s" is accepted)
#   THREADS=1        wrk -t (and loadgen's tokio worker threads)
#   DELAY_MS=5       target delay for part 2
#   PCT_C=4          connections for part 2 (closed loop: about PCT_C / DELAY_MS requests/ms)
#   PCT_QPS=500      rate of the paced run in part 2
#   PACE_QPS=1000    rate for part 3
#   PACE_DURATION=5  seconds for part 3
#   PACE_C=8         connections for part 3
#   TARGET_CPU=0     core the target is pinned to (taskset -c)
#   LOAD_CPU=1       core the generators are pinned to
#   SKIP_BUILD=1     do not run cargo build (use the binaries in target/release as they are)
#   KEEP_LOGS=1      keep the temporary directory with the outputs
set -euo pipefail

C=${C:-32}
DURATION=${DURATION:-10}
DURATION=${DURATION%s}
THREADS=${THREADS:-1}
DELAY_MS=${DELAY_MS:-5}
PCT_C=${PCT_C:-4}
PCT_QPS=${PCT_QPS:-500}
PACE_QPS=${PACE_QPS:-1000}
PACE_DURATION=${PACE_DURATION:-5}
PACE_DURATION=${PACE_DURATION%s}
PACE_C=${PACE_C:-8}
TARGET_CPU=${TARGET_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

die() { echo "loadgen-vs-wrk: $*" >&2; exit 1; }

for tool in python3 wrk; do
    command -v "$tool" >/dev/null || die "$tool not found (wrk: apt-get install -y wrk)"
done

if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    PIN_TARGET=(taskset -c "$TARGET_CPU")
    PIN_LOAD=(taskset -c "$LOAD_CPU")
else
    echo "loadgen-vs-wrk: note: fewer than 2 cores or no taskset; running unpinned" >&2
    PIN_TARGET=()
    PIN_LOAD=()
fi

# ---- build --------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-}" != 1 ]; then
    echo "== cargo build --release (a no-op when target/release is up to date)" >&2
    cargo build --release --locked --bin loadgen --bin bench-target \
        || die "cargo build failed (SKIP_BUILD=1 measures the binaries already in target/release)"
fi
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
LOADGEN_BIN=$TARGET_DIR/release/loadgen
TARGET_BIN=$TARGET_DIR/release/bench-target
[ -x "$LOADGEN_BIN" ] || die "$LOADGEN_BIN missing (build it, or unset SKIP_BUILD)"
[ -x "$TARGET_BIN" ] || die "$TARGET_BIN missing (build it, or unset SKIP_BUILD)"

# ---- processes and cleanup ----------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/loadgen-vs-wrk.XXXXXX")
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "${KEEP_LOGS:-}" = 1 ]; then
        echo "loadgen-vs-wrk: outputs kept in $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_target NAME DELAY_MS -> sets TARGET_PID and TARGET_URL (port 0: the target prints it)
start_target() {
    local name=$1 delay=$2 log="$TMP/target-$1.log"
    : >"$log"
    "${PIN_TARGET[@]}" "$TARGET_BIN" --port 0 --delay-ms "$delay" >"$log" 2>&1 &
    TARGET_PID=$!
    PIDS+=("$TARGET_PID")
    for _ in $(seq 50); do  # up to ~10 s
        grep -q '^listening on ' "$log" && break
        kill -0 "$TARGET_PID" 2>/dev/null || { cat "$log" >&2; die "bench-target ($name) exited"; }
        sleep 0.2
    done
    TARGET_URL=$(awk '/^listening on / { print $3 "/"; exit }' "$log")
    [ -n "$TARGET_URL" ] || { cat "$log" >&2; die "bench-target ($name) did not start"; }
}

start_target fast 0
FAST_PID=$TARGET_PID FAST_URL=$TARGET_URL
start_target slow "$DELAY_MS"
SLOW_PID=$TARGET_PID SLOW_URL=$TARGET_URL

# ---- measuring ----------------------------------------------------------------------------
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# CPU of this script's finished children (cutime + cstime): grows by the generator's time.
children_ticks() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
TICK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# wrk's "--latency" figures (e.g. 512.00us, 5.12ms, 1.02s) in ms.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.3f", n }'
}

bad_runs=0
busy_runs=0
# measure NAME TARGET_PID SECONDS cmd... -> runs cmd pinned to LOAD_CPU with output in
# $TMP/NAME.out, sets GEN_TICKS, TGT_PCT, OTHERS
measure() {
    local name=$1 tpid=$2 secs=$3; shift 3
    local busy0 busy1 gen0 gen1 tgt0 tgt1
    busy0=$(busy_ticks); gen0=$(children_ticks); tgt0=$(cpu_ticks "$tpid")
    "${PIN_LOAD[@]}" "$@" >"$TMP/$name.out" 2>&1 \
        || { cat "$TMP/$name.out" >&2; die "$1 failed for $name"; }
    busy1=$(busy_ticks); gen1=$(children_ticks); tgt1=$(cpu_ticks "$tpid")
    GEN_TICKS=$(( gen1 - gen0 ))
    TGT_PCT=$(awk -v s=$(( tgt1 - tgt0 )) -v t="$TICK" -v d="$secs" \
        'BEGIN { printf "%.0f%%", s / t / d * 100 }')
    # The other target (idle) and this script are part of "others"; both are ~0.
    OTHERS=$(awk -v o=$(( (busy1 - busy0) - (gen1 - gen0) - (tgt1 - tgt0) )) -v t="$TICK" \
        -v d="$secs" 'BEGIN { v = o / t / d * 100; if (v < 0) v = 0; printf "%.0f%%", v }')
    if [ "${OTHERS%\%}" -gt 10 ]; then busy_runs=$((busy_runs + 1)); fi
}

# run_wrk NAME TARGET_PID URL CONNECTIONS -> sets RPS P50 P90 P99 MAX (ms) and prints a row
run_wrk() {
    local name=$1 tpid=$2 url=$3 conns=$4 out
    measure "$name" "$tpid" "$DURATION" \
        wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --latency "$url"
    out="$TMP/$name.out"
    RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    [ -n "$RPS" ] || { cat "$out" >&2; die "no Requests/sec in the wrk output for $name"; }
    P50=$(to_ms "$(awk '$1 == "50%" { print $2; exit }' "$out")")
    P90=$(to_ms "$(awk '$1 == "90%" { print $2; exit }' "$out")")
    P99=$(to_ms "$(awk '$1 == "99%" { print $2; exit }' "$out")")
    MAX=$(to_ms "$(awk '$1 == "Latency" { print $4; exit }' "$out")")
    local requests non2xx errors
    requests=$(awk '/requests in/ { print $1; exit }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    errors=$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' "$out")
    row "$name" "wrk -c$conns" "$requests" "$DURATION"
    if [ -n "$non2xx" ] || [ -n "$errors" ]; then
        echo "     ^ INVALID: non-2xx=${non2xx:-0} socket errors: ${errors:-none}" >&2
        bad_runs=$((bad_runs + 1))
    fi
}

# run_ours NAME TARGET_PID URL CONNECTIONS QPS SECONDS [loadgen args...] -> as run_wrk, plus
# REQUESTS
run_ours() {
    local name=$1 tpid=$2 url=$3 conns=$4 qps=$5 secs=$6; shift 6
    measure "$name" "$tpid" "$secs" "$LOADGEN_BIN" --url "$url" -c "$conns" --qps "$qps" \
        --duration "${secs}s" --threads "$THREADS" --json "$@"
    local fields errors
    fields=$(python3 - "$TMP/$name.out" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
h = r["DurationHistogram"]
pct = {p["Percentile"]: p["Value"] * 1000 for p in h["Percentiles"]}
codes = r["RetCodes"]
requests = sum(codes.values())
errors = requests - codes.get("200", 0)
print(f'{r["ActualQPS"]:.2f} {pct[50.0]:.3f} {pct[90.0]:.3f} {pct[99.0]:.3f} '
      f'{h["Max"] * 1000:.3f} {requests} {errors} {r["Protocol"] or "-"}')
EOF
    ) || { cat "$TMP/$name.out" >&2; die "cannot read the loadgen result of $name"; }
    read -r RPS P50 P90 P99 MAX REQUESTS errors PROTO <<<"$fields"
    local label="ours -c$conns"
    [ "$qps" = 0 ] || label="$label --qps $qps"
    [ "$PROTO" = HTTP/1.1 ] || label="$label ($PROTO)"
    row "$name" "$label" "$REQUESTS" "$secs"
    if [ "$errors" != 0 ]; then
        echo "     ^ INVALID: $errors errors or non-200 answers" >&2
        bad_runs=$((bad_runs + 1))
    fi
}

HEADER=$(printf '%-5s %-26s %10s %8s %8s %8s %8s %8s %7s %7s %6s' \
    run generator req/s "p50 ms" "p90 ms" "p99 ms" "max ms" "us/req" "gen cpu" "tgt cpu" others)
# row NAME LABEL REQUESTS SECONDS (uses RPS P50 P90 P99 MAX GEN_TICKS TGT_PCT OTHERS)
row() {
    local us pct
    us=$(awk -v g="$GEN_TICKS" -v t="$TICK" -v n="$3" \
        'BEGIN { printf "%.1f", (n > 0) ? g / t / n * 1e6 : 0 }')
    pct=$(awk -v g="$GEN_TICKS" -v t="$TICK" -v d="$4" 'BEGIN { printf "%.0f%%", g / t / d * 100 }')
    printf '%-5s %-26s %10s %8s %8s %8s %8s %8s %7s %7s %6s\n' \
        "$1" "$2" "$RPS" "$P50" "$P90" "$P99" "$MAX" "$us" "$pct" "$TGT_PCT" "$OTHERS"
}

echo
echo "meshery-server $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')" \
     "(loadgen built $(date -r "$LOADGEN_BIN" '+%F %T')), $(nproc) cores;" \
     "target on cpu $TARGET_CPU, generators on cpu $LOAD_CPU; $(wrk --version 2>&1 | head -1 | awk '{ print $1, $2 }')"

# ---- 1. throughput ------------------------------------------------------------------------
echo
echo "== 1. throughput at open throttle: -c$C, ${DURATION}s per run, GET $FAST_URL"
echo "$HEADER"
run_wrk W1 "$FAST_PID" "$FAST_URL" "$C"; RPS_W1=$RPS
run_ours O1 "$FAST_PID" "$FAST_URL" "$C" 0 "$DURATION"; RPS_O=$RPS
run_wrk W2 "$FAST_PID" "$FAST_URL" "$C"; RPS_W2=$RPS
run_ours O2 "$FAST_PID" "$FAST_URL" "$C" 0 "$DURATION" --http2; RPS_H2=$RPS
awk -v o="$RPS_O" -v w1="$RPS_W1" -v w2="$RPS_W2" -v h2="$RPS_H2" 'BEGIN {
    w = (w1 + w2) / 2
    drift = (w1 > 0) ? (w2 - w1) / w1 * 100 : 0
    printf "wrk (mean of W1, W2): %.2f req/s  (W2 vs W1: %+.1f%%)\n", w, drift
    printf "ours (HTTP/1.1):      %.2f req/s\n", o
    printf "ours / mean(wrk):     %.2f   (goal >= 0.90)\n", (w > 0) ? o / w : 0
    printf "ours over h2c / ours over HTTP/1.1: %.2f (informational)\n", (o > 0) ? h2 / o : 0
    if (drift > 10 || drift < -10)
        printf "warning: wrk drifted by %+.1f%% between W1 and W2: something else used the CPU; rerun\n", drift
}'

# ---- 2. percentile agreement --------------------------------------------------------------
echo
echo "== 2. percentiles against a target that waits ${DELAY_MS} ms (tokio timer: ${DELAY_MS}-$((DELAY_MS + 1)) ms)," \
     "${DURATION}s per run, GET $SLOW_URL"
echo "$HEADER"
run_wrk W3 "$SLOW_PID" "$SLOW_URL" "$PCT_C"; W=("$P50" "$P90" "$P99")
run_ours O3 "$SLOW_PID" "$SLOW_URL" "$PCT_C" 0 "$DURATION"; O=("$P50" "$P90" "$P99")
run_ours O4 "$SLOW_PID" "$SLOW_URL" 8 "$PCT_QPS" "$DURATION"; Q=("$P50" "$P90" "$P99")
printf '%-5s %10s %10s %10s %12s %12s\n' pct wrk "ours -c$PCT_C" "ours $PCT_QPS/s" "ours/wrk-1" "paced/wrk-1"
i=0
for p in p50 p90 p99; do
    awk -v p="$p" -v w="${W[$i]}" -v o="${O[$i]}" -v q="${Q[$i]}" 'BEGIN {
        printf "%-5s %10.3f %10.3f %10.3f %+11.1f%% %+11.1f%%\n", p, w, o, q,
            (w > 0) ? (o / w - 1) * 100 : 0, (w > 0) ? (q / w - 1) * 100 : 0 }'
    i=$((i + 1))
done

# ---- 3. pacing accuracy -------------------------------------------------------------------
echo
echo "== 3. pacing: ours at $PACE_QPS req/s for ${PACE_DURATION}s, -c$PACE_C, GET $FAST_URL"
echo "$HEADER"
run_ours O5 "$FAST_PID" "$FAST_URL" "$PACE_C" "$PACE_QPS" "$PACE_DURATION"
awk -v q="$PACE_QPS" -v d="$PACE_DURATION" -v r="$RPS" -v n="$REQUESTS" 'BEGIN {
    e = q * d
    printf "requested %.1f req/s, actual %.2f req/s (%+.2f%%); requests %d of %d expected (%+d)\n",
        q, r, (r / q - 1) * 100, n, e, n - e }'

echo
if [ "$busy_runs" -gt 0 ]; then
    echo "warning: other processes used more than 10% of a core during $busy_runs run(s)" \
         "(column 'others'): the machine was not quiet; rerun for trustworthy figures"
fi
if [ "$bad_runs" -gt 0 ]; then
    die "$bad_runs run(s) got errors or non-2xx answers; their figures are not valid"
fi
