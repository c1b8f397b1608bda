#!/usr/bin/env bash
# `kiln data add` of a folder of 10,000 small files (about 200 bytes each, in 100 folders, timestamps an hour old) and
# the unchanged re-add, end to end (process start included), beside `b3sum` of the same files and `cp -r` of the folder
# in the same run. Usage: bench/data-many.sh [FILES=10000] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
FILES="${1:-10000}"
ROUNDS="${2:-3}"
WORK="${KILN_BENCH_WORK:-/tmp/kiln-databench-$(id -u)}/many-$FILES"
command -v b3sum >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq b3sum >/dev/null; }
./kiln --help >/dev/null # publishes the CLI (ReadyToRun) when a source changed: timed as users run it
KILN="env KILN_NO_BUILD=1 ./kiln"
if [ ! -d "$WORK/files" ]; then
  /usr/bin/python3 - "$WORK/files" "$FILES" <<'PY'
import os, sys, random
root, n = sys.argv[1], int(sys.argv[2]); random.seed(1)
for i in range(n):
    d = os.path.join(root, f"part-{i % 100:03d}"); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"rec-{i:05d}.json"), "w") as f:
        f.write('{"id": %d, "payload": "%s"}\n' % (i, "".join(random.choice("abcdefghij") for _ in range(170))))
PY
  find "$WORK/files" -type f -exec touch -d '1 hour ago' {} +
fi
secs() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK/home" "$WORK/copy"
  b=$(secs bash -c "find '$WORK/files' -type f -print0 | xargs -0 b3sum")
  c=$(secs cp -r "$WORK/files" "$WORK/copy"); rm -rf "$WORK/copy"
  k=$(secs env KILN_HOME="$WORK/home" $KILN data add many "$WORK/files")
  r=$(secs env KILN_HOME="$WORK/home" $KILN data add many "$WORK/files")
  printf 'round %s: kiln data add %.2f s | unchanged re-add %.2f s | b3sum %.2f s | cp -r %.2f s\n' "$round" "$k" "$r" "$b" "$c"
done
