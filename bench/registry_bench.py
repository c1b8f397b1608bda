#!/usr/bin/env python3
"""Model-registry benchmark: the same registry calls against Kiln's server and MLflow's, side by side.

Seeds each server identically over REST (one registered model with N versions whose sources are real runs holding a
tiny logged MLmodel, run ids spread over R runs, a tag on every 10th version, an alias), then times the calls MLflow's
client makes to resolve models:/NAME@ALIAS to files, three searches and a version get, interleaving the servers call
by call. Plain HTTP + JSON through one keep-alive requests.Session per server; nothing from MLflow is imported.

Usage: registry_bench.py --server LABEL=URL [--server LABEL=URL ...] [--versions 10000] [--runs 100] [--calls 200]
                         [--warmup 20] [--threads 4] [--json FILE]
The first --server is the numerator of the ratios (Kiln), the second the denominator (MLflow).
"""
import argparse
import concurrent.futures as futures
import json
import statistics
import sys
import threading
import time
import urllib.parse

import requests

MODEL = "loans"
ALIAS = "champion"
TAG_KEY, TAG_VALUE = "k", "v"
MLMODEL = "artifact_path: model\nflavors:\n  python_function:\n    loader_module: bench\nrun_id: {run}\n"


class Server:
    def __init__(self, label, url):
        self.label = label
        self.url = url.rstrip("/")
        self.api = self.url + "/api/2.0/mlflow/"
        self.proxy = self.url + "/api/2.0/mlflow-artifacts/artifacts/"
        self.session = requests.Session()
        self._local = threading.local()
        self.errors = []  # (what, status, body) of failed or retried calls

    def _seed_session(self):  # one keep-alive session per seeding thread
        s = getattr(self._local, "s", None)
        if s is None:
            s = self._local.s = requests.Session()
        return s

    def call(self, method, path, *, params=None, body=None, session=None, retries=3):
        """One API call; retries only 5xx and connection errors (a failed write did not happen), records every failure."""
        s = session or self.session
        for attempt in range(retries + 1):
            try:
                r = s.request(method, self.api + path, params=params, json=body, timeout=120)
            except requests.ConnectionError as e:
                self.errors.append((f"{method} {path}", "connection", str(e)[:200]))
                if attempt == retries:
                    raise
                time.sleep(0.2 * (attempt + 1))
                continue
            if r.status_code >= 500 and attempt < retries:
                self.errors.append((f"{method} {path}", r.status_code, r.text[:200]))
                time.sleep(0.2 * (attempt + 1))
                continue
            if r.status_code != 200:
                raise RuntimeError(f"{self.label}: {method} {path} {params or body} -> {r.status_code} {r.text[:300]}")
            return r.json() if r.content else {}

    @staticmethod
    def proxied(uri):
        """mlflow-artifacts:/1/<run>/artifacts/model -> 1/<run>/artifacts/model (the proxy's path)."""
        parsed = urllib.parse.urlparse(uri)
        if parsed.scheme != "mlflow-artifacts":
            raise RuntimeError(f"expected an mlflow-artifacts: URI, got {uri}")
        return parsed.path.lstrip("/")


def seed(server, versions, runs, threads):
    """Creates the experiment, the runs with their MLmodel, the model, the versions, the tags and the alias."""
    t0 = time.perf_counter()
    exp = server.call("POST", "experiments/create", body={"name": "registry-bench"})["experiment_id"]
    run_infos = []
    for i in range(runs):
        info = server.call("POST", "runs/create", body={"experiment_id": exp, "run_name": f"train-{i}",
                                                        "start_time": int(time.time() * 1000)})["run"]["info"]
        run_id = info["run_id"]
        path = server.proxied(info["artifact_uri"]) + "/model/MLmodel"
        r = server.session.put(server.proxy + path, data=MLMODEL.format(run=run_id).encode(), timeout=60)
        if r.status_code != 200:
            raise RuntimeError(f"{server.label}: upload {path} -> {r.status_code} {r.text[:200]}")
        run_infos.append((run_id, info["artifact_uri"].rstrip("/") + "/model"))
    t_runs = time.perf_counter()
    server.call("POST", "registered-models/create", body={"name": MODEL})

    def create(i):
        run_id, source = run_infos[i % runs]
        mv = server.call("POST", "model-versions/create", body={"name": MODEL, "source": source, "run_id": run_id},
                         session=server._seed_session())["model_version"]
        return int(mv["version"])

    with futures.ThreadPoolExecutor(threads) as pool:
        numbers = sorted(pool.map(create, range(versions)))
    if numbers != list(range(1, versions + 1)):
        raise RuntimeError(f"{server.label}: version numbers are not 1..{versions} (got {len(numbers)}, "
                           f"{len(set(numbers))} distinct, max {max(numbers)})")
    t_versions = time.perf_counter()

    def tag(n):
        server.call("POST", "model-versions/set-tag", body={"name": MODEL, "version": str(n), "key": TAG_KEY,
                                                            "value": TAG_VALUE}, session=server._seed_session())

    with futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(tag, range(10, versions + 1, 10)))
    t_tags = time.perf_counter()
    champion = str(versions * 7 // 10 + 7)  # 7007 of 10,000
    server.call("POST", "registered-models/alias", body={"name": MODEL, "alias": ALIAS, "version": champion})
    t_end = time.perf_counter()
    return {"experiment_id": exp, "run_ids": [r for r, _ in run_infos], "champion": champion,
            "seconds": {"runs_and_artifacts": t_runs - t0, "versions": t_versions - t_runs, "tags": t_tags - t_versions,
                        "total": t_end - t0}}


def measures(seeded, versions):
    """The timed operations: name -> function(server) returning the number of items (checked against the other server)."""
    probe_run = seeded["run_ids"][37]

    def get(server, path, params):
        t = time.perf_counter()
        r = server.session.get(server.api + path, params=params, timeout=120)
        dt = (time.perf_counter() - t) * 1000
        if r.status_code != 200:
            raise RuntimeError(f"{server.label}: GET {path} {params} -> {r.status_code} {r.text[:300]}")
        return dt, r.json() if r.content else {}

    def resolve(server):  # what MLflow's client does for models:/loans@champion before downloading
        dt1, a = get(server, "registered-models/alias", {"name": MODEL, "alias": ALIAS})
        version = a["model_version"]["version"]
        dt2, d = get(server, "model-versions/get-download-uri", {"name": MODEL, "version": version})
        return {"resolve: registered-models/alias": dt1, "resolve: model-versions/get-download-uri": dt2,
                "resolve: alias + download-uri (pair)": dt1 + dt2}, (version, d["artifact_uri"])

    def files(server, uri):  # then the client lists the folder and downloads the file (the proxy)
        path = Server.proxied(uri)
        t = time.perf_counter()
        listing = server.session.get(server.proxy.rstrip("/"), params={"path": path}, timeout=60)
        body = server.session.get(server.proxy + path + "/MLmodel", timeout=60)
        dt = (time.perf_counter() - t) * 1000
        if listing.status_code != 200 or body.status_code != 200 or b"artifact_path: model" not in body.content:
            raise RuntimeError(f"{server.label}: files of {uri}: {listing.status_code} {body.status_code}")
        return dt, sorted(f["path"].rsplit("/", 1)[-1] for f in listing.json().get("files", []))

    def search_versions(filter_):
        def run(server):
            dt, j = get(server, "model-versions/search", {"filter": filter_, "max_results": 1000})
            return dt, (len(j.get("model_versions", [])), "next_page_token" in j)
        return run

    def search_models(server):
        dt, j = get(server, "registered-models/search", {"filter": "name LIKE 'lo%'", "max_results": 100})
        return dt, [m["name"] for m in j.get("registered_models", [])]

    def version_get(server):
        dt, j = get(server, "model-versions/get", {"name": MODEL, "version": str(versions // 2)})
        mv = j["model_version"]
        return dt, (mv["version"], sorted((t["key"], t["value"]) for t in mv.get("tags", [])))

    def health(server):
        t = time.perf_counter()
        r = server.session.get(server.url + "/health", timeout=60)
        dt = (time.perf_counter() - t) * 1000
        if r.status_code != 200:
            raise RuntimeError(f"{server.label}: /health -> {r.status_code}")
        return dt, None

    return [
        ("resolve", resolve),
        ("files", files),
        (f"search versions: name='{MODEL}' AND tags.{TAG_KEY}='{TAG_VALUE}' (1,000 hits)",
         search_versions(f"name='{MODEL}' AND tags.{TAG_KEY}='{TAG_VALUE}'")),
        (f"search versions: run_id='<one run>' (100 hits)", search_versions(f"run_id='{probe_run}'")),
        ("search models: name LIKE 'lo%'", search_models),
        (f"model-versions/get version {versions // 2}", version_get),
        ("GET /health (client + loopback floor)", health),
    ]


def pct(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", action="append", required=True, help="LABEL=URL; first is the ratio's numerator")
    ap.add_argument("--versions", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--calls", type=int, default=200, help="measured rounds (each makes every call once per server)")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--threads", type=int, default=4, help="seeding thread pool")
    ap.add_argument("--json", help="write raw timings and summaries here")
    a = ap.parse_args()
    servers = [Server(*s.split("=", 1)) for s in a.server]

    seeded = {}
    for s in servers:  # one after the other, so each seed time is the server's alone
        print(f"seeding {s.label}: {a.versions} versions over {a.runs} runs, {a.threads} threads ...", file=sys.stderr, flush=True)
        seeded[s.label] = seed(s, a.versions, a.runs, a.threads)
        sec = seeded[s.label]["seconds"]
        print(f"  {s.label}: {sec['total']:.1f} s (runs + MLmodel {sec['runs_and_artifacts']:.1f} s, versions "
              f"{sec['versions']:.1f} s = {a.versions / sec['versions']:.0f}/s, tags {sec['tags']:.1f} s)",
              file=sys.stderr, flush=True)

    ops = {s.label: measures(seeded[s.label], a.versions) for s in servers}
    names = [n for n, _ in ops[servers[0].label]]
    timings = {s.label: {} for s in servers}
    answers = {s.label: {} for s in servers}
    wall = {s.label: 0.0 for s in servers}
    started = time.time()
    for rnd in range(a.warmup + a.calls):
        order = servers if rnd % 2 == 0 else servers[::-1]  # who goes first alternates
        for i, name in enumerate(names):
            for s in order:
                fn = ops[s.label][i][1]
                t = time.perf_counter()
                if name == "resolve":
                    dts, result = fn(s)
                    answers[s.label]["resolve"] = result[0]
                    answers[s.label]["_uri"] = result[1]
                else:
                    dt, result = fn(s, answers[s.label]["_uri"]) if name == "files" else fn(s)
                    dts = {("files: list model/ + download MLmodel (proxy)" if name == "files" else name): dt}
                    answers[s.label][name] = result
                wall[s.label] += time.perf_counter() - t
                if rnd >= a.warmup:
                    for k, v in dts.items():
                        timings[s.label].setdefault(k, []).append(v)
        if rnd == a.warmup - 1:
            print(f"warm-up done ({a.warmup} rounds); measuring {a.calls} rounds ...", file=sys.stderr, flush=True)
        elif rnd >= a.warmup and (rnd - a.warmup + 1) % 50 == 0:
            print(f"  {rnd - a.warmup + 1} rounds, {time.time() - started:.0f} s", file=sys.stderr, flush=True)

    # Both servers must have answered the same thing (same hits, same tags, same alias target).
    mismatch = []
    if len(servers) > 1:
        ref = answers[servers[1].label]
        for k, v in answers[servers[0].label].items():
            if k != "_uri" and ref.get(k) != v:
                mismatch.append(f"{k}: {servers[0].label} {v!r} vs {servers[1].label} {ref.get(k)!r}")

    keys = list(timings[servers[0].label])
    rows = []
    for k in keys:
        row = {"measure": k}
        for s in servers:
            v = timings[s.label][k]
            row[s.label] = {"p50": statistics.median(v), "p95": pct(v, 95), "max": max(v), "n": len(v)}
        rows.append(row)

    labels = [s.label for s in servers]
    head = "| measure | " + " | ".join(f"{l} p50 / p95 ms" for l in labels)
    if len(labels) > 1:
        head += f" | {labels[0]} ÷ {labels[1]} (p50) |"
    print(head)
    print("|" + " --- |" * (len(labels) + 1 + (len(labels) > 1)))
    for row in rows:
        cells = [f"{row[l]['p50']:.2f} / {row[l]['p95']:.2f}" for l in labels]
        line = f"| {row['measure']} | " + " | ".join(cells)
        if len(labels) > 1:
            line += f" | {row[labels[0]]['p50'] / row[labels[1]]['p50']:.3f} |"
        print(line)
    for s in servers:
        sec = seeded[s.label]["seconds"]
        print(f"\nseed {s.label}: {sec['total']:.1f} s in all; {a.runs} runs + MLmodel {sec['runs_and_artifacts']:.1f} s; "
              f"{a.versions} versions {sec['versions']:.1f} s ({a.versions / sec['versions']:.0f}/s, {a.threads} threads); "
              f"{a.versions // 10} tags {sec['tags']:.1f} s; measured rounds {wall[s.label]:.1f} s of client time; "
              f"retried/failed calls: {len(s.errors)}")
        for e in s.errors[:5]:
            print(f"  {e}")
    print(f"\nanswers: {'identical on both servers' if not mismatch else 'DIFFER: ' + '; '.join(mismatch)}")
    print("per-server answers: " + json.dumps({l: {k: v for k, v in answers[l].items()} for l in labels}, default=str)[:1500])
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"args": vars(a), "seed": seeded, "rows": rows, "raw": timings, "mismatch": mismatch,
                       "errors": {s.label: s.errors for s in servers}}, f, indent=1, default=str)
    return 1 if mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
