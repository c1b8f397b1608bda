#!/usr/bin/python3
"""serving_report.py WORK: the markdown summary of a bench/serving.sh run (medians of the Kiln runs, the anchors of
both rounds, ratios, the issue's targets met or not, the alias swap, batching) from the files serving.sh left in WORK."""
import csv
import os
import re
import statistics
import sys

W = sys.argv[1]


def read(name):
    path = os.path.join(W, name)
    return open(path).read() if os.path.exists(path) else ""


rows = list(csv.DictReader(open(os.path.join(W, "results.tsv")), delimiter="\t"))
for r in rows:
    for k in ("rps", "p50_ms", "p99_ms", "other_cores"):
        r[k] = float(r[k] or "nan")
    for k in ("rep", "requests", "errors", "status_errors", "attempts", "rows", "conns"):
        r[k] = int(r[k] or 0)


def runs(label, server):
    return [r for r in rows if r["label"] == label and r["server"] == server and r["rep"] > 0]


def med(label, server, key="rps"):
    v = [r[key] for r in runs(label, server)]
    return statistics.median(v) if v else float("nan")


def spread(label, server, scale=1):
    v = sorted(r["rps"] * scale for r in runs(label, server))
    return f"{v[0]:,.0f}–{v[-1]:,.0f}" if v else "–"


# anchors: "round=N flask one-row c64: RESULT rps=… p50_ms=… p99_ms=… errors=…"
anchors = {}
for line in read("anchors.txt").splitlines():
    m = re.match(r"round=(\d+) (\S+) (\S+) c\d+: RESULT (.*)", line)
    if m:
        vals = dict(kv.split("=") for kv in m.group(4).split())
        anchors.setdefault((m.group(2), m.group(3)), []).append({k: float(v) for k, v in vals.items()})


def anchor(name, kind, scale=1):
    a = anchors.get((name, kind), [])
    return [x["rps"] * scale for x in a], a


def fmt_anchor(name, kind, scale=1, lat=False):
    vals, a = anchor(name, kind, scale)
    if not a:
        return "–"
    if lat:
        return ", ".join(f"{x['p50_ms']:.1f} / {x['p99_ms']:.1f}" for x in a)
    return " / ".join(f"{v:,.0f}" for v in vals)


def best(name, kind, scale=1):
    vals, _ = anchor(name, kind, scale)
    return max(vals) if vals else float("nan")


def ratio(a, b):
    return f"{a / b:.1f}×" if b == b and b > 0 and a == a else "–"


out = []
p = out.append
p("## Serving benchmark (bench/serving.sh)")
p("")
for line in read("meta.txt").splitlines():
    p(f"- {line}")
p("")
flask1, flaskT = best("flask", "one-row"), best("flask", "1000-row", 1000)
mlf1, mlfT = best("mlflow-serve", "one-row"), best("mlflow-serve", "1000-row", 1000)
p("Medians of the Kiln runs (min–max in brackets); anchors: round 1 / round 2 (latencies: round 1, round 2), ratios against the better round.")
p("")
p("| measure | Kiln model (`bench`) | Kiln, imported XGBoost (`bench-xgb`) | Flask + gunicorn | mlflow models serve | Kiln ÷ Flask (model / XGBoost) | Kiln ÷ MLflow (model / XGBoost) |")
p("| --- | --- | --- | --- | --- | --- | --- |")


def line(title, label, server, anchor_kind=None, scale=1):
    k, x = med(f"{label}-kiln", server) * scale, med(f"{label}-xgb", server) * scale
    fa = fmt_anchor("flask", anchor_kind, scale) if anchor_kind else "–"
    ma = fmt_anchor("mlflow-serve", anchor_kind, scale) if anchor_kind else "–"
    fb = best("flask", anchor_kind, scale) if anchor_kind else float("nan")
    mb = best("mlflow-serve", anchor_kind, scale) if anchor_kind else float("nan")
    p(f"| {title} | {k:,.0f} ({spread(label + '-kiln', server, scale)}) | {x:,.0f} ({spread(label + '-xgb', server, scale)}) | {fa} | {ma} "
      f"| {ratio(k, fb)} / {ratio(x, fb)} | {ratio(k, mb)} / {ratio(x, mb)} |")


def lat(title, label, server, anchor_kind=None):
    k = f"{med(label + '-kiln', server, 'p50_ms'):.2f} / {med(label + '-kiln', server, 'p99_ms'):.2f}"
    x = f"{med(label + '-xgb', server, 'p50_ms'):.2f} / {med(label + '-xgb', server, 'p99_ms'):.2f}"
    fa = fmt_anchor("flask", anchor_kind, lat=True) if anchor_kind else "–"
    ma = fmt_anchor("mlflow-serve", anchor_kind, lat=True) if anchor_kind else "–"
    p(f"| {title} | {k} | {x} | {fa} | {ma} | | |")


line("one-row, c64, requests/s — logging on (default)", "one", "on", "one-row")
lat("  p50 / p99 ms", "one", "on", "one-row")
line("one-row, c64, requests/s — logging off (sample 0)", "one", "off", "one-row")
lat("  p50 / p99 ms", "one", "off")
half = {m: runs(f"half-{m}", "on") for m in ("kiln", "xgb")}
hk = f"{med('half-kiln', 'on', 'p99_ms'):.2f} at {med('half-kiln', 'on'):,.0f} req/s"
hx = f"{med('half-xgb', 'on', 'p99_ms'):.2f} at {med('half-xgb', 'on'):,.0f} req/s"
p(f"| p99 ms at half the logging-on rate (c64, paced) | {hk} | {hx} | – | – | | |")
line("1,000-row, c8, rows/s — logging on", "thousand", "on", "1000-row", 1000)
line("1,000-row, c8, rows/s — logging off", "thousand", "off", "1000-row", 1000)
line("1,000-row as OIP binary tensors, c8, rows/s — logging on", "binary", "on", None, 1000)
line("1,000-row as OIP binary tensors, c8, rows/s — logging off", "binary", "off", None, 1000)
p("")

# logging cost
p("| prediction logging | Kiln model | Kiln, imported XGBoost |")
p("| --- | --- | --- |")
for label, title, scale in (("one", "one-row c64 requests/s, on / off", 1), ("thousand", "1,000-row c8 rows/s, on / off", 1000),
                            ("binary", "1,000-row OIP binary c8 rows/s, on / off", 1000)):
    cells = []
    for m in ("kiln", "xgb"):
        on, off = med(f"{label}-{m}", "on") * scale, med(f"{label}-{m}", "off") * scale
        cells.append(f"{on:,.0f} / {off:,.0f} ({(on / off - 1) * 100:+.0f} %)")
    p(f"| {title} | {cells[0]} | {cells[1]} |")
logged = dict(line.split() for line in read("prediction_log.txt").splitlines() if len(line.split()) == 2)
served = {}
for r in rows:
    if r["server"] == "on":
        served[r["deployment"]] = served.get(r["deployment"], 0) + r["requests"] * r["rows"]
p(f"| rows in the prediction log / rows served by the logging-on server | {int(logged.get('bench', 0)):,} / {served.get('bench', 0):,} "
  f"| {int(logged.get('bench-xgb', 0)):,} / {served.get('bench-xgb', 0):,} |")
rss = dict(line.split() for line in read("rss.txt").splitlines() if len(line.split()) == 2)
settle = read("settle.txt").strip().splitlines()
if settle:
    p(f"| servers still busy after a run (seconds before the next could start) | {'; '.join(settle)} | |")
stop = read("stop.txt").strip().splitlines()
if stop:
    p(f"| stopping the servers | {'; '.join(stop)} | |")
p(f"| peak RSS of the server, MB, logging on / off | {int(rss.get('on', 0)) / 1024:,.0f} / {int(rss.get('off', 0)) / 1024:,.0f} | |")
p("")

# flavors
p("| flavor (one-row, c64, logging off) | batching | requests/s | p50 / p99 ms | mean rows per call |")
p("| --- | --- | --- | --- | --- |")
batching = {}
for line in read("batching.txt").splitlines():
    parts = line.split(" ", 1)
    if len(parts) == 2:
        m = re.match(r"(\{.*\}|None|\?) (.*)", parts[1])
        batching[parts[0]] = (m.group(1), m.group(2)) if m else ("?", "?")
names = {"b1": "off (`--batch-rows 1`)", "b64": "default (64 rows, no wait)", "b64w2": "64 rows, `--batch-wait-ms 2`"}
for d in ("onnx-b1", "onnx-b64", "onnx-b64w2", "mlnet-b1", "mlnet-b64", "mlnet-b64w2"):
    flavor, kind = d.split("-")
    label = f"flavor-{d}"
    mean_rows = batching.get(d, ("?", "?"))[1]
    mean_rows = f"{float(mean_rows):.1f}" if re.match(r"^[0-9.]+$", mean_rows) else "– (no batcher)"
    p(f"| {'ONNX' if flavor == 'onnx' else 'ML.NET'} | {names[kind]} | {med(label, 'off'):,.0f} ({spread(label, 'off')}) "
      f"| {med(label, 'off', 'p50_ms'):.2f} / {med(label, 'off', 'p99_ms'):.2f} | {mean_rows} |")
p("")

# alias swap
swap = [r for r in rows if r["label"] == "swap"]
answers = re.findall(r"^ANSWERS (\d+) (\S+) (\d+)", read("swap-wrk.out"), re.M)
swaps = read("swaps.log").splitlines()
failed_swaps = [s for s in swaps if "FAILED" in s]
problems = [l for l in read("server-problems.txt").splitlines()]
if swap:
    s = swap[0]
    non200 = sum(int(n) for st, _, n in answers if st != "200")
    by_version = ", ".join(f"{v}: {int(n):,}" for st, v, n in sorted(answers, key=lambda a: a[1]) if st == "200")
    p(f"Alias swap ({len(swaps) - len(failed_swaps)} moves of `champion`, every 2 s, during a c64 run on the logging-on server): "
      f"{s['requests']:,} requests, {s['rps']:,.0f}/s, p99 {s['p99_ms']:.1f} ms; **failed requests: {s['errors']}** "
      f"(non-2xx {s['status_errors']}, answers other than 200 counted by the script: {non200}); 200s by version: {by_version}"
      + (f"; {len(failed_swaps)} alias moves failed" if failed_swaps else "") + ".")
p(f"Server log lines matching fail/error/exception/warn: {len(problems)}.")
for l in problems[:15]:
    p(f"    {l[:300]}")
p("")

# targets
one = max(med("one-kiln", "on"), med("one-xgb", "on"))
one_off = max(med("one-kiln", "off"), med("one-xgb", "off"))
rows_s = max(med("thousand-kiln", "on"), med("thousand-xgb", "on")) * 1000
rows_s_off = max(med("thousand-kiln", "off"), med("thousand-xgb", "off")) * 1000
p99h = min(med("half-kiln", "on", "p99_ms"), med("half-xgb", "on", "p99_ms"))
log_loss = max(1 - med(f"one-{m}", "on") / med(f"one-{m}", "off") for m in ("kiln", "xgb"))
ok = lambda b: "**met**" if b else "**not met**"
p("Targets (issue 16), best of the two Kiln models:")
p(f"- one-row ≥ 30,000 requests/s: {ok(one >= 30000)} ({one:,.0f} logging on; {one_off:,.0f} logging off)")
p(f"- one-row ≥ 6× Flask in the same run: {ok(one >= 6 * flask1)} ({ratio(one, flask1)} logging on, {ratio(one_off, flask1)} off; Flask {flask1:,.0f})")
p(f"- p99 ≤ 5 ms at half that load: {ok(p99h <= 5)} ({p99h:.2f} ms at half of the logging-on rate)")
rows_b = max(med("binary-kiln", "on"), med("binary-xgb", "on")) * 1000
rows_b_off = max(med("binary-kiln", "off"), med("binary-xgb", "off")) * 1000
p(f"- 1,000-row ≥ 2,500,000 rows/s: logging on {ok(max(rows_s, rows_b) >= 2_500_000)}, logging off {ok(max(rows_s_off, rows_b_off) >= 2_500_000)} "
  f"(MLflow JSON {rows_s:,.0f} logging on, {rows_s_off:,.0f} off; OIP binary tensors {rows_b:,.0f} logging on, {rows_b_off:,.0f} off)")
p(f"- prediction logging on vs off ≤ 10 % fewer requests/s: {ok(log_loss <= 0.10)} (worst model: {log_loss * 100:.0f} % fewer)")
if swap:
    p(f"- alias swap every 2 s under full load, 0 failed requests: {ok(swap[0]['errors'] == 0 and not failed_swaps)} ({swap[0]['errors']} failed)")
p("")
others = [r["other_cores"] for r in rows if r["rep"] > 0 and r["label"] != "swap"]
retried = sum(1 for r in rows if r["attempts"] > 1)
p(f"CPU taken by other processes during the measured runs: max {max(others):.2f} cores, median {statistics.median(others):.2f}; "
  f"{retried} run(s) retried because others took more than the limit.")
p(read("paced.txt").strip().replace("\n", "; "))
p("")
p("<details><summary>every run</summary>")
p("")
p("| run | server | rep | req/s | p50 ms | p99 ms | requests | errors | others (cores) | attempts |")
p("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    p(f"| {r['label']} | {r['server']} | {r['rep'] or 'warm-up'} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['requests']:,} | {r['errors']} | {r['other_cores']:.2f} | {r['attempts']} |")
p("")
p("</details>")
print("\n".join(out))
