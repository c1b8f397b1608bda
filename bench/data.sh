#!/usr/bin/env bash
# `kiln data add` of one large file, end to end (process start, hash, durable store, version recorded), beside b3sum, cp,
# openssl and sha256sum on the same file in the same run (page cache warm for all). Installs b3sum when missing.
# Usage: bench/data.sh [SIZE_MIB=1024] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${1:-1024}"
ROUNDS="${2:-3}"
WORK="${KILN_BENCH_WORK:-/tmp/kiln-databench-$(id -u)}"
mkdir -p "$WORK"
command -v b3sum >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq b3sum >/dev/null; }
./kiln --help >/dev/null # publishes the CLI (ReadyToRun) when a source changed: timed as users run it
KILN="env KILN_NO_BUILD=1 ./kiln"
FILE="$WORK/big-$SIZE.bin"
[ -f "$FILE" ] || head -c "$((SIZE * 1024 * 1024))" /dev/urandom > "$FILE"
cat "$FILE" > /dev/null
secs() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK/home" "$WORK/home-link" "$WORK/copy.bin"
  b=$(secs b3sum "$FILE"); c=$(secs cp "$FILE" "$WORK/copy.bin"); rm -f "$WORK/copy.bin"
  cs=$(secs sh -c "cp '$FILE' '$WORK/copy.bin' && sync '$WORK/copy.bin'"); rm -f "$WORK/copy.bin"
  k=$(secs env KILN_HOME="$WORK/home" $KILN data add big "$FILE")
  r=$(secs env KILN_HOME="$WORK/home" $KILN data add big "$FILE")
  l=$(secs env KILN_HOME="$WORK/home-link" $KILN data add big "$FILE" --link hardlink)
  o=$(secs openssl dgst -sha256 "$FILE"); s=$(secs sha256sum "$FILE")
  printf 'round %s: kiln data add %.2f s (unchanged re-add %.2f s, --link hardlink %.2f s) | b3sum %.2f + cp %.2f = %.2f s (ratio %.2f, hardlink %.2f) | b3sum + cp + sync %.2f s (ratio %.2f) | openssl sha256 %.2f | sha256sum %.2f\n' \
    "$round" "$k" "$r" "$l" "$b" "$c" "$(echo "$b + $c" | bc)" "$(echo "$k / ($b + $c)" | bc -l)" "$(echo "$l / ($b + $c)" | bc -l)" \
    "$(echo "$b + $cs" | bc)" "$(echo "$k / ($b + $cs)" | bc -l)" "$o" "$s"
done
