#!/usr/bin/env bash
# bench/auth-cached.sh — request rate of an authenticated read served from the
# verified-token cache, next to the unauthenticated baseline, in the same run.
#
#   A: GET /api/user            with "Authorization: Bearer <jwt>", remote provider,
#                               token already verified (no RSA, no provider round trip)
#   B: GET /api/system/version  no credentials (baseline)
#
# Order: B, A, B (the second B shows drift). Prints req/s of each run and A / mean(B).
# Per run it also prints the server's CPU use ("srv cpu", % of one core: ~100% means the
# server, not wrk, is the bottleneck), its CPU time per request ("us/req"), and the CPU
# other processes took meanwhile ("others", % of one core: should be ~0%; if not, the
# machine was busy and the script warns). A drift of more than 10% between B1 and B2 is
# warned about as well.
# This is a measurement, not a test: a low ratio does not fail. The script exits non-zero
# only when something could not be set up (build, provider, server, login) or when the load
# runs got errors / non-2xx answers (then the numbers would not measure what they claim).
#
# Environment (all optional):
#   DURATION=10      seconds per wrk run
#   CONNECTIONS=32   wrk -c
#   THREADS=1        wrk -t
#   SERVER_CPU=0     core the server and the provider are pinned to (taskset -c)
#   LOAD_CPU=1       core wrk is pinned to
#   SKIP_BUILD=1     do not run cargo build (use the binaries in target/release as they are)
#   KEEP_LOGS=1      keep the temporary directory with the server and provider logs
set -euo pipefail

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

die() { echo "auth-cached: $*" >&2; exit 1; }

for tool in curl python3 wrk; do
    command -v "$tool" >/dev/null || die "$tool not found (wrk: apt-get install -y wrk)"
done

# Pinning: server (and provider) on one core, wrk on another, so they do not fight.
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    PIN_SERVER=(taskset -c "$SERVER_CPU")
    PIN_LOAD=(taskset -c "$LOAD_CPU")
else
    echo "auth-cached: note: fewer than 2 cores or no taskset; running unpinned" >&2
    PIN_SERVER=()
    PIN_LOAD=()
fi

# ---- build --------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-}" != 1 ]; then
    echo "== cargo build --release (a no-op when target/release is up to date)" >&2
    cargo build --release --locked --bin meshery-server --bin reference-provider \
        || die "cargo build failed (SKIP_BUILD=1 measures the binaries already in target/release)"
fi
SERVER_BIN=$ROOT/target/release/meshery-server
PROVIDER_BIN=$ROOT/target/release/reference-provider
[ -x "$SERVER_BIN" ] || die "$SERVER_BIN missing (build it, or unset SKIP_BUILD)"
[ -x "$PROVIDER_BIN" ] || die "$PROVIDER_BIN missing (build it, or unset SKIP_BUILD)"

# ---- processes and cleanup ----------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/auth-cached.XXXXXX")
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "${KEEP_LOGS:-}" = 1 ]; then
        echo "auth-cached: logs kept in $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

PP=$(free_port)
SP=$(free_port)
while [ "$SP" = "$PP" ]; do SP=$(free_port); done
PROVIDER_URL=http://127.0.0.1:$PP
SERVER_URL=http://127.0.0.1:$SP

# ---- reference provider -------------------------------------------------------------------
# Without --key it generates two RSA keys with openssl first, which takes a moment.
: >"$TMP/provider.log"
"${PIN_SERVER[@]}" "$PROVIDER_BIN" --port "$PP" --host 127.0.0.1 >"$TMP/provider.log" 2>&1 &
RP_PID=$!
PIDS+=("$RP_PID")
for _ in $(seq 150); do  # up to ~30 s
    grep -q 'registration key' "$TMP/provider.log" && break
    kill -0 "$RP_PID" 2>/dev/null || { cat "$TMP/provider.log" >&2; die "reference provider exited"; }
    sleep 0.2
done
grep -q 'registration key' "$TMP/provider.log" \
    || { cat "$TMP/provider.log" >&2; die "reference provider did not start within 30 s"; }

# ---- meshery-server -----------------------------------------------------------------------
# RUST_LOG=warn: at the default (info) level, per-request logging would be part of what is
# measured and would dominate it.
mkdir -p "$TMP/data"
: >"$TMP/server.log"
RUST_LOG=warn PORT=$SP MESHERY_HOST=127.0.0.1 USER_DATA_FOLDER="$TMP/data" \
    PROVIDER_BASE_URLS=$PROVIDER_URL PROVIDER=127.0.0.1:$PP \
    "${PIN_SERVER[@]}" "$SERVER_BIN" >"$TMP/server.log" 2>&1 &
MS_PID=$!
PIDS+=("$MS_PID")
ready=
for _ in $(seq 150); do  # up to ~30 s
    if curl -sf -o /dev/null "$SERVER_URL/healthz/ready"; then ready=1; break; fi
    kill -0 "$MS_PID" 2>/dev/null || { cat "$TMP/server.log" >&2; die "meshery-server exited"; }
    sleep 0.2
done
[ -n "$ready" ] || { cat "$TMP/server.log" >&2; die "meshery-server not ready within 30 s"; }

# ---- token --------------------------------------------------------------------------------
# The provider's /login redirects to <source>?token=<base64 of the OAuth2 token JSON>; its
# access_token is the JWT. Every login mints a new JWT (fresh jti).
login() {
    local src loc
    src=$(printf '%s/api/user/token' "$SERVER_URL" | base64 -w0 | tr '+/' '-_' | tr -d '=')
    loc=$(curl -s -o /dev/null -w '%{redirect_url}' "$PROVIDER_URL/login?source=$src") \
        || return 1
    python3 - "$loc" <<'EOF'
import base64, binascii, json, sys, urllib.parse
query = urllib.parse.urlsplit(sys.argv[1]).query
raw = urllib.parse.parse_qs(query)["token"][0]
raw += "=" * (-len(raw) % 4)
for decode in (base64.b64decode, base64.urlsafe_b64decode):
    try:
        print(json.loads(decode(raw))["access_token"])
        break
    except (binascii.Error, ValueError, KeyError):
        continue
else:
    sys.exit("no access_token in the login redirect")
EOF
}

# Log in and verify the token once: the server checks the RS256 signature, fetches the
# profile and asks /introspect, then caches the token for 30 s (INTROSPECT_TTL).
fresh_verified_token() {
    local jwt code
    jwt=$(login) || die "login at the reference provider failed"
    [ -n "$jwt" ] || die "login gave no token"
    code=$(curl -s -o "$TMP/user.json" -w '%{http_code}' \
        -H "Authorization: Bearer $jwt" "$SERVER_URL/api/user")
    [ "$code" = 200 ] || { cat "$TMP/user.json" >&2; echo >&2; die "GET /api/user with the token gave $code, not 200"; }
    printf '%s' "$jwt"
}

# Fail fast on a broken setup before spending time on the load runs.
fresh_verified_token >/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' "$SERVER_URL/api/system/version")
[ "$code" = 200 ] || die "GET /api/system/version gave $code, not 200"

# ---- load runs ----------------------------------------------------------------------------
cpu_ticks() {  # utime + stime of a process, in clock ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# CPU of this script's finished children (cutime + cstime): grows by wrk's time over a run.
children_ticks() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }
# Busy ticks of the whole machine (all cores; idle and iowait excluded).
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
TICK=$(getconf CLK_TCK 2>/dev/null || echo 100)

bad_runs=0
busy_runs=0
# run NAME LABEL URL [wrk args...] -> sets RPS and prints one table row
run() {
    local name=$1 label=$2 url=$3; shift 3
    local out="$TMP/wrk-$name.txt"
    local busy0 ours0 busy1 ours1 srv0 srv1
    busy0=$(busy_ticks)
    srv0=$(cpu_ticks "$MS_PID")
    ours0=$(( srv0 + $(cpu_ticks "$RP_PID") + $(children_ticks) ))
    "${PIN_LOAD[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$url" \
        >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed for $name"; }
    busy1=$(busy_ticks)
    srv1=$(cpu_ticks "$MS_PID")
    ours1=$(( srv1 + $(cpu_ticks "$RP_PID") + $(children_ticks) ))
    # CPU that other processes used during the run, in % of one core (0 on a quiet machine).
    OTHERS=$(awk -v o=$(( (busy1 - busy0) - (ours1 - ours0) )) -v t="$TICK" -v d="$DURATION" \
        'BEGIN { v = o / t / d * 100; if (v < 0) v = 0; printf "%.0f%%", v }')
    RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    [ -n "$RPS" ] || { cat "$out" >&2; die "no Requests/sec in the wrk output for $name"; }
    # Server CPU over the run (% of one core; ~100% = the server is the bottleneck, not wrk)
    # and server CPU time per request.
    local srv_pct srv_us
    srv_pct=$(awk -v s=$(( srv1 - srv0 )) -v t="$TICK" -v d="$DURATION" \
        'BEGIN { printf "%.0f%%", s / t / d * 100 }')
    srv_us=$(awk -v s=$(( srv1 - srv0 )) -v t="$TICK" -v r="$RPS" -v d="$DURATION" \
        'BEGIN { printf "%.1f", (r > 0) ? s / t / (r * d) * 1e6 : 0 }')
    local lat p99 non2xx errors
    lat=$(awk '$1 == "Latency" { print $2; exit }' "$out")
    p99=$(awk '$1 == "99%" { print $2; exit }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    errors=$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' "$out")
    printf '%-4s %-31s %10s %9s %9s %7s %8s %7s\n' \
        "$name" "$label" "$RPS" "$lat" "$p99" "$srv_pct" "$srv_us" "$OTHERS"
    if [ "${OTHERS%\%}" -gt 10 ]; then
        busy_runs=$((busy_runs + 1))
    fi
    if [ -n "$non2xx" ] || [ -n "$errors" ]; then
        echo "     ^ INVALID: non-2xx=${non2xx:-0} socket errors: ${errors:-none}" >&2
        bad_runs=$((bad_runs + 1))
    fi
}

echo
echo "meshery-server $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')" \
     "(binary built $(date -r "$SERVER_BIN" '+%F %T'))," \
     "$(nproc) cores; server+provider on cpu ${SERVER_CPU}, wrk on cpu ${LOAD_CPU}" \
     "(-t${THREADS} -c${CONNECTIONS} -d${DURATION}s); RUST_LOG=warn"
printf '%-4s %-31s %10s %9s %9s %7s %8s %7s\n' \
    run request req/s "avg lat" "p99 lat" "srv cpu" "us/req" others

run B1 "GET /api/system/version" "$SERVER_URL/api/system/version"
RPS_B1=$RPS

# A fresh login right before A: its token is verified now, so A runs inside the 30 s cache
# window (with DURATION >= ~29 s one introspection refresh falls inside the run).
JWT=$(fresh_verified_token)
rp_before=$(cpu_ticks "$RP_PID")
run A "GET /api/user (Bearer, cached)" "$SERVER_URL/api/user" -H "Authorization: Bearer $JWT"
RPS_A=$RPS
rp_after=$(cpu_ticks "$RP_PID")

run B2 "GET /api/system/version" "$SERVER_URL/api/system/version"
RPS_B2=$RPS

echo
awk -v a="$RPS_A" -v b1="$RPS_B1" -v b2="$RPS_B2" 'BEGIN {
    b = (b1 + b2) / 2
    drift = (b1 > 0) ? (b2 - b1) / b1 * 100 : 0
    printf "public (mean of B1, B2): %.2f req/s  (B2 vs B1: %+.1f%%)\n", b, drift
    printf "auth-cached:             %.2f req/s\n", a
    printf "auth-cached/public ratio: %.2f\n", (b > 0) ? a / b : 0
    if (drift > 10 || drift < -10)
        printf "warning: the baseline drifted by %+.1f%% between B1 and B2: something else used the CPU; rerun for a trustworthy ratio\n", drift
}'
echo "provider CPU during A: $(( (rp_after - rp_before) * 1000 / TICK )) ms" \
     "(about 0 when A is served from the cache)"
if [ "$busy_runs" -gt 0 ]; then
    echo "warning: other processes used more than 10% of a core during $busy_runs run(s)" \
         "(column 'others'): the machine was not quiet; rerun for a trustworthy ratio"
fi

if [ "$bad_runs" -gt 0 ]; then
    die "$bad_runs run(s) got errors or non-2xx answers; their rates are not valid"
fi
