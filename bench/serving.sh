#!/usr/bin/env bash
# Serving benchmark (issue 16), everything in one run on loopback with Debian's wrk (-t2), Python anchors included:
#   - the benchmark data (../shared/bench/make_data.py, 100k) and the reference model of the issue's shape (XGBoost,
#     200 trees, depth 6, 30 features: ../shared/bench/serving/make_models.py), plus a Kiln GBDT of the same shape
#     trained by `kiln train` (rounds 200, max_depth 6, learning_rate 0.1; two seeds = versions 1 and 2 of `bench`);
#   - registered and deployed in a throwaway KILN_HOME: `bench` (models:/bench@champion, the Kiln model, raw columns),
#     `bench-xgb` (the XGBoost JSON imported with `kiln models register … --features`, coded columns), and the ONNX and
#     ML.NET fixtures (tests/fixtures/flavors) deployed three times each: --batch-rows 1 (batching off), the default
#     (64 rows, no wait) and --batch-wait-ms 2;
#   - two `kiln server` processes on the same store: ON (KILN_PREDICTION_SAMPLE=1, the default: every request logged)
#     and OFF (KILN_PREDICTION_SAMPLE=0), measured alternately;
#   - wrk, 10 s runs after a warm-up, each Kiln measurement REPS times (median reported): one-row requests at 64
#     connections (both servers, both models), 1,000-row requests at 8 (rows/s), p99 at half the ON server's one-row
#     rate (a paced wrk script: 64 connections, random delays tuned to half the rate), ONNX/ML.NET one-row c64 with and
#     without batching (OFF server, to compare the batcher without the log's cost), and a 20 s c64 run on `bench` while
#     a loop moves `champion` between versions 1 and 2 every 2 s (`kiln models alias`), counting every answer's status
#     and Kiln-Model-Version;
#   - ../shared/bench/serving/anchor.sh (Flask + gunicorn 2 workers with XGBoost inplace_predict; `mlflow models serve`
#     2 workers) before and after the Kiln measurements; ratios use the better of its two rounds.
# While wrk runs, the CPU taken by processes other than the servers and wrk is measured from /proc; a run during which
# others took more than OTHER_MAX cores is retried (twice at most) and flagged.
#
# Usage: bench/serving.sh            (12–16 minutes)
# Environment:
#   KILN_BIN          how to run Kiln's CLI (default: a private copy of src/Kiln.Cli/bin/Release/net10.0, so a build
#                     during the run cannot replace it; build first: dotnet build Kiln.slnx -c Release), e.g. KILN_BIN=./kiln
#   MLFLOW_SRC        folder holding MLflow 2.12's mlflow/ (default /tmp/mlflow-src; see ../shared/MLFLOW_CLIENT.md)
#   KILN_BENCH_SHARED the shared reference scripts (default /work/shared/bench)
#   KILN_BENCH_WORK   scratch folder (default /tmp/kiln-serving-UID; emptied first)
#   KILN_BENCH_DATA   folder already holding train_100k.csv and test_100k.csv (default: made in the scratch folder)
#   KILN_PORT_ON, KILN_PORT_OFF (5411, 5412)   the anchors use 5401 and 5402
#   DURATION (10) seconds per run, REPS (3), WARMUP (8) seconds, SWAP_SECONDS (20), OTHER_MAX (0.3) cores, ANCHORS (1)
#   SETUP_ONLY (0)    1: make the data, models, deployments and wrk scripts in the scratch folder, then stop (for
#                     side-by-side checks by hand: KILN_HOME=$WORK/home, scripts in $WORK/lua)
#   MONITOR (0)       KILN_MONITOR_INTERVAL of both servers: 0 measures serving and its log without the monitoring rounds
#                     (which summarise each minute of the log; on a busy deployment they run in another process), e.g. 60
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
SHARED="${KILN_BENCH_SHARED:-/work/shared/bench}"
export MLFLOW_SRC="${MLFLOW_SRC:-/tmp/mlflow-src}"
WORK="${KILN_BENCH_WORK:-/tmp/kiln-serving-$(id -u)}"
PORT_ON="${KILN_PORT_ON:-5411}"
PORT_OFF="${KILN_PORT_OFF:-5412}"
DURATION="${DURATION:-10}"
REPS="${REPS:-3}"
WARMUP="${WARMUP:-8}"
SWAP_SECONDS="${SWAP_SECONDS:-20}"
OTHER_MAX="${OTHER_MAX:-0.3}"
ANCHORS="${ANCHORS:-1}"
MONITOR="${MONITOR:-0}"
PY=/usr/bin/python3   # Debian's interpreter, with numpy, pandas, xgboost, flask, gunicorn
TCK=$(getconf CLK_TCK)

die() { echo "serving.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- prerequisites
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
command -v curl >/dev/null || die "curl is missing"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
$PY -c "import numpy, pandas, xgboost, flask, gunicorn" 2>/dev/null \
  || die "Debian's python3 needs numpy, pandas, xgboost, flask, gunicorn (python3-numpy python3-pandas python3-xgboost python3-flask python3-gunicorn)"
[ -f "$SHARED/make_data.py" ] && [ -f "$SHARED/serving/make_models.py" ] && [ -f "$SHARED/serving/anchor.sh" ] \
  || die "the shared reference scripts are not in $SHARED (set KILN_BENCH_SHARED)"
if [ "$ANCHORS" = 1 ]; then
  [ -f "$MLFLOW_SRC/mlflow/__init__.py" ] || die "no MLflow source in MLFLOW_SRC=$MLFLOW_SRC (see ../shared/MLFLOW_CLIENT.md), or ANCHORS=0"
  for p in 5401 5402; do ! curl -s -o /dev/null "http://127.0.0.1:$p/" || die "port $p (the anchors') is in use"; done
fi
for p in "$PORT_ON" "$PORT_OFF"; do ! curl -s -o /dev/null "http://127.0.0.1:$p/" || die "port $p is in use"; done

rm -rf "$WORK"; mkdir -p "$WORK/bin" "$WORK/lua"
if ! command -v gunicorn >/dev/null; then   # `mlflow models serve` runs a gunicorn command
  printf '#!/bin/sh\nexec /usr/bin/python3 -m gunicorn "$@"\n' > "$WORK/bin/gunicorn"; chmod +x "$WORK/bin/gunicorn"
  export PATH="$WORK/bin:$PATH"
fi
if [ -z "${KILN_BIN:-}" ]; then
  built="$REPO/src/Kiln.Cli/bin/Release/net10.0"
  [ -x "$built/kiln" ] || die "no CLI in $built: build it first (dotnet build Kiln.slnx -c Release) or set KILN_BIN"
  cp -r "$built" "$WORK/kiln-cli"
  KILN_BIN="$WORK/kiln-cli/kiln"
  log "Kiln CLI: copy of $built (kiln.dll of $(date -r "$built/kiln.dll" '+%F %T'); HEAD $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
fi
export KILN_HOME="$WORK/home"
export NO_COLOR=1
# shellcheck disable=SC2086  # KILN_BIN may be a command with arguments
kiln() { $KILN_BIN "$@"; }

pids=()
swap_pid=""
cleanup() {
  [ -n "$swap_pid" ] && kill "$swap_pid" 2>/dev/null || true
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- data and models
if [ -n "${KILN_BENCH_DATA:-}" ]; then DATA="$KILN_BENCH_DATA"; else DATA="$WORK/data"; fi
if [ ! -f "$DATA/train_100k.csv" ] || [ ! -f "$DATA/test_100k.csv" ]; then
  log "making the 100k data in $DATA"
  $PY "$SHARED/make_data.py" "$DATA" --only 100k >&2 || die "make_data.py failed"
fi
M="$WORK/models"
log "making the XGBoost reference model and request bodies in $M"
$PY "$SHARED/serving/make_models.py" "$DATA" "$M" >"$WORK/make_models.log" 2>&1 || { cat "$WORK/make_models.log" >&2; die "make_models.py failed"; }
for f in xgb.json one.json thousand.json one_raw.json thousand_raw.json xgb_pred_test.npy; do
  [ -s "$M/$f" ] || die "make_models.py did not write $f"
done
[ "$ANCHORS" != 1 ] || [ -f "$M/mlflow_model/MLmodel" ] || { cat "$WORK/make_models.log" >&2; die "make_models.py did not save the MLflow model"; }
FEATURES=$($PY -c "import json,sys; print(','.join(json.load(open(sys.argv[1]))['dataframe_split']['columns']))" "$M/one.json")
FLAVORS="$REPO/tests/fixtures/flavors"
$PY - "$FLAVORS/flavor_rows.csv" "$WORK/flavor_one.json" <<'EOF'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1])))
cols, data = rows[0], rows[1:]
row = next(r for r in data if all(c != "" for c in r))   # the first row with no missing value
json.dump({"dataframe_split": {"columns": cols, "data": [[float(v) for v in row]]}}, open(sys.argv[2], "w"))
EOF

# the 1,000-row bodies again as Open Inference Protocol requests with binary tensor data (what Triton's and KServe's HTTP
# clients send): a JSON header naming each column's tensor and its binary_data_size, then the columns' bytes (FP64
# little-endian; text columns as BYTES, a 4-byte length before each value); the probability comes back as binary too
$PY - "$M" <<'EOF'
import json, struct, sys
m = sys.argv[1]
for src, dst in (("thousand.json", "thousand_oip"), ("thousand_raw.json", "thousand_raw_oip")):
    split = json.load(open(f"{m}/{src}"))["dataframe_split"]
    inputs, blob = [], b""
    for j, name in enumerate(split["columns"]):
        values = [row[j] for row in split["data"]]
        if any(isinstance(v, str) for v in values):
            data = b"".join(struct.pack("<I", len(v.encode())) + v.encode() for v in (str(x) for x in values))
            datatype = "BYTES"
        else:
            data = struct.pack(f"<{len(values)}d", *[float("nan") if v is None else float(v) for v in values])
            datatype = "FP64"
        inputs.append({"name": name, "shape": [len(values)], "datatype": datatype, "parameters": {"binary_data_size": len(data)}})
        blob += data
    head = json.dumps({"inputs": inputs, "outputs": [{"name": "probability", "parameters": {"binary_data": True}}]}).encode()
    open(f"{m}/{dst}.bin", "wb").write(head + blob)
    open(f"{m}/{dst}.len", "w").write(str(len(head)))
EOF

train() { # seed → run id
  local out
  out=$(kiln train --data "$DATA/train_100k.csv" --target label --param rounds=200 --param max_depth=6 \
    --param learning_rate=0.1 --param seed="$1" --experiment serving-bench --run-name "bench-seed$1" 2>&1) \
    || { echo "$out" >&2; die "kiln train failed"; }
  echo "$out" | tr -d '\n' | grep -o 'runs:/[0-9a-f]*/model' | head -1 | sed 's#runs:/##; s#/model##'
}
log "kiln train: GBDT, 200 rounds, max_depth 6, on train_100k (seeds 1 and 2)"
t0=$(date +%s.%N); RUN1=$(train 1); t1=$(date +%s.%N); RUN2=$(train 2)
[ -n "$RUN1" ] && [ -n "$RUN2" ] || die "no run id in kiln train's output"
TRAIN_SECONDS=$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")
{
  kiln models register bench "runs:/$RUN1/model" --alias champion
  kiln models register bench "runs:/$RUN2/model"
  kiln models register bench-xgb "$M/xgb.json" --features "$FEATURES"
  # each flavor deployment gets its own version (the same file): a served model's batch counters are per reference
  for v in 1 2 3; do
    kiln models register onnx "$FLAVORS/onnx_binary.onnx" --features x0,x1,x2,x3,x4,x5,x6,x7
    kiln models register mlnet "$FLAVORS/mlnet_binary.zip"
  done
  kiln deploy create bench --route champion=models:/bench@champion
  kiln deploy create bench-xgb --route main=models:/bench-xgb/1
  for f in onnx mlnet; do
    kiln deploy create "$f-b1" --route "main=models:/$f/1" --batch-rows 1
    kiln deploy create "$f-b64" --route "main=models:/$f/2"
    kiln deploy create "$f-b64w2" --route "main=models:/$f/3" --batch-wait-ms 2
  done
} > "$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log" >&2; die "registering or deploying failed"; }

# ---------------------------------------------------------------- wrk scripts
# lua BODY OUT [MEAN_DELAY_MS|versions]: POST BODY; prints one RESULT line; "versions" also counts every answer by
# status and Kiln-Model-Version; a number paces each connection with random delays of that mean.
lua() {
  {
    printf 'wrk.method="POST"\nwrk.headers["Content-Type"]="application/json"\n'
    printf 'local f=io.open("%s"); wrk.body=f:read("*a"); f:close()\n' "$1"
    printf 'local threads = {}\nfunction setup(t) table.insert(threads, t) end\n'
    case "${3:-}" in
      versions) printf 'seen = {}\nfunction response(status, headers, body)\n  local k = tostring(status) .. " " .. (headers["Kiln-Model-Version"] or headers["kiln-model-version"] or "-")\n  seen[k] = (seen[k] or 0) + 1\nend\n' ;;
      "") ;;
      *) printf 'function init(args) math.randomseed(math.floor(os.clock() * 1e6) + os.time() %% 100000 + tonumber(tostring({}):match("0x(%%x+)"), 16) %% 100000) end\n'
         printf 'function delay() return math.random() * 2 * %s end\n' "$3" ;;
    esac
    printf 'done = function(s, l, r)\n'
    printf '  io.write(string.format("RESULT rps=%%.1f p50_ms=%%.3f p99_ms=%%.3f requests=%%d errors=%%d status_errors=%%d\\n", s.requests / (s.duration / 1e6), l:percentile(50) / 1000, l:percentile(99) / 1000, s.requests, s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout + s.errors.status, s.errors.status))\n'
    if [ "${3:-}" = versions ]; then
      printf '  local all = {}\n  for _, t in ipairs(threads) do local v = t:get("seen"); if v then for k, n in pairs(v) do all[k] = (all[k] or 0) + n end end end\n'
      printf '  for k, n in pairs(all) do io.write(string.format("ANSWERS %%s %%d\\n", k, n)) end\n'
    fi
    printf 'end\n'
  } > "$2"
}
lua "$M/one_raw.json" "$WORK/lua/one_raw.lua"
lua "$M/one.json" "$WORK/lua/one.lua"
lua "$M/thousand_raw.json" "$WORK/lua/thousand_raw.lua"
lua "$M/thousand.json" "$WORK/lua/thousand.lua"
lua "$WORK/flavor_one.json" "$WORK/lua/flavor.lua"
lua "$M/one_raw.json" "$WORK/lua/one_raw_versions.lua" versions
lua_binary() { # NAME: POST $M/NAME.bin as binary tensor data
  {
    printf 'wrk.method="POST"\nwrk.headers["Content-Type"]="application/octet-stream"\n'
    printf 'wrk.headers["Inference-Header-Content-Length"]="%s"\n' "$(cat "$M/$1.len")"
    printf 'local f=io.open("%s", "rb"); wrk.body=f:read("*a"); f:close()\n' "$M/$1.bin"
    printf 'done = function(s, l, r)\n'
    printf '  io.write(string.format("RESULT rps=%%.1f p50_ms=%%.3f p99_ms=%%.3f requests=%%d errors=%%d status_errors=%%d\\n", s.requests / (s.duration / 1e6), l:percentile(50) / 1000, l:percentile(99) / 1000, s.requests, s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout + s.errors.status, s.errors.status))\n'
    printf 'end\n'
  } > "$WORK/lua/$1.lua"
}
lua_binary thousand_oip
lua_binary thousand_raw_oip
if [ "${SETUP_ONLY:-0}" = 1 ]; then log "set up in $WORK (KILN_HOME=$KILN_HOME, wrk scripts in $WORK/lua)"; exit 0; fi

# ---------------------------------------------------------------- measuring
RES="$WORK/results.tsv"
printf 'label\tserver\tdeployment\trows\tconns\trep\trps\tp50_ms\tp99_ms\trequests\terrors\tstatus_errors\tother_cores\tattempts\n' > "$RES"
busy_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
pid_jiffies() { local s=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && s=$((s + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12+$13}'))); done; echo $s; }
server_pids=()
SETTLE=1
LAST="start"

# wrk_once CONNS SECONDS LUA URL → sets R (the RESULT fields) and OTHER (cores others took meanwhile)
wrk_once() {
  local b0 s0 b1 s1 wcpu wall
  b0=$(busy_jiffies); s0=$(pid_jiffies "${server_pids[@]}")
  /usr/bin/time -f '%U %S %e' -o "$WORK/wrk.time" wrk -t2 -c"$1" -d"$2"s --timeout 5s -s "$3" "$4" > "$WORK/wrk.out" 2>&1 || true
  b1=$(busy_jiffies); s1=$(pid_jiffies "${server_pids[@]}")
  cat "$WORK/wrk.out" >> "$WORK/wrk-all.log"
  R=$(sed -n 's/^RESULT //p' "$WORK/wrk.out")
  [ -n "$R" ] || { cat "$WORK/wrk.out" >&2; die "wrk gave no result for $4"; }
  read -r wu ws wall < "$WORK/wrk.time"
  OTHER=$(echo "scale=3; x = (($b1 - $b0) - ($s1 - $s0)) / $TCK - $wu - $ws; if (x < 0) x = 0; x / $wall" | bc)
}
field() { echo "$R" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# settle: wait (at most 60 s) until the servers are idle, e.g. the logging-on server has written its backlog
settle() {
  local t0=$SECONDS s0 s1
  while [ $((SECONDS - t0)) -lt 60 ]; do
    s0=$(pid_jiffies "${server_pids[@]}"); sleep 1; s1=$(pid_jiffies "${server_pids[@]}")
    [ $((s1 - s0)) -le $((TCK / 10)) ] && break
  done
  [ $((SECONDS - t0)) -le 2 ] || { log "  (servers busy for $((SECONDS - t0)) s after $LAST)"; echo "$LAST: $((SECONDS - t0)) s" >> "$WORK/settle.txt"; }
}

# measure LABEL SERVER DEPLOYMENT ROWS CONNS REP LUA URL [SECONDS]: one run (retried while others are busy), one tsv row
measure() {
  local attempts=0 secs="${9:-$DURATION}"
  while :; do
    attempts=$((attempts + 1))
    [ "$SETTLE" = 1 ] && settle
    wrk_once "$5" "$secs" "$7" "$8"
    [ "$(echo "$OTHER > $OTHER_MAX" | bc)" = 1 ] && [ "$attempts" -lt 3 ] && [ "$6" != 0 ] \
      && { log "  others took $OTHER cores during $1 rep $6: again"; sleep 5; continue; }
    break
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$(field rps)" \
    "$(field p50_ms)" "$(field p99_ms)" "$(field requests)" "$(field errors)" "$(field status_errors)" "$OTHER" "$attempts" >> "$RES"
  log "  $1 [$2] rep $6: $R others=$OTHER"
  LAST="$1 [$2] rep $6"
}
median_rps() { awk -F'\t' -v l="$1" -v s="$2" '$1 == l && $2 == s && $6 > 0 {print $7}' "$RES" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

start_server() { # NAME PORT SAMPLE
  KILN_PREDICTION_SAMPLE="$3" KILN_MONITOR_INTERVAL="$MONITOR" $KILN_BIN server --port "$2" > "$WORK/server-$1.log" 2>&1 &
  local pid=$!; pids+=("$pid"); server_pids+=("$pid"); echo "$pid" > "$WORK/server-$1.pid"
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$2/health" >/dev/null && return 0; sleep 0.5; done
  tail -20 "$WORK/server-$1.log" >&2; die "kiln server ($1) did not start on port $2"
}
check() { # PORT DEPLOYMENT BODY → the answer; dies on anything but 200
  local code
  code=$(curl -s -o "$WORK/answer.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data @"$3" \
    "http://127.0.0.1:$1/deployments/$2/invocations")
  [ "$code" = 200 ] || { cat "$WORK/answer.json" >&2; echo >&2; tail -20 "$WORK"/server-*.log >&2; die "$2 answered $code on port $1"; }
  cat "$WORK/answer.json"
}

run_anchors() { # ROUND
  [ "$ANCHORS" = 1 ] || return 0
  log "anchors, round $1: Flask + gunicorn (2 workers) and mlflow models serve (2 workers)"
  bash "$SHARED/serving/anchor.sh" "$M" > "$WORK/anchors-$1.log" 2>&1 || true
  grep RESULT "$WORK/anchors-$1.log" | sed "s/^/round=$1 /" >> "$WORK/anchors.txt" || true
  grep RESULT "$WORK/anchors-$1.log" >&2 || { cat "$WORK/anchors-$1.log" >&2; die "anchor.sh gave no result"; }
  [ "$(grep -c RESULT "$WORK/anchors-$1.log")" = 4 ] || log "  anchor.sh gave fewer than 4 results (see $WORK/anchors-$1.log)"
}

T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$WORK/anchors.txt"
run_anchors 1

log "starting kiln server ON (KILN_PREDICTION_SAMPLE=1) on $PORT_ON and OFF (KILN_PREDICTION_SAMPLE=0) on $PORT_OFF"
start_server on "$PORT_ON" 1
start_server off "$PORT_OFF" 0
for port in "$PORT_ON" "$PORT_OFF"; do
  check "$port" bench "$M/one_raw.json" > /dev/null; check "$port" bench "$M/thousand_raw.json" > /dev/null
  check "$port" bench-xgb "$M/one.json" > /dev/null; check "$port" bench-xgb "$M/thousand.json" > /dev/null
  for d in onnx-b1 onnx-b64 onnx-b64w2 mlnet-b1 mlnet-b64 mlnet-b64w2; do check "$port" "$d" "$WORK/flavor_one.json" > /dev/null; done
done
# the imported XGBoost model must give XGBoost's own predictions on the 1,000 test rows
check "$PORT_OFF" bench-xgb "$M/thousand.json" > "$WORK/xgb_answer.json"
XGB_DIFF=$($PY - "$WORK/xgb_answer.json" "$M/xgb_pred_test.npy" <<'EOF'
import json, sys, numpy as np
got = np.array([p["probability"] for p in json.load(open(sys.argv[1]))["predictions"]])
want = np.load(sys.argv[2])[:len(got)]
print(f"{np.max(np.abs(got - want)):.2e}")
EOF
)
log "Kiln-XGBoost vs XGBoost on 1,000 test rows: max |difference| $XGB_DIFF"
# the same rows as binary tensors: the binary probabilities must be XGBoost's too
curl -s -o "$WORK/xgb_answer.bin" -D "$WORK/xgb_answer.headers" -X POST -H 'Content-Type: application/octet-stream' \
  -H "Inference-Header-Content-Length: $(cat "$M/thousand_oip.len")" --data-binary @"$M/thousand_oip.bin" "http://127.0.0.1:$PORT_OFF/v2/models/bench-xgb/infer"
XGB_BINARY_DIFF=$($PY - "$WORK/xgb_answer.bin" "$WORK/xgb_answer.headers" "$M/xgb_pred_test.npy" <<'EOF'
import json, re, sys, numpy as np
body, headers = open(sys.argv[1], "rb").read(), open(sys.argv[2]).read()
n = int(re.search(r"(?im)^inference-header-content-length: *(\d+)", headers).group(1))
head = json.loads(body[:n])
assert [o["name"] for o in head["outputs"]] == ["probability"], head
got = np.frombuffer(body[n:], dtype="<f8")
want = np.load(sys.argv[3])[:len(got)]
print(f"{np.max(np.abs(got - want)):.2e}")
EOF
) || die "the binary tensor answer could not be read (see $WORK/xgb_answer.headers)"
log "the same as OIP binary tensors: max |difference| $XGB_BINARY_DIFF"

ON="http://127.0.0.1:$PORT_ON/deployments"; OFF="http://127.0.0.1:$PORT_OFF/deployments"
ONV2="http://127.0.0.1:$PORT_ON/v2/models"; OFFV2="http://127.0.0.1:$PORT_OFF/v2/models"
L="$WORK/lua"

# Order: every logging-off block starts from idle servers (settle); each logging-on block runs back to back, so its runs
# overlap the prediction log writer's backlog as a server under sustained load does. The 1,000-row logging-on block
# comes last: its backlog takes minutes to write.
one_block() { # SERVER BASE
  measure one-kiln "$1" bench 1 64 0 "$L/one_raw.lua" "$2/bench/invocations" "$WARMUP"
  measure one-xgb "$1" bench-xgb 1 64 0 "$L/one.lua" "$2/bench-xgb/invocations" "$WARMUP"
  for rep in $(seq 1 "$REPS"); do
    measure one-kiln "$1" bench 1 64 "$rep" "$L/one_raw.lua" "$2/bench/invocations"
    measure one-xgb "$1" bench-xgb 1 64 "$rep" "$L/one.lua" "$2/bench-xgb/invocations"
  done
}
thousand_block() { # SERVER BASE V2BASE: MLflow JSON (dataframe_split) and OIP binary tensors
  measure thousand-kiln "$1" bench 1000 8 0 "$L/thousand_raw.lua" "$2/bench/invocations" "$WARMUP"
  measure thousand-xgb "$1" bench-xgb 1000 8 0 "$L/thousand.lua" "$2/bench-xgb/invocations" "$WARMUP"
  measure binary-kiln "$1" bench 1000 8 0 "$L/thousand_raw_oip.lua" "$3/bench/infer" "$WARMUP"
  measure binary-xgb "$1" bench-xgb 1000 8 0 "$L/thousand_oip.lua" "$3/bench-xgb/infer" "$WARMUP"
  for rep in $(seq 1 "$REPS"); do
    measure thousand-kiln "$1" bench 1000 8 "$rep" "$L/thousand_raw.lua" "$2/bench/invocations"
    measure thousand-xgb "$1" bench-xgb 1000 8 "$rep" "$L/thousand.lua" "$2/bench-xgb/invocations"
    measure binary-kiln "$1" bench 1000 8 "$rep" "$L/thousand_raw_oip.lua" "$3/bench/infer"
    measure binary-xgb "$1" bench-xgb 1000 8 "$rep" "$L/thousand_oip.lua" "$3/bench-xgb/infer"
  done
}

log "one-row requests, 64 connections, logging off (warm-up $WARMUP s each, then $REPS × $DURATION s)"
SETTLE=1; one_block off "$OFF"
log "one-row requests, 64 connections, logging on (back to back)"
settle; SETTLE=0; one_block on "$ON"

log "p99 at half load: 64 connections paced by random delays to half the logging-on one-row rate (back to back)"
for m in kiln xgb; do
  dep=bench; body="$M/one_raw.json"; [ $m = xgb ] && { dep=bench-xgb; body="$M/one.json"; }
  full=$(median_rps "one-$m" on)
  half=$(echo "$full / 2" | bc -l)
  d0=$(echo "64000 / $half" | bc -l)                          # mean delay per connection, ms, if answers took no time
  lua "$body" "$L/paced-$m.lua" "$d0"
  measure "half-$m-calibration" on "$dep" 1 64 0 "$L/paced-$m.lua" "$ON/$dep/invocations" 5
  got=$(awk -F'\t' -v l="half-$m-calibration" '$1 == l {print $7}' "$RES" | tail -1)
  d1=$(echo "d = 64000 / $half - (64000 / $got - $d0); if (d < 0) d = 0; d" | bc -l)  # less the time an answer took
  lua "$body" "$L/paced-$m.lua" "$d1"
  printf 'half-%s: target %.0f requests/s, mean delay per connection %.1f ms (calibration run: %.0f/s)\n' "$m" "$half" "$d1" "$got" >> "$WORK/paced.txt"
  for rep in $(seq 1 "$REPS"); do
    measure "half-$m" on "$dep" 1 64 "$rep" "$L/paced-$m.lua" "$ON/$dep/invocations"
  done
done

log "alias swap: champion of bench moved between versions 1 and 2 every 2 s during a $SWAP_SECONDS s c64 run (logging on)"
measure swap-warmup on bench 1 64 0 "$L/one_raw.lua" "$ON/bench/invocations" "$WARMUP"
(
  v=2; end=$((SECONDS + SWAP_SECONDS))
  while [ $SECONDS -lt $end ]; do
    sleep 2
    kiln models alias bench champion "$v" --reason "serving bench swap" > /dev/null 2>>"$WORK/swap-errors.log" \
      && echo "$(date +%T.%N) champion -> $v" >> "$WORK/swaps.log" \
      || echo "$(date +%T.%N) FAILED champion -> $v" >> "$WORK/swaps.log"
    v=$((3 - v))
  done
) &
swap_pid=$!
wrk_once 64 "$SWAP_SECONDS" "$L/one_raw_versions.lua" "$ON/bench/invocations"
wait "$swap_pid" || true; swap_pid=""
cp "$WORK/wrk.out" "$WORK/swap-wrk.out"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' swap on bench 1 64 1 "$(field rps)" "$(field p50_ms)" \
  "$(field p99_ms)" "$(field requests)" "$(field errors)" "$(field status_errors)" "$OTHER" 1 >> "$RES"
log "  swap: $R; answers: $(grep '^ANSWERS' "$WORK/swap-wrk.out" | sed 's/^ANSWERS //' | tr '\n' ';') swaps: $(grep -c ' -> ' "$WORK/swaps.log" || true)"

log "ONNX and ML.NET, one-row requests, 64 connections, logging off: --batch-rows 1, default (64, no wait), --batch-wait-ms 2"
SETTLE=1
FLAVOR_DEPS="onnx-b1 onnx-b64 onnx-b64w2 mlnet-b1 mlnet-b64 mlnet-b64w2"
for d in $FLAVOR_DEPS; do measure "flavor-$d" off "$d" 1 64 0 "$L/flavor.lua" "$OFF/$d/invocations" "$WARMUP"; done
for rep in $(seq 1 "$REPS"); do
  for d in $FLAVOR_DEPS; do measure "flavor-$d" off "$d" 1 64 "$rep" "$L/flavor.lua" "$OFF/$d/invocations"; done
done
for d in $FLAVOR_DEPS; do
  curl -s "http://127.0.0.1:$PORT_OFF/api/kiln/deployments/$d" \
    | $PY -c "import json,sys; r=json.load(sys.stdin)['deployment']['routes'][0]; print(sys.argv[1], r.get('batching'), r.get('mean_batch_rows'))" "$d" \
    >> "$WORK/batching.txt" || echo "$d ? ?" >> "$WORK/batching.txt"
done

log "1,000-row requests (MLflow JSON, then OIP binary tensors), 8 connections, logging off"
SETTLE=1; thousand_block off "$OFF" "$OFFV2"
log "1,000-row requests (MLflow JSON, then OIP binary tensors), 8 connections, logging on (back to back)"
settle; SETTLE=0; thousand_block on "$ON" "$ONV2"

# ---------------------------------------------------------------- after the runs: logs, memory, the prediction log
for s in on off; do
  pid=$(cat "$WORK/server-$s.pid")
  echo "$s $(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)" >> "$WORK/rss.txt"
done
$PY - "$KILN_HOME/kiln.db" > "$WORK/prediction_log.txt" <<'EOF' || true
import sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
for d, n in c.execute("select deployment, sum(row_count) from prediction_segments group by deployment order by deployment"):
    print(d, n)
EOF
# stop: SIGTERM; the logging-on server writes its queued log rows before it exits, so it gets 30 s, then SIGKILL
for s in off on; do
  pid=$(cat "$WORK/server-$s.pid"); kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true; echo "$s: still running 30 s after SIGTERM, killed" >> "$WORK/stop.txt"
  else
    echo "$s: stopped after SIGTERM" >> "$WORK/stop.txt"
  fi
  wait "$pid" 2>/dev/null || true
done
pids=(); server_pids=()
grep -i -E 'fail|error|exception|crit|warn' "$WORK"/server-*.log > "$WORK/server-problems.txt" || true
LOAD_MID=$(cut -d' ' -f1-3 /proc/loadavg)
run_anchors 2
T_END=$(date +%s)

# ---------------------------------------------------------------- report
{
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores); $(date '+%F %H:%M') ($(( (T_END - T_START) / 60 )) min); load at start $LOAD_START, before anchors round 2 $LOAD_MID"
  echo "Kiln: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'), KILN_BIN=$KILN_BIN, KILN_MONITOR_INTERVAL=$MONITOR; kiln train (200 rounds, depth 6, 100k rows): ${TRAIN_SECONDS} s"
  echo "Kiln-XGBoost vs XGBoost predictions on 1,000 test rows: max |difference| $XGB_DIFF (MLflow JSON), $XGB_BINARY_DIFF (OIP binary tensors)"
} > "$WORK/meta.txt"
$PY "$REPO/bench/serving_report.py" "$WORK" | tee "$WORK/results.md"
echo "results: $WORK/results.md, $WORK/results.tsv; server logs in $WORK" >&2
