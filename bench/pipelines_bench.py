"""Drives bench/pipelines.sh: writes the pipelines and Makefiles, times ./kiln and make, prints medians and ratios."""
import json, os, shutil, statistics, subprocess, sys, time

work, reps, pg = sys.argv[1], int(sys.argv[2]), sys.argv[3]
kiln = os.path.abspath("kiln")
home = os.path.join(work, "home")
env = dict(os.environ, KILN_HOME=home, KILN_NO_BUILD="1")


def run(args, cwd=work, extra=None):
    start = time.perf_counter()
    p = subprocess.run(args, cwd=cwd, env=dict(env, **(extra or {})), capture_output=True, text=True)
    took = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return took, p.stdout


def last_id(store_args=(), extra=None):
    _, out = run([kiln, "pipeline", "list", "--max", "1", "-o", "json", *store_args], extra=extra)
    return json.loads(out)[0]["run"]


def last_run(store_args=(), extra=None):
    run_id = last_id(store_args, extra)
    _, out = run([kiln, "pipeline", "status", run_id, "-o", "json", *store_args], extra=extra)
    r = json.loads(out)["run"]
    return run_id, (r["finished_at"] - r["started_at"]) / 1000


def write(name, text):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


seq = write("seq10.yaml", "name: seq10\nsteps:\n" + "".join(
    f"  s{i}: {{run: 'true'{', needs: s' + str(i - 1) if i else ''}}}\n" for i in range(10)))
dag = write("dag1000.yaml", "name: dag1000\nsteps:\n" + "".join(
    f"  s{i}: {{run: 'true'{', needs: s' + str(i - 10) if i >= 10 else ''}}}\n" for i in range(1000)))
write("Makefile.seq", "".join(f"s{i}:{' s' + str(i - 1) if i else ''}\n\t@true\n.PHONY: s{i}\n" for i in range(10)) + "all: s9\n")
write("Makefile.dag", "".join(f"s{i}:{' s' + str(i - 10) if i >= 10 else ''}\n\t@true\n.PHONY: s{i}\n" for i in range(1000))
      + "all: " + " ".join(f"s{i}" for i in range(990, 1000)) + "\n")

results = {}


def measure(label, kiln_args, make_args=None, store_args=(), extra=None):
    walls, runs, makes = [], [], []
    for _ in range(reps):
        wall, _ = run(kiln_args, extra=extra)
        walls.append(wall)
        runs.append(last_run(store_args, extra)[1])
        if make_args:
            makes.append(run(make_args)[0])
    r = {"run_s": statistics.median(runs), "wall_s": statistics.median(walls)}
    if makes:
        r["make_s"] = statistics.median(makes)
    results[label] = r
    ratio = f"; make {r['make_s']:.3f} s (kiln/make {r['wall_s'] / r['make_s']:.1f}x wall)" if makes else ""
    print(f"{label}: run {r['run_s']:.3f} s, command wall {r['wall_s']:.3f} s{ratio}", flush=True)


measure("10 sequential no-op steps", [kiln, "pipeline", "run", seq, "--force"], ["make", "-s", "-f", "Makefile.seq", "all"])
measure("1,000-step no-op DAG, embedded worker (8 slots)", [kiln, "pipeline", "run", dag, "--force", "--slots", "8"], ["make", "-s", "-j8", "-f", "Makefile.dag", "all"])

# Three kiln worker processes on PostgreSQL (4 slots each); the run is queued detached and followed in the store.
import re
conn = dict(kv.split("=", 1) for kv in pg.split(";") if kv)
db = f"kiln_bench_pipelines_{os.getpid()}"
subprocess.run(["psql", "-h", conn["Host"], "-p", conn["Port"], "-U", conn["Username"], "-d", "postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
store = ["--store", f"postgresql://{conn['Username']}@{conn['Host']}:{conn['Port']}/{db}", "--artifacts", os.path.join(work, "pg-artifacts")]
workers = [subprocess.Popen([kiln, "worker", "--slots", "4", *store], cwd=work, env=dict(env, KILN_WORKER_POLL_MS="50"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(3)]
try:
    time.sleep(2)
    runs = []
    for _ in range(reps):
        run([kiln, "pipeline", "run", dag, "--force", "--detach", *store])
        run_id = last_id(store)
        while True:
            _, out = run([kiln, "pipeline", "status", run_id, "-o", "json", *store])
            r = json.loads(out)["run"]
            if r["finished_at"]:
                runs.append((r["finished_at"] - r["started_at"]) / 1000)
                break
            time.sleep(0.5)
    results["1,000-step no-op DAG, 3 kiln workers on PostgreSQL"] = {"run_s": statistics.median(runs)}
    print(f"1,000-step no-op DAG, 3 kiln worker processes (4 slots each) on PostgreSQL: run {statistics.median(runs):.3f} s", flush=True)
finally:
    for w in workers:
        w.kill()
    for w in workers:
        w.wait()

# The loan example: one real run, then cache-hit re-runs.
example = os.path.join(work, "loan")
shutil.copytree("examples/loan-approval", example)
run([kiln, "example", "loan-data", "--rows", "20000", "--seed", "1", "-o", "data/applicants.csv"], cwd=example)
run([kiln, "example", "loan-data", "--rows", "5000", "--seed", "2", "-o", "data/holdout.csv"], cwd=example)
first, _ = run([kiln, "pipeline", "run", "retrain-loan"], cwd=example)
print(f"loan example, first run (trains three models): command wall {first:.2f} s", flush=True)
walls, runs = [], []
for _ in range(reps):
    walls.append(run([kiln, "pipeline", "run", "retrain-loan"], cwd=example)[0])
    _, out = run([kiln, "pipeline", "list", "--max", "1", "-o", "json"], cwd=example)
    rid = json.loads(out)[0]["run"]
    _, out = run([kiln, "pipeline", "status", rid, "-o", "json"], cwd=example)
    d = json.loads(out)
    assert all(s["status"] == "cached" for s in d["steps"]), d["steps"]
    runs.append((d["run"]["finished_at"] - d["run"]["started_at"]) / 1000)
results["loan example, cache-hit re-run"] = {"run_s": statistics.median(runs), "wall_s": statistics.median(walls)}
print(f"loan example, cache-hit re-run (10 of 10 cached): run {statistics.median(runs):.3f} s, command wall {statistics.median(walls):.3f} s", flush=True)
json.dump(results, open(os.path.join(work, "results.json"), "w"), indent=1)
