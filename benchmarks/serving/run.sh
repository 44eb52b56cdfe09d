#!/usr/bin/env bash
# Measures 'hpo serve' with wrk on loopback, and the Python peer (FastAPI + uvicorn) in the same run when its harness is given.
#
# usage: benchmarks/serving/run.sh HPO_DLL BASE MODEL [PEER_RUN_SH]
#   HPO_DLL      the built tool (src/Hpo.Cli/bin/Release/net10.0/Hpo.Cli.dll; build with -p:HpoWithLibTorch=true for TorchSharp models)
#   BASE MODEL   the model repository and the model to load (BASE/MODEL/VERSION/)
#   PEER_RUN_SH  the peer's run.sh (run with LAUNCH=reuseport and 2 processes, its best setting), or nothing
# Environment: THREADS=2 CONNECTIONS=64 DURATION=20 WARMUP=3 BATCHES="1 32" TAG=free text.
# For each batch: wrk -tTHREADS -cCONNECTIONS -dDURATIONs --latency, after an unrecorded warm-up; then the no-op floor
# (GET /healthz) of the same server. Prints one JSON line per run with `uptime`'s load average. Loopback only; bounded.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HPO="$1"; BASE="$2"; MODEL="$3"; PEER="${4:-}"
THREADS="${THREADS:-2}"; CONNECTIONS="${CONNECTIONS:-64}"; DURATION="${DURATION:-20}"; WARMUP="${WARMUP:-3}"
BATCHES="${BATCHES:-1 32}"; TAG="${TAG:-}"
TMP="$(mktemp -d /tmp/hpo-serve-bench.XXXXXX)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
PORT="$(free_port)"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

DOTNET_gcServer="${DOTNET_gcServer:-1}" dotnet "$HPO" serve --model-base-path "$BASE" --name "$MODEL" --urls "http://127.0.0.1:$PORT" --grpc-port none >"$TMP/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "the server did not become ready:" >&2; cat "$TMP/server.log" >&2; exit 1; }

row() { # server batch wrk-output
  local json; json="$(grep '^WRKJSON ' "$3" | sed 's/^WRKJSON //')"
  python3 - "$1" "$2" "$json" "$(cut -d' ' -f1-3 /proc/loadavg)" "$TAG" <<'PY'
import json, sys
server, batch, raw, load, tag = sys.argv[1:]
r = json.loads(raw)
s = r["duration_us"] / 1e6
rps = r["requests"] / s
print(json.dumps({"server": server, "batch": int(batch), "requests_per_s": round(rps, 1), "instances_per_s": round(rps * max(int(batch), 0), 1),
                  "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
                  "errors": r["errors"], "non_2xx": r["status_errors"], "loadavg": load, "tag": tag}))
PY
}

for batch in $BATCHES; do
  python3 -c "import json,sys; rows=[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3],[5.9,3.0,4.2,1.5],[4.9,3.1,1.5,0.1]]; print(json.dumps({'instances':[rows[i%4] for i in range(int(sys.argv[1]))]}))" "$batch" >"$TMP/body.json"
  export WRK_BODY_FILE="$TMP/body.json"
  [ "$WARMUP" -gt 0 ] && wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$HERE/post.lua" "http://127.0.0.1:$PORT/v1/models/$MODEL:predict" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$HERE/post.lua" "http://127.0.0.1:$PORT/v1/models/$MODEL:predict" >"$TMP/wrk.txt"
  row "hpo-serve-$MODEL" "$batch" "$TMP/wrk.txt"
done

WRK_METHOD=GET wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$HERE/post.lua" "http://127.0.0.1:$PORT/healthz" >"$TMP/wrk.txt"
row "hpo-serve-noop-healthz" 0 "$TMP/wrk.txt"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""

if [ -n "$PEER" ]; then
  PEER_PORT="$(free_port)"
  PORT="$PEER_PORT" LAUNCH=reuseport THREADS="$THREADS" CONNECTIONS="$CONNECTIONS" DURATION="$DURATION" WARMUP="$WARMUP" BATCHES="$BATCHES" \
    RESULTS="$TMP/peer.jsonl" TAG="$TAG" bash "$PEER" 2 >"$TMP/peer.log" 2>&1 || { cat "$TMP/peer.log" >&2; exit 1; }
  grep -E 'req/s|p99' "$TMP/peer.log" | sed 's/^/peer: /' || true
  sed "s/^/peer-jsonl: /" "$TMP/peer.jsonl"
fi
