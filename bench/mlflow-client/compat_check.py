#!/usr/bin/env python3
"""Kiln <-> MLflow client compatibility check.

Drives a tracking server and its model registry through MLflow's own Python client
(mlflow.*, MlflowClient) and checks the answers against the behaviour of MLflow's reference
server. Every check prints PASS/FAIL with a short name; the last line is a summary; the exit
code is non-zero if any check failed.

    PYTHONPATH=/work/scratch/mlflow-client /usr/bin/python3 compat_check.py \
        http://127.0.0.1:5000 [--dump out.json]

--dump writes normalised results (run names returned by each search, error codes, artifact
listings, ...) with no ids, times or random suffixes, so the dumps of two servers can be
diffed directly (see reference_dump.json, produced against MLflow's own server).

This is a manual check (it needs MLflow's client, which CI cannot fetch); see README.md.
"""

import argparse
import json
import logging
import math
import os
import sys
import tempfile
import time
import traceback
import uuid
import warnings

# Fail fast instead of retrying with exponential back-off when a server answers 5xx.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")

try:
    import mlflow
    from mlflow import MlflowClient
    from mlflow.entities import (
        Dataset,
        DatasetInput,
        InputTag,
        Metric,
        Param,
        RunTag,
        ViewType,
    )
    from mlflow.exceptions import MlflowException
    from mlflow.utils.rest_utils import MlflowHostCreds, http_request
except ImportError as exc:  # pragma: no cover - environment problem, not a check failure
    sys.stderr.write(
        f"cannot import mlflow ({exc}); run with PYTHONPATH=<scratch mlflow source> "
        "/usr/bin/python3 (see README.md)\n"
    )
    sys.exit(2)

try:
    import numpy as np
except ImportError:  # numpy is optional: datasets then use a metadata-only dataset
    np = None

BASE_TIME = 1_700_000_000_000  # fixed start times keep default ordering deterministic
FLOAT_MAX = sys.float_info.max


class CheckFailed(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise CheckFailed(msg)


def expect_eq(actual, expected, what):
    if actual != expected:
        raise CheckFailed(f"{what}: expected {expected!r}, got {actual!r}")


def error_code_of(fn):
    """Run fn; return the MLflow error code it raised, or 'NO_ERROR'."""
    try:
        fn()
    except MlflowException as exc:
        return exc.error_code
    return "NO_ERROR"


def expect_error(fn, code, what="error code"):
    got = error_code_of(fn)
    expect_eq(got, code, what)
    return got


def expect_error_in(fn, codes, what="error code"):
    """Like expect_error, for cases where MLflow's reference answer is a known quirk and a
    stricter answer is also acceptable. Returns the code seen, so dumps show the difference."""
    got = error_code_of(fn)
    expect(got in codes, f"{what}: expected one of {sorted(codes)}, got {got!r}")
    return got


def norm_float(v):
    """Map a metric value to something JSON- and diff-friendly.

    MLflow's SQL store clamps +/-inf to +/-DBL_MAX; its file store keeps inf. Both are
    accepted, and both normalise to '+inf'/'-inf'."""
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if v >= FLOAT_MAX:
            return "+inf"
        if v <= -FLOAT_MAX:
            return "-inf"
    return v


class Checker:
    def __init__(self):
        self.results = {}
        self.order = []

    def run(self, name, fn):
        try:
            out = fn()
            status, detail = "PASS", ""
        except CheckFailed as exc:
            out, status, detail = None, "FAIL", str(exc)
        except MlflowException as exc:
            out, status, detail = None, "FAIL", f"{exc.error_code}: {str(exc.message)[:300]}"
        except Exception as exc:  # noqa: BLE001 - any crash is a failed check
            out, status = None, "FAIL"
            detail = f"{type(exc).__name__}: {str(exc)[:300]}"
            if os.environ.get("COMPAT_TRACEBACK"):
                traceback.print_exc()
        self.order.append(name)
        self.results[name] = {"status": status, "result": out}
        line = f"{status} {name}"
        if detail:
            line += f" -- {detail}"
        print(line, flush=True)
        return out

    def summary(self):
        failed = [n for n in self.order if self.results[n]["status"] == "FAIL"]
        return len(self.order), failed


class Compat:
    def __init__(self, uri, checker):
        self.uri = uri.rstrip("/")
        self.c = checker
        self.suffix = uuid.uuid4().hex[:10]
        self.prefix = f"kiln-compat-{self.suffix}"
        mlflow.set_tracking_uri(self.uri)
        self.client = MlflowClient(tracking_uri=self.uri)
        self.creds = MlflowHostCreds(self.uri)
        self.names = {}  # run_id -> run name, for normalising search results
        self.ids = {}  # fixture run name -> run_id
        self.search_exp = "0"  # replaced by the fixture experiment's id
        self.tmp = tempfile.mkdtemp(prefix="kiln-compat-")
        self.reg_runs = {}  # run_id -> label, for normalising registry URIs
        self.reg_exps = []  # experiment ids whose URIs are normalised

    # ---- helpers -------------------------------------------------------------------------

    def ename(self, short):
        return f"{self.prefix}-{short}"

    def strip(self, name):
        return name.replace(self.prefix, "<P>") if isinstance(name, str) else name

    def run_names(self, runs):
        return [self.names.get(r.info.run_id, r.info.run_name) for r in runs]

    def search(self, exp_ids, filter_string="", order_by=None, max_results=1000,
               view=ViewType.ACTIVE_ONLY, page_token=None):
        return self.client.search_runs(
            exp_ids, filter_string=filter_string, run_view_type=view,
            max_results=max_results, order_by=order_by, page_token=page_token)

    def all_pages(self, fetch):
        """Follow page tokens; returns list of pages (each a list) and the number of calls."""
        pages, token, calls = [], None, 0
        while True:
            page = fetch(token)
            calls += 1
            pages.append(page)
            token = page.token
            if not token:
                break
            expect(calls < 50, "pagination does not terminate")
        return pages

    def raw(self, method, endpoint, **kwargs):
        resp = http_request(self.creds, endpoint, method, max_retries=0, raise_on_status=False,
                            **kwargs)
        try:
            body = json.loads(resp.text) if resp.text else {}
        except ValueError:
            body = {"<non-json>": resp.text[:200]}
        return resp.status_code, body

    # ---- experiments ---------------------------------------------------------------------

    def experiments_crud(self):
        c, cl = self.c, self.client
        st = {}

        def create():
            eid = cl.create_experiment(self.ename("crud"), tags={"k": "v"})
            expect(isinstance(eid, str) and eid, f"experiment id must be a non-empty str: {eid!r}")
            st["id"] = eid
            return "ok"
        c.run("exp.create", create)

        def get():
            e = cl.get_experiment(st["id"])
            expect_eq(e.name, self.ename("crud"), "name")
            expect_eq(e.lifecycle_stage, "active", "lifecycle_stage")
            expect_eq(e.tags.get("k"), "v", "tag k")
            expect(e.artifact_location, "artifact_location should be set")
            expect(e.creation_time and e.last_update_time, "creation/last_update time set")
            return {"name": self.strip(e.name), "lifecycle_stage": e.lifecycle_stage,
                    "tags": {k: v for k, v in e.tags.items()}}
        c.run("exp.get", get)

        def by_name():
            e = cl.get_experiment_by_name(self.ename("crud"))
            expect(e is not None, "experiment not found by name")
            expect_eq(e.experiment_id, st["id"], "id")
            return "ok"
        c.run("exp.get_by_name", by_name)

        c.run("exp.get_by_name.missing", lambda: expect_eq(
            cl.get_experiment_by_name(self.ename("no-such-experiment")), None, "result") or "None")
        c.run("exp.get.missing", lambda: expect_error(
            lambda: cl.get_experiment("987654321"), "RESOURCE_DOES_NOT_EXIST"))
        c.run("exp.create.duplicate", lambda: expect_error(
            lambda: cl.create_experiment(self.ename("crud")), "RESOURCE_ALREADY_EXISTS"))

        def set_tag():
            cl.set_experiment_tag(st["id"], "k2", "v2")
            cl.set_experiment_tag(st["id"], "k", "v-overwritten")
            tags = cl.get_experiment(st["id"]).tags
            expect_eq(tags.get("k2"), "v2", "new tag")
            expect_eq(tags.get("k"), "v-overwritten", "overwritten tag")
            return {"k": tags.get("k"), "k2": tags.get("k2")}
        c.run("exp.set_tag", set_tag)

        def rename():
            cl.rename_experiment(st["id"], self.ename("crud-renamed"))
            e = cl.get_experiment(st["id"])
            expect_eq(e.name, self.ename("crud-renamed"), "renamed")
            expect_eq(cl.get_experiment_by_name(self.ename("crud")), None, "old name lookup")
            expect_eq(cl.get_experiment_by_name(self.ename("crud-renamed")).experiment_id,
                      st["id"], "new name lookup")
            return self.strip(e.name)
        c.run("exp.rename", rename)

        def rename_clash():
            other = cl.create_experiment(self.ename("crud-other"))
            code = error_code_of(lambda: cl.rename_experiment(other, self.ename("crud-renamed")))
            expect(code != "NO_ERROR", "renaming onto an existing name succeeded")
            return code
        c.run("exp.rename.to_existing_name", rename_clash)

        def delete():
            cl.delete_experiment(st["id"])
            e = cl.get_experiment(st["id"])
            expect_eq(e.lifecycle_stage, "deleted", "lifecycle_stage after delete")
            by_name = cl.get_experiment_by_name(self.ename("crud-renamed"))
            expect(by_name is not None and by_name.lifecycle_stage == "deleted",
                   "deleted experiment still found by name, as deleted")
            return e.lifecycle_stage
        c.run("exp.delete", delete)

        c.run("exp.create.name_of_deleted", lambda: expect_error(
            lambda: cl.create_experiment(self.ename("crud-renamed")), "RESOURCE_ALREADY_EXISTS"))
        c.run("exp.create_run.in_deleted", lambda: expect_error(
            lambda: cl.create_run(st["id"]), "INVALID_PARAMETER_VALUE"))

        def restore():
            cl.restore_experiment(st["id"])
            e = cl.get_experiment(st["id"])
            expect_eq(e.lifecycle_stage, "active", "lifecycle_stage after restore")
            return e.lifecycle_stage
        c.run("exp.restore", restore)

        c.run("exp.delete.missing", lambda: expect_error(
            lambda: cl.delete_experiment("987654321"), "RESOURCE_DOES_NOT_EXIST"))

    def experiments_search(self):
        c, cl = self.c, self.client
        q = f"{self.prefix}-x-"
        short = ["alpha", "beta", "Gamma", "delta"]
        groups = {"alpha": "g1", "beta": "g2", "Gamma": "g1", "delta": "g2"}
        ids, ctimes = {}, {}

        def setup():
            for s in short:
                ids[s] = cl.create_experiment(q + s, tags={"group": groups[s]})
                ctimes[s] = cl.get_experiment(ids[s]).creation_time
                time.sleep(0.02)  # strictly increasing creation_time
            expect(len(set(ctimes.values())) == 4, "creation times should differ")
            return "ok"
        c.run("exp_search.setup", setup)

        def names(exps):
            return [e.name[len(q):] if e.name.startswith(q) else self.strip(e.name) for e in exps]

        like = f"name LIKE '{q}%'"
        cases = [
            ("like.name_asc", like, ["name ASC"], ["Gamma", "alpha", "beta", "delta"]),
            ("like.name_desc", like, ["name DESC"], ["delta", "beta", "alpha", "Gamma"]),
            ("like.default_order", like, None, ["delta", "Gamma", "beta", "alpha"]),
            ("like.creation_time_asc", like, ["creation_time ASC"],
             ["alpha", "beta", "Gamma", "delta"]),
            ("eq", f"name = '{q}beta'", None, ["beta"]),
            ("neq", f"{like} AND name != '{q}beta'", ["name ASC"], ["Gamma", "alpha", "delta"]),
            ("like.case_sensitive", f"name LIKE '{q}gamma'", None, []),
            ("ilike", f"name ILIKE '{q}GAMMA'", None, ["Gamma"]),
            ("tag.eq", f"{like} AND tags.group = 'g1'", ["name ASC"], ["Gamma", "alpha"]),
            ("tag.backtick", f"{like} AND tags.`group` = 'g2'", ["name ASC"], ["beta", "delta"]),
            ("tag.like", f"{like} AND tags.group LIKE 'g%'", ["name ASC"],
             ["Gamma", "alpha", "beta", "delta"]),
            ("attr.name", f"attribute.name = '{q}alpha'", None, ["alpha"]),
        ]
        for cname, flt, order, expected in cases:
            def fn(flt=flt, order=order, expected=expected):
                got = names(cl.search_experiments(filter_string=flt, order_by=order))
                expect_eq(got, expected, "experiments")
                return got
            c.run(f"exp_search.{cname}", fn)

        def ctime():
            flt = f"{like} AND creation_time > {ctimes['alpha']}"
            got = names(cl.search_experiments(filter_string=flt, order_by=["name ASC"]))
            expect_eq(got, ["Gamma", "beta", "delta"], "experiments")
            return got
        c.run("exp_search.creation_time_gt", ctime)

        def paginate():
            pages = self.all_pages(lambda tok: cl.search_experiments(
                filter_string=like, order_by=["name ASC"], max_results=3, page_token=tok))
            got = [names(p) for p in pages]
            flat = [n for p in got for n in p]
            expect_eq(flat, ["Gamma", "alpha", "beta", "delta"], "all pages")
            expect_eq(got[0], ["Gamma", "alpha", "beta"], "first page")
            return got
        c.run("exp_search.pagination", paginate)

        def view_types():
            cl.delete_experiment(ids["delta"])
            act = names(cl.search_experiments(filter_string=like, order_by=["name ASC"]))
            dele = names(cl.search_experiments(view_type=ViewType.DELETED_ONLY,
                                               filter_string=like, order_by=["name ASC"]))
            alls = names(cl.search_experiments(view_type=ViewType.ALL,
                                               filter_string=like, order_by=["name ASC"]))
            cl.restore_experiment(ids["delta"])
            expect_eq(act, ["Gamma", "alpha", "beta"], "ACTIVE_ONLY")
            expect_eq(dele, ["delta"], "DELETED_ONLY")
            expect_eq(alls, ["Gamma", "alpha", "beta", "delta"], "ALL")
            return {"active": act, "deleted": dele, "all": alls}
        c.run("exp_search.view_type", view_types)

        # MLflow answers HTTP 500 INTERNAL_ERROR for an unknown comparator in an experiment
        # filter (its search_experiments parser raises without an error code); 400
        # INVALID_PARAMETER_VALUE is the better answer and is accepted too.
        def bad_comparator():
            code = expect_error_in(lambda: cl.search_experiments(filter_string="name >>> 'x'"),
                                   {"INVALID_PARAMETER_VALUE", "INTERNAL_ERROR"})
            status, body = self.raw("POST", "/api/2.0/mlflow/experiments/search",
                                    json={"max_results": 10, "filter": "name >>> 'x'"})
            expect(body.get("error_code") == code and str(body.get("message", "")),
                   f"server's own JSON error expected, got HTTP {status} {body}")
            expect_eq(status, {"INVALID_PARAMETER_VALUE": 400, "INTERNAL_ERROR": 500}[code],
                      "HTTP status")
            return [status, code]
        c.run("exp_search.error.bad_comparator", bad_comparator)
        for cname, flt, order in [
            ("bad_attribute", "nonexistent = 'x'", None),
            ("unquoted_value", "name = alpha", None),
            ("bad_order_by", like, ["name SIDEWAYS"]),
            ("bad_order_key", like, ["color ASC"]),
        ]:
            c.run(f"exp_search.error.{cname}", lambda flt=flt, order=order: expect_error(
                lambda: cl.search_experiments(filter_string=flt, order_by=order),
                "INVALID_PARAMETER_VALUE"))

    # ---- runs: fixture and search ---------------------------------------------------------

    FIXTURE = [
        # name, params, tags, final status
        ("run-0", {"model": "linear", "lr": "0.1"}, {"team": "alpha", "my key": "x"}, "FINISHED"),
        ("run-1", {"model": "tree", "lr": "0.01"}, {"team": "beta"}, "FINISHED"),
        ("run-2", {"model": "Forest", "lr": "0.1"}, {"team": "Alpha"}, "FAILED"),
        ("run-3", {"model": "linear", "lr": "0.001"}, {"team": "gamma", "my key": "y"}, "FINISHED"),
        ("run-4", {"model": "tree-deep"}, {}, "KILLED"),
        ("run-5", {"model": "forest"}, {}, None),  # left RUNNING
    ]
    # (key, value, step, timestamp offset); the latest value is the one at the highest step
    FIXTURE_METRICS = {
        "run-0": [("acc", 0.5, 0, 1), ("loss", 1.0, 0, 1), ("val-acc", 0.4, 0, 1)],
        "run-1": [("acc", 0.1, 0, 1), ("acc", 0.5, 1, 2), ("acc", 0.7, 2, 3),
                  ("loss", 0.8, 0, 1), ("val-acc", 0.6, 0, 1)],
        "run-2": [("acc", 0.9, 0, 1), ("loss", 0.3, 0, 1)],
        "run-3": [("acc", 0.7, 5, 1), ("acc", 0.99, 2, 2), ("loss", 0.6, 0, 1)],
        "run-4": [("acc", 0.95, 0, 1), ("loss", 0.2, 0, 1)],
        "run-5": [("loss", 0.9, 0, 1)],
    }

    def runs_fixture(self):
        c, cl = self.c, self.client

        def setup():
            self.search_exp = cl.create_experiment(self.ename("search"))
            for i, (name, params, tags, status) in enumerate(self.FIXTURE):
                start = BASE_TIME + i * 1000
                run = cl.create_run(self.search_exp, start_time=start, run_name=name,
                                    tags={"fixture": "yes"})
                rid = run.info.run_id
                self.ids[name] = rid
                self.names[rid] = name
                mets = self.FIXTURE_METRICS[name]
                if i < 2:  # one call per value
                    for k, v in params.items():
                        cl.log_param(rid, k, v)
                    for k, v in tags.items():
                        cl.set_tag(rid, k, v)
                    for k, v, step, ts in mets:
                        cl.log_metric(rid, k, v, timestamp=start + ts, step=step)
                else:  # one batch
                    cl.log_batch(
                        rid,
                        metrics=[Metric(k, v, start + ts, step) for k, v, step, ts in mets],
                        params=[Param(k, v) for k, v in params.items()],
                        tags=[RunTag(k, v) for k, v in tags.items()])
                if status:
                    cl.set_terminated(rid, status=status, end_time=start + 500)
            cl.set_tag(self.ids["run-0"], "to-delete", "1")
            cl.delete_tag(self.ids["run-0"], "to-delete")
            ds = Dataset(name="ds-train", digest="d1g35t00", source_type="http",
                         source='{"url": "http://example.invalid/train.csv"}')
            cl.log_inputs(self.ids["run-0"], [DatasetInput(
                ds, tags=[InputTag("mlflow.data.context", "training")])])
            return "ok"
        c.run("runs.fixture", setup)

        def get_run():
            r = cl.get_run(self.ids["run-3"])
            expect_eq(r.info.run_name, "run-3", "run_name")
            expect_eq(r.info.status, "FINISHED", "status")
            expect_eq(r.info.start_time, BASE_TIME + 3000, "start_time")
            expect_eq(r.info.end_time, BASE_TIME + 3500, "end_time")
            expect_eq(r.info.lifecycle_stage, "active", "lifecycle_stage")
            expect_eq(r.info.experiment_id, self.search_exp, "experiment_id")
            expect_eq(r.data.params, {"model": "linear", "lr": "0.001"}, "params")
            expect_eq(r.data.metrics, {"acc": 0.7, "loss": 0.6}, "latest metrics")
            tags = {k: v for k, v in r.data.tags.items()}
            expect_eq(tags.get("mlflow.runName"), "run-3", "mlflow.runName tag")
            expect_eq(tags.get("team"), "gamma", "team tag")
            return {"status": r.info.status, "params": dict(sorted(r.data.params.items())),
                    "metrics": dict(sorted(r.data.metrics.items())),
                    "tags": dict(sorted(tags.items()))}
        c.run("runs.get", get_run)

        def deleted_tag():
            tags = cl.get_run(self.ids["run-0"]).data.tags
            expect("to-delete" not in tags, "deleted tag still present")
            return sorted(tags)
        c.run("runs.delete_tag", deleted_tag)

        def running():
            r = cl.get_run(self.ids["run-5"])
            expect_eq(r.info.status, "RUNNING", "status")
            expect_eq(r.info.end_time, None, "end_time")
            return r.info.status
        c.run("runs.running_has_no_end_time", running)

        def inputs():
            r = cl.get_run(self.ids["run-0"])
            dis = r.inputs.dataset_inputs
            expect_eq(len(dis), 1, "dataset inputs")
            d = dis[0]
            out = {"name": d.dataset.name, "digest": d.dataset.digest,
                   "source_type": d.dataset.source_type, "source": d.dataset.source,
                   "tags": {t.key: t.value for t in d.tags}}
            expect_eq(out, {"name": "ds-train", "digest": "d1g35t00", "source_type": "http",
                            "source": '{"url": "http://example.invalid/train.csv"}',
                            "tags": {"mlflow.data.context": "training"}}, "dataset input")
            return out
        c.run("runs.log_inputs", inputs)

        def history():
            h = cl.get_metric_history(self.ids["run-1"], "acc")
            got = sorted((m.step, m.value, m.timestamp - (BASE_TIME + 1000)) for m in h)
            expect_eq(got, [(0, 0.1, 1), (1, 0.5, 2), (2, 0.7, 3)], "history")
            h3 = cl.get_metric_history(self.ids["run-3"], "acc")
            got3 = sorted((m.step, m.value) for m in h3)
            expect_eq(got3, [(2, 0.99), (5, 0.7)], "history run-3")
            return {"run-1": got, "run-3": got3}
        c.run("runs.metric_history", history)

        c.run("runs.metric_history.unknown_key", lambda: expect_eq(
            cl.get_metric_history(self.ids["run-1"], "no-such-metric"), [], "history") or [])

    def runs_search(self):
        c = self.c
        ids = {n: self.ids.get(n, "0" * 32) for n, *_ in self.FIXTURE}
        R = lambda *ns: [f"run-{n}" for n in ns]  # noqa: E731
        in_list = f"('{ids['run-1']}', '{ids['run-3']}')"
        not_in = f"('{ids['run-0']}', '{ids['run-5']}')"
        cases = [
            # filter, order_by, expected run names in returned order
            ("all", "", None, R(5, 4, 3, 2, 1, 0)),
            ("metric.eq", "metrics.acc = 0.7", None, R(3, 1)),
            ("metric.neq", "metrics.acc != 0.7", None, R(4, 2, 0)),
            ("metric.lt", "metrics.acc < 0.7", None, R(0)),
            ("metric.le", "metrics.acc <= 0.7", None, R(3, 1, 0)),
            ("metric.gt", "metrics.acc > 0.7", None, R(4, 2)),
            ("metric.ge", "metrics.acc >= 0.9", None, R(4, 2)),
            ("metric.latest_step_only", "metrics.acc > 0.98", None, []),
            ("metric.int_literal", "metrics.loss >= 1", None, R(0)),
            ("metric.singular_ident", "metric.loss < 0.5", None, R(4, 2)),
            ("metric.backtick", "metrics.`val-acc` > 0.5", None, R(1)),
            ("param.eq", "params.model = 'linear'", None, R(3, 0)),
            ("param.eq.double_quotes", 'params.model = "linear"', None, R(3, 0)),
            ("param.neq", "params.model != 'linear'", None, R(5, 4, 2, 1)),
            ("param.neq.missing_excluded", "params.lr != '0.1'", None, R(3, 1)),
            ("param.like.prefix", "params.model LIKE 'tree%'", None, R(4, 1)),
            ("param.like.suffix", "params.model LIKE '%orest'", None, R(5, 2)),
            ("param.like.case_sensitive", "params.model LIKE 'forest'", None, R(5)),
            ("param.like.underscore", "params.model LIKE 'tre_'", None, R(1)),
            ("param.ilike", "params.model ILIKE 'FOREST'", None, R(5, 2)),
            ("param.ilike.prefix", "params.model ILIKE 'f%'", None, R(5, 2)),
            ("param.backtick", "params.`lr` = '0.1'", None, R(2, 0)),
            ("param.alias_param", "param.lr = '0.01'", None, R(1)),
            ("tag.eq", "tags.team = 'alpha'", None, R(0)),
            ("tag.neq", "tags.team != 'alpha'", None, R(3, 2, 1)),
            ("tag.like", "tags.team LIKE 'A%'", None, R(2)),
            ("tag.ilike", "tags.team ILIKE 'a%'", None, R(2, 0)),
            ("tag.backtick_space", "tags.`my key` = 'y'", None, R(3)),
            ("tag.double_quoted_key", 'tags."my key" = \'x\'', None, R(0)),
            ("tag.dotted_key", "tags.mlflow.runName = 'run-2'", None, R(2)),
            ("tag.singular_ident", "tag.team = 'beta'", None, R(1)),
            ("attr.status.eq", "attributes.status = 'FAILED'", None, R(2)),
            ("attr.status.neq", "attributes.status != 'FINISHED'", None, R(5, 4, 2)),
            ("attr.bare_status", "status = 'KILLED'", None, R(4)),
            ("attr.alias_run", "run.status = 'RUNNING'", None, R(5)),
            ("attr.run_name.eq", "attributes.run_name = 'run-1'", None, R(1)),
            ("attr.run_name.like", "attributes.run_name LIKE 'run-%'", None, R(5, 4, 3, 2, 1, 0)),
            ("attr.run_name.ilike", "attributes.run_name ILIKE 'RUN-4'", None, R(4)),
            ("attr.run_name.backtick", "attributes.`run_name` = 'run-3'", None, R(3)),
            ("attr.run_id.in", f"attributes.run_id IN {in_list}", None, R(3, 1)),
            ("attr.run_id.not_in", f"attributes.run_id NOT IN {not_in}", None, R(4, 3, 2, 1)),
            ("attr.start_time.ge", f"attributes.start_time >= {BASE_TIME + 3000}", None,
             R(5, 4, 3)),
            ("attr.start_time.lt", f"attributes.start_time < {BASE_TIME + 2000}", None, R(1, 0)),
            ("attr.start_time.eq", f"attributes.start_time = {BASE_TIME + 2000}", None, R(2)),
            ("attr.end_time.gt", "attributes.end_time > 0", None, R(4, 3, 2, 1, 0)),
            ("attr.created_alias", f"attributes.created > {BASE_TIME + 4000}", None, R(5)),
            ("and.metric_param", "metrics.acc > 0.6 AND params.model = 'tree'", None, R(1)),
            ("and.three", "params.model = 'linear' AND tags.team = 'gamma' AND metrics.loss <= 0.6",
             None, R(3)),
            ("and.lowercase", "metrics.acc > 0.6 and params.lr = '0.1'", None, R(2)),
            ("dataset.name", "datasets.name = 'ds-train'", None, R(0)),
            ("dataset.name_in", "datasets.name IN ('ds-train', 'other')", None, R(0)),
            ("dataset.context", "datasets.context = 'training'", None, R(0)),
            ("dataset.digest", "datasets.digest = 'd1g35t00'", None, R(0)),
            # order_by: missing values sort last; ties fall back to start_time DESC
            ("order.metric_desc", "", ["metrics.acc DESC"], R(4, 2, 3, 1, 0, 5)),
            ("order.metric_asc", "", ["metrics.acc ASC"], R(0, 3, 1, 2, 4, 5)),
            ("order.metric_default_asc", "", ["metrics.loss"], R(4, 2, 3, 1, 5, 0)),
            ("order.param_asc", "", ["params.model ASC"], R(2, 5, 3, 0, 1, 4)),
            ("order.tag_desc", "", ["tags.team DESC"], R(3, 1, 0, 2, 5, 4)),
            ("order.start_time_asc", "", ["attributes.start_time ASC"], R(0, 1, 2, 3, 4, 5)),
            ("order.run_name_desc", "", ["attributes.run_name DESC"], R(5, 4, 3, 2, 1, 0)),
            ("order.backtick", "", ["metrics.`val-acc` DESC"], R(1, 0, 5, 4, 3, 2)),
            ("order.multi", "", ["params.lr ASC", "metrics.loss DESC"], R(3, 1, 0, 2, 5, 4)),
            ("order.with_filter", "params.model != 'linear'", ["metrics.loss ASC"], R(4, 2, 1, 5)),
            ("order.status", "", ["attributes.status ASC", "attributes.start_time ASC"],
             R(2, 0, 1, 3, 4, 5)),
        ]
        for cname, flt, order, expected in cases:
            def fn(flt=flt, order=order, expected=expected):
                got = self.run_names(self.search([self.search_exp], flt, order))
                expect_eq(got, expected, "runs")
                return got
            c.run(f"search.{cname}", fn)

        def max_results():
            page = self.search([self.search_exp], "", ["attributes.start_time ASC"], max_results=2)
            got = self.run_names(page)
            expect_eq(got, R(0, 1), "first page")
            expect(page.token, "next page token expected")
            return got
        c.run("search.max_results", max_results)

        def paginate():
            pages = self.all_pages(lambda tok: self.search(
                [self.search_exp], "", ["attributes.start_time ASC"], max_results=2,
                page_token=tok))
            got = [self.run_names(p) for p in pages]
            expect_eq([n for p in got for n in p], R(0, 1, 2, 3, 4, 5), "all pages")
            expect_eq(got[:3], [R(0, 1), R(2, 3), R(4, 5)], "pages")
            return got
        c.run("search.pagination", paginate)

        def paginate_filter():
            pages = self.all_pages(lambda tok: self.search(
                [self.search_exp], "params.model != 'linear'", None, max_results=3, page_token=tok))
            got = [self.run_names(p) for p in pages]
            expect_eq(got, [R(5, 4, 2), R(1)], "pages")
            return got
        c.run("search.pagination.filtered", paginate_filter)

        def multi_exp():
            other = self.client.create_experiment(self.ename("search-other"))
            r = self.client.create_run(other, run_name="other-run", start_time=BASE_TIME + 9000)
            self.names[r.info.run_id] = "other-run"
            both = self.run_names(self.search([self.search_exp, other], ""))
            fixture_only = self.run_names(self.search([self.search_exp, other],
                                                      "tags.fixture = 'yes'"))
            expect_eq(both, ["other-run"] + R(5, 4, 3, 2, 1, 0), "two experiments")
            expect_eq(fixture_only, R(5, 4, 3, 2, 1, 0), "filtered")
            return {"both": both, "filtered": fixture_only}
        c.run("search.multiple_experiments", multi_exp)

        malformed = [
            ("bad_comparator", "metrics.acc >>> 1", None),
            ("unquoted_string", "params.model = linear", None),
            ("string_for_metric", "metrics.acc = 'high'", None),
            ("like_on_metric", "metrics.acc LIKE '%1'", None),
            ("bad_identifier", "foo.bar = '1'", None),
            ("or", "params.model = 'a' OR params.model = 'b'", None),
            ("bad_attribute", "attributes.color = 'red'", None),
            ("bad_order_direction", "", ["metrics.acc SIDEWAYS"]),
            ("bad_order_key", "", ["foo.bar ASC"]),
        ]
        for cname, flt, order in malformed:
            c.run(f"search.error.{cname}", lambda flt=flt, order=order: expect_error(
                lambda: self.search([self.search_exp], flt, order), "INVALID_PARAMETER_VALUE"))

        # MLflow 2.12 allows IN only on run_id; Kiln extends IN / NOT IN to every string key
        # (a documented superset), so either a rejection or the right answer passes.
        c.run("search.extension.in_on_status", lambda: expect_error_in(
            lambda: self.search([self.search_exp], "attributes.status IN ('FINISHED')", None),
            {"INVALID_PARAMETER_VALUE", "NO_ERROR"}))

        c.run("search.error.max_results_too_large", lambda: expect_error(
            lambda: self.search([self.search_exp], "", None, max_results=50001),
            "INVALID_PARAMETER_VALUE"))
        c.run("search.error.bad_page_token", lambda: expect_error(
            lambda: self.search([self.search_exp], "", None, page_token="not-a-page-token"),
            "INVALID_PARAMETER_VALUE"))

    # ---- runs: lifecycle and logging semantics ---------------------------------------------

    def runs_lifecycle(self):
        c, cl = self.c, self.client
        st = {}

        def create():
            st["exp"] = cl.create_experiment(self.ename("lifecycle"))
            r = cl.create_run(st["exp"], run_name="life-1", tags={"t": "1"})
            st["id"] = r.info.run_id
            self.names[st["id"]] = "life-1"
            expect_eq(r.info.status, "RUNNING", "status")
            expect_eq(r.info.lifecycle_stage, "active", "lifecycle_stage")
            expect_eq(r.info.run_name, "life-1", "run_name")
            expect(r.info.start_time, "start_time set")
            expect_eq(r.data.tags.get("mlflow.runName"), "life-1", "mlflow.runName tag")
            expect_eq(r.data.tags.get("t"), "1", "tag from create_run")
            expect(r.info.artifact_uri, "artifact_uri set")
            return {"status": r.info.status, "run_name": r.info.run_name}
        c.run("run.create", create)

        def update_status():
            cl.update_run(st["id"], status="FINISHED")
            r = cl.get_run(st["id"])
            expect_eq(r.info.status, "FINISHED", "status after update_run")
            cl.set_terminated(st["id"], status="KILLED")
            r = cl.get_run(st["id"])
            expect_eq(r.info.status, "KILLED", "status after set_terminated")
            expect(r.info.end_time and r.info.end_time >= r.info.start_time, "end_time set")
            return r.info.status
        c.run("run.update_status", update_status)

        def rename():
            cl.update_run(st["id"], name="life-renamed")
            r = cl.get_run(st["id"])
            expect_eq(r.info.run_name, "life-renamed", "run_name")
            expect_eq(r.data.tags.get("mlflow.runName"), "life-renamed", "mlflow.runName tag")
            expect_eq(r.info.status, "KILLED", "status unchanged by rename")
            return r.info.run_name
        c.run("run.rename", rename)

        def delete():
            cl.delete_run(st["id"])
            r = cl.get_run(st["id"])
            expect_eq(r.info.lifecycle_stage, "deleted", "lifecycle_stage")
            act = len(self.search([st["exp"]], view=ViewType.ACTIVE_ONLY))
            dele = len(self.search([st["exp"]], view=ViewType.DELETED_ONLY))
            alls = len(self.search([st["exp"]], view=ViewType.ALL))
            expect_eq((act, dele, alls), (0, 1, 1), "(active, deleted, all) counts")
            return {"active": act, "deleted": dele, "all": alls}
        c.run("run.delete", delete)

        c.run("run.log_to_deleted_run", lambda: expect_error(
            lambda: cl.log_param(st["id"], "p", "1"), "INVALID_PARAMETER_VALUE"))

        def restore():
            cl.restore_run(st["id"])
            r = cl.get_run(st["id"])
            expect_eq(r.info.lifecycle_stage, "active", "lifecycle_stage")
            expect_eq(len(self.search([st["exp"]])), 1, "active count")
            return r.info.lifecycle_stage
        c.run("run.restore", restore)

        missing = uuid.uuid4().hex
        for cname, fn in [
            ("get", lambda: cl.get_run(missing)),
            ("log_metric", lambda: cl.log_metric(missing, "m", 1.0)),
            ("log_param", lambda: cl.log_param(missing, "p", "1")),
            ("set_tag", lambda: cl.set_tag(missing, "t", "1")),
            ("delete", lambda: cl.delete_run(missing)),
            ("update", lambda: cl.set_terminated(missing)),
        ]:
            c.run(f"run.unknown.{cname}", lambda fn=fn: expect_error(fn, "RESOURCE_DOES_NOT_EXIST"))

        # MLflow's SQL store answers an empty history for an unknown run; 404 is accepted too.
        c.run("run.unknown.metric_history", lambda: expect_error_in(
            lambda: cl.get_metric_history(missing, "m"), {"NO_ERROR", "RESOURCE_DOES_NOT_EXIST"}))

        c.run("run.create.unknown_experiment", lambda: expect_error(
            lambda: cl.create_run("987654321"), "RESOURCE_DOES_NOT_EXIST"))

    def logging_semantics(self):
        c, cl = self.c, self.client
        st = {}

        def setup():
            st["exp"] = cl.create_experiment(self.ename("logging"))
            st["id"] = cl.create_run(st["exp"], run_name="log-1").info.run_id
            return "ok"
        c.run("log.setup", setup)

        def param_same():
            cl.log_param(st["id"], "p", "1")
            cl.log_param(st["id"], "p", "1")
            cl.log_batch(st["id"], params=[Param("p", "1")])
            return cl.get_run(st["id"]).data.params
        c.run("log.param.same_value_again", param_same)

        c.run("log.param.changed_value", lambda: expect_error(
            lambda: cl.log_param(st["id"], "p", "2"), "INVALID_PARAMETER_VALUE"))
        c.run("log.param.changed_value_in_batch", lambda: expect_error(
            lambda: cl.log_batch(st["id"], params=[Param("p", "3")]), "INVALID_PARAMETER_VALUE"))
        c.run("log.param.value_unchanged", lambda: expect_eq(
            cl.get_run(st["id"]).data.params.get("p"), "1", "param value") or "1")

        def param_long():
            cl.log_param(st["id"], "long-ok", "x" * 6000)
            expect_eq(len(cl.get_run(st["id"]).data.params["long-ok"]), 6000, "6000-char value")
            # MLflow truncates longer values to 6000 characters (MLFLOW_TRUNCATE_LONG_VALUES,
            # on by default); rejecting them with INVALID_PARAMETER_VALUE is accepted too.
            code = error_code_of(lambda: cl.log_param(st["id"], "long-bad", "x" * 6001))
            if code == "NO_ERROR":
                stored = cl.get_run(st["id"]).data.params["long-bad"]
                expect_eq(len(stored), 6000, "over-long value stored truncated to 6000")
                return "truncated"
            expect_eq(code, "INVALID_PARAMETER_VALUE", "error code")
            return code
        c.run("log.param.value_length_limit", param_long)

        def tag_overwrite():
            cl.set_tag(st["id"], "t", "a")
            cl.set_tag(st["id"], "t", "b")
            expect_eq(cl.get_run(st["id"]).data.tags.get("t"), "b", "tag value")
            return "b"
        c.run("log.tag.overwrite", tag_overwrite)

        c.run("log.tag.delete_missing", lambda: expect_error(
            lambda: cl.delete_tag(st["id"], "never-set"), "RESOURCE_DOES_NOT_EXIST"))

        def special():
            rid = st["id"]
            cl.log_metric(rid, "nan", float("nan"), timestamp=BASE_TIME, step=0)
            cl.log_metric(rid, "pinf", float("inf"), timestamp=BASE_TIME, step=0)
            cl.log_metric(rid, "ninf", float("-inf"), timestamp=BASE_TIME, step=0)
            cl.log_batch(rid, metrics=[Metric("mixed", v, BASE_TIME + i, i) for i, v in
                                       enumerate([1.5, float("nan"), float("inf"), -2.0])])
            m = cl.get_run(rid).data.metrics
            got = {k: norm_float(m[k]) for k in ("nan", "pinf", "ninf", "mixed")}
            expect_eq(got, {"nan": "NaN", "pinf": "+inf", "ninf": "-inf", "mixed": -2.0},
                      "latest values")
            hist = cl.get_metric_history(rid, "mixed")
            h = [norm_float(x.value) for x in sorted(hist, key=lambda x: x.step)]
            expect_eq(h, [1.5, "NaN", "+inf", -2.0], "history")
            return {"latest": got, "history": h}
        c.run("log.metric.nan_inf", special)

        def special_search():
            flt = f"attributes.run_id = '{st['id']}'"
            got = {}
            for f in ["metrics.pinf > 1e300", "metrics.ninf < -1e300", "metrics.nan > 0",
                      "metrics.nan < 0", "metrics.nan = 0"]:
                got[f] = len(self.search([st["exp"]], f"{flt} AND {f}"))
            # NaN never compares greater or less. MLflow's SQL store keeps NaN as 0 plus an
            # is_nan flag, so "metrics.nan = 0" matches there; not matching is accepted too.
            expect_eq({k: v for k, v in got.items() if k != "metrics.nan = 0"},
                      {"metrics.pinf > 1e300": 1, "metrics.ninf < -1e300": 1,
                       "metrics.nan > 0": 0, "metrics.nan < 0": 0}, "matches")
            return got
        c.run("log.metric.nan_inf_search", special_search)

        def same_step():
            rid = st["id"]
            cl.log_metric(rid, "s", 1.0, timestamp=BASE_TIME + 1, step=3)
            cl.log_metric(rid, "s", 2.0, timestamp=BASE_TIME + 2, step=3)
            cl.log_metric(rid, "s", 9.0, timestamp=BASE_TIME + 9, step=1)
            cl.log_metric(rid, "s", 5, timestamp=BASE_TIME + 3, step=3)  # int value
            latest = cl.get_run(rid).data.metrics["s"]
            hist = sorted((x.step, x.timestamp - BASE_TIME, x.value)
                          for x in cl.get_metric_history(rid, "s"))
            expect_eq(latest, 5.0, "latest = highest step, then highest timestamp")
            expect_eq(hist, [(1, 9, 9.0), (3, 1, 1.0), (3, 2, 2.0), (3, 3, 5.0)], "history")
            return {"latest": latest, "history": hist}
        c.run("log.metric.latest_by_step_then_time", same_step)

        def big_batch():
            rid = cl.create_run(st["exp"], run_name="log-big").info.run_id
            n = 2500
            cl.log_batch(rid, metrics=[Metric("big", float(i), BASE_TIME + i, i) for i in range(n)],
                         params=[Param(f"p{i}", str(i)) for i in range(150)],
                         tags=[RunTag(f"t{i}", str(i)) for i in range(150)])
            hist = cl.get_metric_history(rid, "big")
            r = cl.get_run(rid)
            expect_eq(len(hist), n, "history length")
            expect_eq(r.data.metrics["big"], float(n - 1), "latest")
            expect_eq(len(r.data.params), 150, "params")
            expect_eq(len([k for k in r.data.tags if k.startswith("t")]), 150, "tags")
            return {"history": len(hist), "params": len(r.data.params)}
        c.run("log.batch.client_chunks_large_batch", big_batch)

        # Send single over-limit requests through the client's REST store (MlflowClient
        # itself splits big batches into legal chunks).
        store = cl._tracking_client.store
        for cname, kw in [
            ("metrics_1001", {"metrics": [Metric("m", 1.0, BASE_TIME, i) for i in range(1001)]}),
            ("params_101", {"params": [Param(f"bp{i}", "v") for i in range(101)]}),
            ("tags_101", {"tags": [RunTag(f"bt{i}", "v") for i in range(101)]}),
            ("total_1001", {"metrics": [Metric("m", 1.0, BASE_TIME, i) for i in range(901)],
                            "params": [Param(f"tp{i}", "v") for i in range(100)]}),
        ]:
            def over(kw=kw):
                full = {"metrics": [], "params": [], "tags": []}
                full.update(kw)
                return expect_error(lambda: store.log_batch(st["id"], **full),
                                    "INVALID_PARAMETER_VALUE")
            c.run(f"log.batch.over_limit.{cname}", over)

        def limits_atomic():
            r = cl.get_run(st["id"])
            expect(not any(k.startswith(("bp", "tp")) for k in r.data.params),
                   "rejected batch must not be partially applied")
            expect(not any(k.startswith("bt") for k in r.data.tags), "rejected tags applied")
            return "ok"
        c.run("log.batch.over_limit.nothing_applied", limits_atomic)

        c.run("log.batch.exact_limits_ok", lambda: store.log_batch(
            st["id"], metrics=[Metric("lim", 1.0, BASE_TIME, i) for i in range(1000)],
            params=[], tags=[]) or "ok")

    # ---- fluent API and artifacts --------------------------------------------------------------

    def fluent_and_artifacts(self):
        c, cl = self.c, self.client
        st = {}
        src = os.path.join(self.tmp, "src")
        os.makedirs(os.path.join(src, "tree", "sub"))
        files = {
            "single.txt": "single file\n",
            "tree/a.txt": "aaa",
            "tree/b.csv": "x,y\n1,2\n",
            "tree/sub/c.json": '{"c": 3}',
            "tree/sub/with space.txt": "spaced",
        }
        for rel, text in files.items():
            with open(os.path.join(src, rel.replace("/", os.sep)), "w") as fh:
                fh.write(text)

        def fluent_run():
            exp = mlflow.set_experiment(self.ename("fluent"))
            st["exp"] = exp.experiment_id
            with mlflow.start_run(run_name="fluent-ok") as run:
                st["id"] = run.info.run_id
                self.names[st["id"]] = "fluent-ok"
                mlflow.log_param("alpha", 0.5)
                mlflow.log_params({"beta": 2, "gamma": "g"})
                mlflow.log_metric("m", 1.0, step=0)
                mlflow.log_metric("m", 2.0, step=1)
                mlflow.log_metrics({"a": 1, "b": 2.5})
                mlflow.set_tag("stage", "dev")
                mlflow.set_tags({"owner": "kiln", "gone": "soon"})
                mlflow.delete_tag("gone")
                mlflow.log_artifact(os.path.join(src, "single.txt"))
                mlflow.log_artifact(os.path.join(src, "single.txt"), artifact_path="copies")
                mlflow.log_artifacts(os.path.join(src, "tree"), artifact_path="tree")
                mlflow.log_text("hello text", "notes/readme.txt")
                mlflow.log_dict({"k": [1, 2]}, "cfg.json")
            r = cl.get_run(st["id"])
            expect_eq(r.info.status, "FINISHED", "status")
            expect(r.info.end_time and r.info.end_time >= r.info.start_time, "end_time")
            expect_eq(r.data.params, {"alpha": "0.5", "beta": "2", "gamma": "g"}, "params")
            expect_eq(r.data.metrics, {"m": 2.0, "a": 1.0, "b": 2.5}, "metrics")
            tags = r.data.tags
            expect_eq(tags.get("stage"), "dev", "tag stage")
            expect_eq(tags.get("owner"), "kiln", "tag owner")
            expect("gone" not in tags, "deleted tag present")
            expect_eq(tags.get("mlflow.runName"), "fluent-ok", "runName")
            expect("mlflow.user" in tags and "mlflow.source.name" in tags, "client context tags")
            return {"params": dict(sorted(r.data.params.items())),
                    "metrics": dict(sorted(r.data.metrics.items())),
                    "user_tags": {k: v for k, v in sorted(tags.items())
                                  if not k.startswith("mlflow.")}}
        c.run("fluent.run", fluent_run)

        def ls(path=None):
            return [(f.path, f.is_dir, f.file_size) for f in cl.list_artifacts(st["id"], path)]

        def list_root():
            got = ls()
            expect_eq(got, [("cfg.json", False, len('{\n  "k": [\n    1,\n    2\n  ]\n}')),
                            ("copies", True, None), ("notes", True, None),
                            ("single.txt", False, 12), ("tree", True, None)], "root listing")
            return got
        c.run("artifacts.list.root", list_root)

        def list_sub():
            got = {"tree": ls("tree"), "tree/sub": ls("tree/sub"), "copies": ls("copies")}
            expect_eq(got["tree"], [("tree/a.txt", False, 3), ("tree/b.csv", False, 8),
                                    ("tree/sub", True, None)], "tree listing")
            expect_eq(got["tree/sub"], [("tree/sub/c.json", False, 8),
                                        ("tree/sub/with space.txt", False, 6)], "tree/sub")
            expect_eq(got["copies"], [("copies/single.txt", False, 12)], "copies")
            return got
        c.run("artifacts.list.subdirs", list_sub)

        c.run("artifacts.list.missing_path", lambda: expect_eq(ls("no-such-dir"), [], "listing")
              or [])

        def download_dir():
            dst = tempfile.mkdtemp(dir=self.tmp)
            local = cl.download_artifacts(st["id"], "tree", dst)
            found = {}
            for root, _, fnames in os.walk(local):
                for fn in fnames:
                    p = os.path.join(root, fn)
                    with open(p) as fh:
                        found[os.path.relpath(p, local).replace(os.sep, "/")] = fh.read()
            want = {k[len("tree/"):]: v for k, v in files.items() if k.startswith("tree/")}
            expect_eq(found, want, "downloaded tree")
            return sorted(found)
        c.run("artifacts.download.dir", download_dir)

        def download_file():
            p = mlflow.artifacts.download_artifacts(
                run_id=st["id"], artifact_path="notes/readme.txt",
                dst_path=tempfile.mkdtemp(dir=self.tmp))
            with open(p) as fh:
                text = fh.read()
            expect_eq(text, "hello text", "content")
            expect_eq(mlflow.artifacts.load_dict(
                f"runs:/{st['id']}/cfg.json"), {"k": [1, 2]}, "log_dict round trip")
            return text
        c.run("artifacts.download.file", download_file)

        def dataset():
            from mlflow.data.http_dataset_source import HTTPDatasetSource
            if np is not None:
                ds = mlflow.data.from_numpy(np.arange(12, dtype=np.float64).reshape(4, 3),
                                            source=HTTPDatasetSource(
                                                "http://example.invalid/data.npy"),
                                            name="np-data")
            else:
                from mlflow.data.meta_dataset import MetaDataset
                ds = MetaDataset(HTTPDatasetSource("http://example.invalid/data.npy"),
                                 name="np-data")
            with mlflow.start_run(experiment_id=st["exp"], run_name="fluent-input") as run:
                mlflow.log_input(ds, context="training", tags={"split": "train"})
            r = cl.get_run(run.info.run_id)
            dis = r.inputs.dataset_inputs
            expect_eq(len(dis), 1, "dataset inputs")
            d = dis[0]
            tags = {t.key: t.value for t in d.tags}
            expect_eq(d.dataset.name, "np-data", "name")
            expect_eq(d.dataset.digest, ds.digest, "digest")
            expect_eq(tags.get("mlflow.data.context"), "training", "context tag")
            expect_eq(tags.get("split"), "train", "custom input tag")
            expect_eq(json.loads(d.dataset.source), json.loads(ds.source.to_json()), "source")
            found = self.search([st["exp"]], "datasets.name = 'np-data'")
            expect_eq([x.info.run_id for x in found], [run.info.run_id], "search by dataset")
            return {"name": d.dataset.name, "source_type": d.dataset.source_type,
                    "digest": d.dataset.digest, "tags": dict(sorted(tags.items()))}
        c.run("fluent.log_input", dataset)

        def failed():
            try:
                with mlflow.start_run(experiment_id=st["exp"], run_name="fluent-fail") as run:
                    raise ValueError("boom")
            except ValueError:
                pass
            return expect_eq(cl.get_run(run.info.run_id).info.status, "FAILED", "status") \
                or "FAILED"
        c.run("fluent.exception_marks_failed", failed)

        def killed():
            run = mlflow.start_run(experiment_id=st["exp"], run_name="fluent-kill")
            mlflow.end_run(status="KILLED")
            return expect_eq(cl.get_run(run.info.run_id).info.status, "KILLED", "status") \
                or "KILLED"
        c.run("fluent.end_run_killed", killed)

        def nested():
            with mlflow.start_run(experiment_id=st["exp"], run_name="parent") as p:
                with mlflow.start_run(run_name="child", nested=True) as ch:
                    pass
            tags = cl.get_run(ch.info.run_id).data.tags
            expect_eq(tags.get("mlflow.parentRunId"), p.info.run_id, "parent tag")
            kids = self.search([st["exp"]], f"tags.mlflow.parentRunId = '{p.info.run_id}'")
            expect_eq([k.info.run_name for k in kids], ["child"], "children search")
            return "ok"
        c.run("fluent.nested_runs", nested)

        def fluent_search():
            runs = mlflow.search_runs(experiment_names=[self.ename("fluent")],
                                      filter_string="attributes.status = 'FINISHED'",
                                      order_by=["attributes.run_name ASC"], output_format="list")
            got = [r.info.run_name for r in runs]
            expect_eq(got, ["child", "fluent-input", "fluent-ok", "parent"], "runs")
            return got
        c.run("fluent.search_runs", fluent_search)

    # ---- raw REST shapes (same HTTP transport as the client) --------------------------------

    def rest_shapes(self):
        c = self.c
        api = "/api/2.0/mlflow"
        missing = uuid.uuid4().hex

        def status_code(method, ep, **kw):
            code, body = self.raw(method, api + ep, **kw)
            return [code, body.get("error_code")]

        cases = [
            ("runs_get.unknown", ("GET", "/runs/get", {"params": {"run_id": missing}}),
             [404, "RESOURCE_DOES_NOT_EXIST"]),
            ("runs_get.missing_param", ("GET", "/runs/get", {"params": {}}),
             [400, "INVALID_PARAMETER_VALUE"]),
            ("experiments_get_by_name.unknown",
             ("GET", "/experiments/get-by-name", {"params": {"experiment_name": missing}}),
             [404, "RESOURCE_DOES_NOT_EXIST"]),
            ("experiments_create.duplicate",
             ("POST", "/experiments/create", {"json": {"name": self.ename("search")}}),
             [400, "RESOURCE_ALREADY_EXISTS"]),
            ("runs_search.malformed_filter",
             ("POST", "/runs/search", {"json": {"experiment_ids": [self.search_exp],
                                                "filter": "metrics.acc >>> 1"}}),
             [400, "INVALID_PARAMETER_VALUE"]),
            ("log_parameter.changed",
             ("POST", "/runs/log-parameter", {"json": {"run_id": self.ids.get("run-0"),
                                                       "key": "model", "value": "other"}}),
             [400, "INVALID_PARAMETER_VALUE"]),
            ("log_batch.over_limit",
             ("POST", "/runs/log-batch", {"json": {"run_id": self.ids.get("run-0"), "metrics": [
                 {"key": "m", "value": 1.0, "timestamp": BASE_TIME, "step": i}
                 for i in range(1001)]}}),
             [400, "INVALID_PARAMETER_VALUE"]),
        ]
        for cname, (method, ep, kw), expected in cases:
            def fn(method=method, ep=ep, kw=kw, expected=expected):
                got = status_code(method, ep, **kw)
                expect_eq(got, expected, "[http status, error_code]")
                return got
            c.run(f"rest.{cname}", fn)

        def page_token_shape():
            code, body = self.raw("POST", api + "/runs/search", json={
                "experiment_ids": [self.search_exp], "max_results": 4,
                "order_by": ["attributes.start_time ASC"]})
            expect_eq(code, 200, "status")
            tok = body.get("next_page_token")
            expect(isinstance(tok, str) and tok, "next_page_token should be a non-empty string")
            code2, body2 = self.raw("POST", api + "/runs/search", json={
                "experiment_ids": [self.search_exp], "max_results": 4,
                "order_by": ["attributes.start_time ASC"], "page_token": tok})
            expect_eq(code2, 200, "status")
            expect_eq(len(body2.get("runs", [])), 2, "second page size")
            expect("next_page_token" not in body2, "last page must omit next_page_token")
            return {"first_keys": sorted(body), "last_keys": sorted(body2)}
        c.run("rest.runs_search.page_token", page_token_shape)

        def empty_search():
            code, body = self.raw("POST", api + "/runs/search", json={
                "experiment_ids": [self.search_exp], "filter": "params.model = 'none'"})
            expect_eq(code, 200, "status")
            expect_eq(body, {}, "empty result body (proto3 JSON omits empty fields)")
            return body
        c.run("rest.runs_search.empty", empty_search)

        def nan_json():
            rid = self.ids["run-0"]
            self.client.log_batch(rid, metrics=[
                Metric("raw", v, BASE_TIME + i, i)
                for i, v in enumerate([float("nan"), float("inf"), float("-inf"), 0.25])])
            code, body = self.raw("GET", api + "/metrics/get-history",
                                  params={"run_id": rid, "metric_key": "raw"})
            expect_eq(code, 200, "status")
            vals = [norm_float(m["value"]) if not isinstance(m["value"], str) else m["value"]
                    for m in sorted(body["metrics"], key=lambda m: int(m["step"]))]
            expect_eq(vals[0], "NaN", "NaN is the JSON string \"NaN\"")
            expect(vals[1] in ("Infinity", "+inf"), f"+inf as \"Infinity\" or DBL_MAX: {vals[1]}")
            expect(vals[2] in ("-Infinity", "-inf"), f"-inf as \"-Infinity\"/-DBL_MAX: {vals[2]}")
            expect_eq(vals[3], 0.25, "plain number")
            norm = ["+inf" if v == "Infinity" else "-inf" if v == "-Infinity" else v for v in vals]
            return norm
        c.run("rest.metric_history.nan_inf_json", nan_json)

        def artifacts_list():
            exp = self.client.get_experiment_by_name(self.ename("fluent"))
            runs = self.search([exp.experiment_id], "attributes.run_name = 'fluent-ok'")
            rid = runs[0].info.run_id
            out = {}
            for path in (None, "tree", "tree/sub", "no-such-dir"):
                params = {"run_id": rid}
                if path:
                    params["path"] = path
                code, body = self.raw("GET", api + "/artifacts/list", params=params)
                expect_eq(code, 200, f"status for path={path}")
                expect(body.get("root_uri"), "root_uri present")
                out[path or "<root>"] = {
                    "keys": sorted(body),
                    "files": [[f["path"], f.get("is_dir", False), f.get("file_size")]
                              for f in body.get("files", [])]}
            expect_eq(out["tree"]["files"][0], ["tree/a.txt", False, 3],
                      "paths are relative to the run's artifact root")
            expect_eq(out["no-such-dir"]["keys"], ["root_uri"], "unknown path: no files key")
            return out
        c.run("rest.artifacts_list", artifacts_list)

    # ---- model registry ------------------------------------------------------------------------

    def norm_uri(self, uri):
        """A model/artifact URI without server address, run ids and experiment ids."""
        if not isinstance(uri, str):
            return uri
        out = uri.replace(self.uri, "<server>")
        for rid, label in self.reg_runs.items():
            out = out.replace(rid, label)
        for eid in self.reg_exps:
            out = out.replace(f"/{eid}/<run", "/<exp>/<run")
        return self.strip(out)

    def mv_view(self, mv):
        return {"name": self.strip(mv.name), "version": mv.version,
                "stage": mv.current_stage, "status": mv.status,
                "run": self.reg_runs.get(mv.run_id, mv.run_id or ""),
                "source": self.norm_uri(mv.source), "description": mv.description or "",
                "run_link": mv.run_link or "", "tags": dict(sorted(mv.tags.items())),
                "aliases": sorted(mv.aliases or [])}

    def rm_view(self, rm):
        return {"name": self.strip(rm.name), "description": rm.description or "",
                "tags": dict(sorted(rm.tags.items())),
                "aliases": dict(sorted((rm.aliases or {}).items())),
                "latest_versions": sorted(([mv.version, mv.current_stage]
                                           for mv in rm.latest_versions or []),
                                          key=lambda x: int(x[0]))}

    @staticmethod
    def versions_of(mvs):
        return [mv.version for mv in mvs]

    def fetch_tree(self, uri):
        """Download an artifact URI with mlflow.artifacts; return {relative path: text}."""
        dst = tempfile.mkdtemp(dir=self.tmp)
        local = mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=dst)
        found = {}
        if os.path.isfile(local):
            with open(local) as fh:
                return {os.path.basename(local): fh.read()}
        for root, _, fnames in os.walk(local):
            for fn in fnames:
                p = os.path.join(root, fn)
                with open(p) as fh:
                    found[os.path.relpath(p, local).replace(os.sep, "/")] = fh.read()
        return dict(sorted(found.items()))

    def registry_models(self):
        """Registered models: CRUD, tags, errors and search_registered_models."""
        c, cl = self.c, self.client
        name = self.ename("rm-crud")

        def create():
            rm = cl.create_registered_model(name, tags={"team": "risk", "empty": ""},
                                            description="first")
            expect_eq(rm.name, name, "name")
            expect_eq(rm.description, "first", "description")
            expect_eq(dict(rm.tags), {"team": "risk", "empty": ""}, "tags")
            expect(rm.creation_timestamp and rm.last_updated_timestamp, "timestamps set")
            expect_eq(list(rm.latest_versions or []), [], "latest_versions")
            return self.rm_view(rm)
        c.run("reg.model.create", create)

        def get():
            rm = cl.get_registered_model(name)
            expect_eq(rm.name, name, "name")
            expect_eq(rm.description, "first", "description")
            expect_eq(dict(rm.tags), {"team": "risk", "empty": ""}, "tags (empty value kept)")
            expect_eq(dict(rm.aliases or {}), {}, "aliases")
            return self.rm_view(rm)
        c.run("reg.model.get", get)

        c.run("reg.model.create.duplicate", lambda: expect_error(
            lambda: cl.create_registered_model(name), "RESOURCE_ALREADY_EXISTS"))
        c.run("reg.model.create.empty_name", lambda: expect_error(
            lambda: cl.create_registered_model(""), "INVALID_PARAMETER_VALUE"))
        c.run("reg.model.get.missing", lambda: expect_error(
            lambda: cl.get_registered_model(self.ename("rm-no-such")), "RESOURCE_DOES_NOT_EXIST"))

        def update():
            before = cl.get_registered_model(name).last_updated_timestamp
            time.sleep(0.01)
            rm = cl.update_registered_model(name, description="second")
            expect_eq(rm.description, "second", "description in answer")
            got = cl.get_registered_model(name)
            expect_eq(got.description, "second", "description after get")
            expect(got.last_updated_timestamp > before, "last_updated_timestamp advances")
            return got.description
        c.run("reg.model.update", update)

        def tags():
            cl.set_registered_model_tag(name, "k", "v")
            cl.set_registered_model_tag(name, "k", "v2")
            cl.set_registered_model_tag(name, "blank", "")
            cl.delete_registered_model_tag(name, "team")
            got = dict(cl.get_registered_model(name).tags)
            expect_eq(got, {"k": "v2", "blank": "", "empty": ""}, "tags")
            return dict(sorted(got.items()))
        c.run("reg.model.tags", tags)

        # MLflow silently accepts deleting a tag that is not set (unlike run tags).
        c.run("reg.model.tags.delete_missing", lambda: expect_error(
            lambda: cl.delete_registered_model_tag(name, "never-set"), "NO_ERROR"))
        c.run("reg.model.tags.on_missing_model", lambda: expect_error(
            lambda: cl.set_registered_model_tag(self.ename("rm-no-such"), "k", "v"),
            "RESOURCE_DOES_NOT_EXIST"))
        c.run("reg.model.rename.missing", lambda: expect_error(
            lambda: cl.rename_registered_model(self.ename("rm-no-such"), self.ename("rm-x")),
            "RESOURCE_DOES_NOT_EXIST"))

        def rename():
            other = self.ename("rm-other")
            cl.create_registered_model(other)
            clash = error_code_of(lambda: cl.rename_registered_model(name, other))
            expect_eq(clash, "RESOURCE_ALREADY_EXISTS", "rename onto an existing name")
            cl.rename_registered_model(name, self.ename("rm-crud-renamed"))  # returns None
            got = cl.get_registered_model(self.ename("rm-crud-renamed"))
            expect_eq(got.description, "second", "description kept")
            expect_eq(error_code_of(lambda: cl.get_registered_model(name)),
                      "RESOURCE_DOES_NOT_EXIST", "old name")
            return {"clash": clash, "model": self.rm_view(got)}
        c.run("reg.model.rename", rename)

        def delete():
            n = self.ename("rm-crud-renamed")
            cl.delete_registered_model(n)
            code = error_code_of(lambda: cl.get_registered_model(n))
            expect_eq(code, "RESOURCE_DOES_NOT_EXIST", "get after delete")
            again = error_code_of(lambda: cl.delete_registered_model(n))
            expect_eq(again, "RESOURCE_DOES_NOT_EXIST", "second delete")
            return [code, again]
        c.run("reg.model.delete", delete)

        # ---- search_registered_models on a 3-model fixture
        q = f"{self.prefix}-rs-"
        groups = {"alpha": "g1", "beta": "g2", "Gamma": "g1"}

        def setup():
            for short, grp in groups.items():
                cl.create_registered_model(q + short, tags={"grp": grp})
                time.sleep(0.02)  # strictly increasing creation/update times
            cl.update_registered_model(q + "alpha", description="touched")  # now newest
            return "ok"
        c.run("reg_search.setup", setup)

        def names(rms):
            return [m.name[len(q):] if m.name.startswith(q) else self.strip(m.name) for m in rms]

        like = f"name LIKE '{q}%'"
        cases = [
            ("eq", f"name = '{q}beta'", None, ["beta"]),
            ("like.default_order", like, None, ["Gamma", "alpha", "beta"]),
            ("like.case_sensitive", f"name LIKE '{q}gamma'", None, []),
            ("ilike", f"name ILIKE '{q}GAMMA'", None, ["Gamma"]),
            ("neq", f"{like} AND name != '{q}beta'", None, ["Gamma", "alpha"]),
            ("tag.eq", f"{like} AND tags.grp = 'g1'", None, ["Gamma", "alpha"]),
            ("tag.backtick", f"{like} AND tags.`grp` = 'g2'", None, ["beta"]),
            ("tag.like", f"{like} AND tags.grp LIKE 'g%'", None, ["Gamma", "alpha", "beta"]),
            ("order.name_desc", like, ["name DESC"], ["beta", "alpha", "Gamma"]),
            ("order.last_updated_desc", like, ["last_updated_timestamp DESC"],
             ["alpha", "Gamma", "beta"]),
            ("order.last_updated_asc", like, ["last_updated_timestamp ASC"],
             ["beta", "Gamma", "alpha"]),
            ("order.timestamp_alias", like, ["timestamp DESC"], ["alpha", "Gamma", "beta"]),
        ]
        for cname, flt, order, expected in cases:
            def fn(flt=flt, order=order, expected=expected):
                got = names(cl.search_registered_models(filter_string=flt, order_by=order))
                expect_eq(got, expected, "models")
                return got
            c.run(f"reg_search.{cname}", fn)

        # MLflow's SQL store sorts registered models only by name and last update time
        # ('timestamp' = 'last_updated_timestamp') and rejects creation_timestamp; sorting by
        # it correctly is accepted too.
        def order_creation():
            code = expect_error_in(lambda: cl.search_registered_models(
                filter_string=like, order_by=["creation_timestamp ASC"]),
                {"INVALID_PARAMETER_VALUE", "NO_ERROR"})
            if code == "NO_ERROR":
                got = names(cl.search_registered_models(
                    filter_string=like, order_by=["creation_timestamp ASC"]))
                expect_eq(got, ["alpha", "beta", "Gamma"], "models")
            return code
        c.run("reg_search.quirk.order_creation_timestamp", order_creation)

        def paginate():
            pages = self.all_pages(lambda tok: cl.search_registered_models(
                filter_string=like, max_results=1, page_token=tok))
            got = [names(p) for p in pages]
            expect_eq([n for p in got for n in p], ["Gamma", "alpha", "beta"], "all pages")
            expect_eq(got[:3], [["Gamma"], ["alpha"], ["beta"]], "one per page")
            return got
        c.run("reg_search.pagination", paginate)

        def paginate_desc():
            pages = self.all_pages(lambda tok: cl.search_registered_models(
                filter_string=like, order_by=["name DESC"], max_results=2, page_token=tok))
            got = [names(p) for p in pages]
            expect_eq(got, [["beta", "alpha"], ["Gamma"]], "pages")
            return got
        c.run("reg_search.pagination.name_desc", paginate_desc)

        for cname, flt, order, tok in [
            ("bad_attribute", "owner = 'x'", None, None),
            ("bad_comparator", f"name >>> '{q}'", None, None),
            ("bad_order_key", like, ["color ASC"], None),
            ("bad_page_token", like, None, "not-a-page-token"),
        ]:
            c.run(f"reg_search.error.{cname}",
                  lambda flt=flt, order=order, tok=tok: expect_error(
                      lambda: cl.search_registered_models(filter_string=flt, order_by=order,
                                                          page_token=tok),
                      "INVALID_PARAMETER_VALUE"))

    def registry_versions(self):
        """Model versions: registration from runs, stages, search, tags, aliases, models:/
        downloads, deletion, copy, and renaming/deleting a model that has versions."""
        c, cl = self.c, self.client
        st = {}
        V = self.ename("reg-v")
        marker = {"a": "run-1/model", "b": "run-1/model-b", "c": "run-2/model"}

        def write_model(folder, mark, extra=None):
            os.makedirs(folder)
            with open(os.path.join(folder, "MLmodel"), "w") as fh:
                fh.write(f"artifact_path: model\nflavors: {{}}\nkiln_marker: {mark}\n")
            for rel, text in (extra or {}).items():
                p = os.path.join(folder, rel)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "w") as fh:
                    fh.write(text)

        def setup():
            base = tempfile.mkdtemp(dir=self.tmp)
            write_model(os.path.join(base, "a"), "a", {"data/weights.txt": "w-a"})
            write_model(os.path.join(base, "b"), "b")
            write_model(os.path.join(base, "c"), "c", {"data/weights.txt": "w-c"})
            exp = cl.create_experiment(self.ename("registry"))
            self.reg_exps.append(exp)
            with mlflow.start_run(experiment_id=exp, run_name="reg-run-1") as r1:
                mlflow.log_artifacts(os.path.join(base, "a"), "model")
                mlflow.log_artifacts(os.path.join(base, "b"), "model-b")
            with mlflow.start_run(experiment_id=exp, run_name="reg-run-2") as r2:
                mlflow.log_artifacts(os.path.join(base, "c"), "model")
            st["r1"], st["r2"] = r1.info.run_id, r2.info.run_id
            self.reg_runs[st["r1"]] = "<run-1>"
            self.reg_runs[st["r2"]] = "<run-2>"
            st["r2_uri"] = cl.get_run(st["r2"]).info.artifact_uri
            return "ok"
        c.run("reg.versions.setup", setup)

        def register():
            mv = mlflow.register_model(f"runs:/{st['r1']}/model", V)
            expect_eq(mv.name, V, "name")
            expect_eq(mv.version, "1", "first version")
            expect_eq(mv.run_id, st["r1"], "run_id")
            expect_eq(mv.status, "READY", "status")
            expect_eq(mv.current_stage, "None", "stage")
            expect(mv.source.endswith("/model") and st["r1"] in mv.source,
                   f"source resolves the run's artifact location: {mv.source}")
            st["src1"] = mv.source
            rm = cl.get_registered_model(V)
            expect_eq([x.version for x in rm.latest_versions], ["1"], "latest_versions")
            return self.mv_view(mv)
        c.run("reg.register_model.runs_uri", register)

        def register_again():
            mv = mlflow.register_model(f"runs:/{st['r1']}/model-b", V, tags={"via": "register"})
            expect_eq(mv.version, "2", "second version")
            expect_eq(dict(mv.tags), {"via": "register"}, "tags")
            return self.mv_view(mv)
        c.run("reg.register_model.existing_model", register_again)

        def create_version():
            mv = cl.create_model_version(
                V, f"{st['r2_uri']}/model", st["r2"], tags={"stage": "candidate", "empty": ""},
                run_link="http://example.invalid/run/2", description="third")
            expect_eq(mv.version, "3", "version")
            expect_eq(mv.run_id, st["r2"], "run_id")
            expect_eq(mv.description, "third", "description")
            expect_eq(mv.run_link, "http://example.invalid/run/2", "run_link")
            expect_eq(dict(mv.tags), {"stage": "candidate", "empty": ""}, "tags")
            return self.mv_view(mv)
        c.run("reg.version.create", create_version)

        def get_version():
            mv = cl.get_model_version(V, "3")
            expect_eq(mv.description, "third", "description")
            expect_eq(mv.run_link, "http://example.invalid/run/2", "run_link")
            expect_eq(dict(mv.tags), {"stage": "candidate", "empty": ""}, "tags")
            expect_eq(mv.source, f"{st['r2_uri']}/model", "source kept as given")
            expect(mv.creation_timestamp and mv.last_updated_timestamp, "timestamps")
            return self.mv_view(mv)
        c.run("reg.version.get", get_version)

        c.run("reg.version.get.invalid_version", lambda: expect_error(
            lambda: cl.get_model_version(V, "x"), "INVALID_PARAMETER_VALUE"))
        c.run("reg.version.get.unknown_version", lambda: expect_error(
            lambda: cl.get_model_version(V, "99"), "RESOURCE_DOES_NOT_EXIST"))
        c.run("reg.version.get.unknown_model", lambda: expect_error(
            lambda: cl.get_model_version(self.ename("reg-no-such"), "1"),
            "RESOURCE_DOES_NOT_EXIST"))
        c.run("reg.version.create.unknown_model", lambda: expect_error(
            lambda: cl.create_model_version(self.ename("reg-no-such"), st["src1"], st["r1"]),
            "RESOURCE_DOES_NOT_EXIST"))

        def update_version():
            mv = cl.update_model_version(V, "3", description="third, updated")
            expect_eq(mv.description, "third, updated", "description in answer")
            expect_eq(cl.get_model_version(V, "3").description, "third, updated", "after get")
            return mv.description
        c.run("reg.version.update", update_version)

        def version_tags():
            cl.set_model_version_tag(V, "1", "k", "v")
            cl.set_model_version_tag(V, "1", "k", "v2")
            cl.set_model_version_tag(V, "1", "e", "")
            cl.set_model_version_tag(V, "1", "gone", "x")
            cl.delete_model_version_tag(V, "1", "gone")
            got = dict(cl.get_model_version(V, "1").tags)
            expect_eq(got, {"k": "v2", "e": ""}, "tags")
            return dict(sorted(got.items()))
        c.run("reg.version.tags", version_tags)

        c.run("reg.version.tags.delete_missing", lambda: expect_error(
            lambda: cl.delete_model_version_tag(V, "1", "never-set"), "NO_ERROR"))
        c.run("reg.version.tags.unknown_version", lambda: expect_error(
            lambda: cl.set_model_version_tag(V, "99", "k", "v"), "RESOURCE_DOES_NOT_EXIST"))

        # ---- stages (deprecated in MLflow 2.9 but still served)
        def stages():
            a = cl.transition_model_version_stage(V, "1", "Staging")
            expect_eq(a.current_stage, "Staging", "v1 stage")
            b = cl.transition_model_version_stage(V, "2", "staging", archive_existing_versions=True)
            expect_eq(b.current_stage, "Staging", "stage name is case-insensitive")
            expect_eq(cl.get_model_version(V, "1").current_stage, "Archived",
                      "v1 archived by archive_existing_versions")
            p = cl.transition_model_version_stage(V, "3", "Production")
            expect_eq(p.current_stage, "Production", "v3 stage")
            got = {v: cl.get_model_version(V, v).current_stage for v in ("1", "2", "3")}
            expect_eq(got, {"1": "Archived", "2": "Staging", "3": "Production"}, "stages")
            return got
        c.run("reg.stage.transition_archive_existing", stages)

        c.run("reg.stage.invalid", lambda: expect_error(
            lambda: cl.transition_model_version_stage(V, "1", "Bogus"), "INVALID_PARAMETER_VALUE"))

        def latest():
            all_ = sorted(([mv.version, mv.current_stage] for mv in cl.get_latest_versions(V)),
                          key=lambda x: int(x[0]))
            expect_eq(all_, [["1", "Archived"], ["2", "Staging"], ["3", "Production"]],
                      "latest per stage")
            staging = self.versions_of(cl.get_latest_versions(V, stages=["Staging"]))
            expect_eq(staging, ["2"], "Staging")
            none = self.versions_of(cl.get_latest_versions(V, stages=["None"]))
            expect_eq(none, [], "None stage")
            two = sorted(self.versions_of(cl.get_latest_versions(
                V, stages=["production", "Archived"])), key=int)
            expect_eq(two, ["1", "3"], "two stages (case-insensitive)")
            rm = cl.get_registered_model(V)
            lv = sorted(([m.version, m.current_stage] for m in rm.latest_versions),
                        key=lambda x: int(x[0]))
            expect_eq(lv, all_, "registered model latest_versions")
            return {"all": all_, "Staging": staging, "None": none, "prod+archived": two}
        c.run("reg.get_latest_versions", latest)

        c.run("reg.get_latest_versions.unknown_model", lambda: expect_error(
            lambda: cl.get_latest_versions(self.ename("reg-no-such")), "RESOURCE_DOES_NOT_EXIST"))

        # ---- search_model_versions
        def touch():
            # Fix last_updated_timestamp order for the default sort: 2 oldest, then 3, then 1.
            for v in ("2", "3", "1"):
                time.sleep(0.02)
                cl.update_model_version(V, v, description=cl.get_model_version(V, v).description)
            return "ok"
        c.run("reg_mv_search.setup", touch)

        src2 = f"{st.get('r2_uri')}/model"
        mv_cases = [
            ("name.default_order", f"name = '{V}'", None, ["1", "3", "2"]),
            ("name.order_version_desc", f"name = '{V}'", ["version_number DESC"], ["3", "2", "1"]),
            ("name.order_version_asc", f"name = '{V}'", ["version_number ASC"], ["1", "2", "3"]),
            ("name.like", f"name LIKE '{self.prefix}-reg-%'", ["version_number ASC"],
             ["1", "2", "3"]),
            ("run_id.eq", f"run_id = '{st.get('r1')}'", ["version_number ASC"], ["1", "2"]),
            ("run_id.in", f"run_id IN ('{st.get('r2')}', '{uuid.uuid4().hex}')",
             ["version_number ASC"], ["3"]),
            ("run_id.in_both", f"run_id IN ('{st.get('r1')}', '{st.get('r2')}')",
             ["version_number DESC"], ["3", "2", "1"]),
            ("source_path.eq", f"source_path = '{src2}'", None, ["3"]),
            ("tag.eq", f"name = '{V}' AND tags.stage = 'candidate'", None, ["3"]),
            ("tag.empty_value", f"name = '{V}' AND tags.e = ''", None, ["1"]),
            ("version.gt", f"name = '{V}' AND version_number > 1", ["version_number ASC"],
             ["2", "3"]),
            ("version.le", f"name = '{V}' AND version_number <= 2", ["version_number ASC"],
             ["1", "2"]),
            ("version.eq", f"name = '{V}' AND version_number = 3", None, ["3"]),
            ("version.neq", f"name = '{V}' AND version_number != 2", ["version_number DESC"],
             ["3", "1"]),
            ("no_match", f"name = '{V}' AND tags.stage = 'nope'", None, []),
        ]
        for cname, flt, order, expected in mv_cases:
            def fn(flt=flt, order=order, expected=expected):
                got = self.versions_of(cl.search_model_versions(flt, order_by=order))
                expect_eq(got, expected, "versions")
                return got
            c.run(f"reg_mv_search.{cname}", fn)

        def mv_fields():
            got = cl.search_model_versions(f"name = '{V}' AND version_number = 3")
            expect_eq(len(got), 1, "one hit")
            mv = got[0]
            expect_eq(mv.run_id, st["r2"], "run_id")
            expect_eq(dict(mv.tags), {"stage": "candidate", "empty": ""}, "tags")
            expect_eq(mv.current_stage, "Production", "stage")
            return self.mv_view(mv)
        c.run("reg_mv_search.fields", mv_fields)

        def mv_paginate():
            pages = self.all_pages(lambda tok: cl.search_model_versions(
                f"name = '{V}'", max_results=1, order_by=["version_number DESC"], page_token=tok))
            got = [self.versions_of(p) for p in pages]
            expect_eq([v for p in got for v in p], ["3", "2", "1"], "all pages")
            expect_eq(got[:3], [["3"], ["2"], ["1"]], "one per page")
            return got
        c.run("reg_mv_search.pagination", mv_paginate)

        for cname, flt, order in [
            ("bad_attribute", "owner = 'x'", None),
            ("bad_order_key", f"name = '{V}'", ["color ASC"]),
        ]:
            c.run(f"reg_mv_search.error.{cname}", lambda flt=flt, order=order: expect_error(
                lambda: cl.search_model_versions(flt, order_by=order), "INVALID_PARAMETER_VALUE"))

        # MLflow compares version_number with a string in SQL and finds nothing; rejecting the
        # filter is accepted too.
        def bad_version_value():
            got = []
            code = expect_error_in(lambda: got.extend(cl.search_model_versions(
                f"name = '{V}' AND version_number = 'x'")), {"INVALID_PARAMETER_VALUE", "NO_ERROR"})
            expect_eq(self.versions_of(got), [], "versions")
            return code
        c.run("reg_mv_search.quirk.version_number_string", bad_version_value)

        def download_uri():
            u1 = cl.get_model_version_download_uri(V, "1")
            u3 = cl.get_model_version_download_uri(V, "3")
            expect_eq(u1, st["src1"], "download URI of a version registered from runs:/")
            expect_eq(u3, src2, "download URI of a version created from a plain URI")
            return {"1": self.norm_uri(u1), "3": self.norm_uri(u3)}
        c.run("reg.version.download_uri", download_uri)

        # ---- aliases
        def alias_set():
            cl.set_registered_model_alias(V, "champion", "1")
            cl.set_registered_model_alias(V, "challenger", "3")
            mv = cl.get_model_version_by_alias(V, "champion")
            expect_eq(mv.version, "1", "champion")
            expect_eq(sorted(mv.aliases), ["champion"], "aliases on the version")
            rm = cl.get_registered_model(V)
            expect_eq(dict(rm.aliases), {"champion": "1", "challenger": "3"}, "model aliases")
            expect_eq(sorted(cl.get_model_version(V, "3").aliases), ["challenger"],
                      "aliases via get_model_version")
            return {"by_alias": self.mv_view(mv), "model": dict(sorted(rm.aliases.items()))}
        c.run("reg.alias.set_get", alias_set)

        def alias_move():
            cl.set_registered_model_alias(V, "champion", "2")
            mv = cl.get_model_version_by_alias(V, "champion")
            expect_eq(mv.version, "2", "moved")
            expect_eq(list(cl.get_model_version(V, "1").aliases), [], "old version loses it")
            rm = cl.get_registered_model(V)
            expect_eq(dict(rm.aliases), {"champion": "2", "challenger": "3"}, "model aliases")
            return dict(sorted(rm.aliases.items()))
        c.run("reg.alias.move", alias_move)

        def alias_delete():
            cl.set_registered_model_alias(V, "temp", "1")
            cl.delete_registered_model_alias(V, "temp")
            code = error_code_of(lambda: cl.get_model_version_by_alias(V, "temp"))
            expect_eq(code, "INVALID_PARAMETER_VALUE", "get by deleted alias")
            expect("temp" not in cl.get_registered_model(V).aliases, "alias gone")
            return code
        c.run("reg.alias.delete", alias_delete)

        for cname, alias, version, code in [
            ("reserved_latest", "latest", "1", "INVALID_PARAMETER_VALUE"),
            ("reserved_latest_case", "Latest", "1", "INVALID_PARAMETER_VALUE"),
            ("reserved_version", "v1", "1", "INVALID_PARAMETER_VALUE"),
            ("invalid_chars", "bad alias!", "1", "INVALID_PARAMETER_VALUE"),
            ("unknown_version", "ghost", "99", "RESOURCE_DOES_NOT_EXIST"),
        ]:
            c.run(f"reg.alias.error.{cname}", lambda alias=alias, version=version, code=code:
                  expect_error(lambda: cl.set_registered_model_alias(V, alias, version), code))
        c.run("reg.alias.error.unknown_model", lambda: expect_error(
            lambda: cl.set_registered_model_alias(self.ename("reg-no-such"), "a", "1"),
            "RESOURCE_DOES_NOT_EXIST"))
        c.run("reg.alias.get.unknown_model", lambda: expect_error(
            lambda: cl.get_model_version_by_alias(self.ename("reg-no-such"), "a"),
            "INVALID_PARAMETER_VALUE"))
        c.run("reg.alias.delete_missing", lambda: error_code_of(
            lambda: cl.delete_registered_model_alias(V, "never-set")))

        # ---- models:/ URIs through mlflow.artifacts
        expect_a = {"MLmodel": "artifact_path: model\nflavors: {}\nkiln_marker: a\n",
                    "data/weights.txt": "w-a"}
        expect_b = {"MLmodel": "artifact_path: model\nflavors: {}\nkiln_marker: b\n"}
        expect_c = {"MLmodel": "artifact_path: model\nflavors: {}\nkiln_marker: c\n",
                    "data/weights.txt": "w-c"}
        def meta(files, name, version):
            """The client writes registered_model_meta next to a downloaded models:/ folder."""
            return dict(files, registered_model_meta=(
                f"model_name: {name}\nmodel_version: '{version}'\n"))

        for cname, uri, want in [
            ("version", f"models:/{V}/1", meta(expect_a, V, 1)),
            ("alias", f"models:/{V}@champion", meta(expect_b, V, 2)),
            ("latest", f"models:/{V}/latest", meta(expect_c, V, 3)),
            ("stage", f"models:/{V}/Staging", meta(expect_b, V, 2)),
            ("single_file", f"models:/{V}/3/MLmodel", {"MLmodel": expect_c["MLmodel"]}),
        ]:
            def dl(uri=uri, want=want):
                got = self.fetch_tree(uri)
                expect_eq(got, want, f"files of {self.strip(uri)}")
                return {k: self.strip(v.split("kiln_marker: ")[-1].strip())
                        for k, v in got.items()}
            c.run(f"reg.download.{cname}", dl)

        def ui_artifact():
            import requests
            url = self.uri + "/model-versions/get-artifact"
            ok = requests.get(url, params={"name": V, "version": "3", "path": "MLmodel"},
                              timeout=60)
            expect_eq(ok.status_code, 200, "status")
            expect_eq(ok.text, expect_c["MLmodel"], "body")
            sub = requests.get(url, params={"name": V, "version": "1",
                                            "path": "data/weights.txt"}, timeout=60)
            expect_eq([sub.status_code, sub.text], [200, "w-a"], "nested file")
            bad = requests.get(url, params={"name": V, "version": "1", "path": "../x"}, timeout=60)
            expect_eq(bad.status_code, 400, "status for ../x")
            expect_eq(bad.json(), {"error_code": "INVALID_PARAMETER_VALUE",
                                   "message": "Invalid path"}, "body for ../x")
            return {"ok": [ok.status_code, ok.text.split("kiln_marker: ")[-1].strip()],
                    "nested": [sub.status_code, sub.text],
                    "traversal": [bad.status_code, bad.json()]}
        c.run("reg.ui.get_artifact", ui_artifact)

        # ---- deleting a version: numbers are not reused, its aliases go.
        # MLflow means to delete the aliases of a deleted version (mlflow#8459), but its SQL
        # store compares the alias's int version with the request's string version, so over
        # REST the alias is left dangling: still listed on the model, and resolving it answers
        # RESOURCE_DOES_NOT_EXIST for the deleted version (fixed upstream by mlflow#24825).
        # Both the intended and the 2.12 behaviour pass; the dump shows which one was seen.
        def delete_version():
            cl.delete_model_version(V, "3")
            code = error_code_of(lambda: cl.get_model_version(V, "3"))
            expect_eq(code, "RESOURCE_DOES_NOT_EXIST", "get deleted version")
            aliases = dict(cl.get_registered_model(V).aliases)
            alias_code = error_code_of(lambda: cl.get_model_version_by_alias(V, "challenger"))
            outcome = [aliases, alias_code]
            expect(outcome in ([{"champion": "2"}, "INVALID_PARAMETER_VALUE"],
                               [{"champion": "2", "challenger": "3"}, "RESOURCE_DOES_NOT_EXIST"]),
                   f"aliases of the deleted version: removed (intended) or dangling (MLflow "
                   f"2.12), got {outcome}")
            st["aliases"] = aliases
            left = self.versions_of(cl.search_model_versions(
                f"name = '{V}'", order_by=["version_number ASC"]))
            expect_eq(left, ["1", "2"], "search skips deleted versions")
            mv = cl.create_model_version(V, src2, st["r2"])
            expect_eq(mv.version, "4", "next version after deleting the highest")
            again = error_code_of(lambda: cl.delete_model_version(V, "3"))
            expect_eq(again, "RESOURCE_DOES_NOT_EXIST", "deleting it again")
            return {"get": code, "aliases": aliases, "by_alias": alias_code,
                    "left": left, "next": mv.version, "again": again}
        c.run("reg.version.delete", delete_version)

        def latest_after_delete():
            got = self.fetch_tree(f"models:/{V}/latest")
            expect_eq(got, meta(expect_c, V, 4), "latest is version 4")
            return sorted(got)
        c.run("reg.download.latest_after_delete", latest_after_delete)

        # ---- copy_model_version (MLflow >= 2.9): a new version whose source is models:/...
        def copy():
            if not hasattr(cl, "copy_model_version"):
                return "not in this client"
            dst = self.ename("reg-copy")
            mv = cl.copy_model_version(f"models:/{V}@champion", dst)
            expect_eq([mv.name, mv.version], [dst, "1"], "copy")
            expect_eq(mv.source, f"models:/{V}/2", "source of the copy")
            expect_eq(dict(mv.tags), {"via": "register"}, "tags copied")
            expect_eq(mv.run_id, st["r1"], "run_id copied")
            uri = cl.get_model_version_download_uri(dst, "1")
            expect_eq(uri, cl.get_model_version_download_uri(V, "2"),
                      "download URI resolves to the source version's location")
            got = self.fetch_tree(f"models:/{dst}/1")
            expect_eq(got, meta(expect_b, dst, 1), "files of the copy")
            mv2 = cl.copy_model_version(f"models:/{V}/1", dst)
            expect_eq(mv2.version, "2", "second copy into an existing model")
            return {"copy": self.mv_view(mv), "download_uri": self.norm_uri(uri),
                    "second": mv2.version}
        c.run("reg.version.copy", copy)

        # ---- renaming and deleting a model that has versions and aliases
        def rename_with_versions():
            new = self.ename("reg-v-renamed")
            cl.rename_registered_model(V, new)
            rm = cl.get_registered_model(new)
            expect_eq(dict(rm.aliases), st.get("aliases", {"champion": "2"}), "aliases follow")
            mv = cl.get_model_version(new, "4")
            expect_eq(mv.name, new, "version's model name")
            expect_eq(cl.get_model_version_by_alias(new, "champion").version, "2", "by alias")
            expect_eq(self.versions_of(cl.search_model_versions(
                f"name = '{new}'", order_by=["version_number ASC"])), ["1", "2", "4"], "search")
            expect_eq(error_code_of(lambda: cl.get_model_version(V, "1")),
                      "RESOURCE_DOES_NOT_EXIST", "old name")
            got = self.fetch_tree(f"models:/{new}@champion")
            expect_eq(got, meta(expect_b, new, 2), "download by alias after rename")
            return self.rm_view(rm)
        c.run("reg.model.rename_with_versions", rename_with_versions)

        def delete_with_versions():
            new = self.ename("reg-v-renamed")
            cl.delete_registered_model(new)
            got = [error_code_of(lambda: cl.get_registered_model(new)),
                   error_code_of(lambda: cl.get_model_version(new, "1")),
                   error_code_of(lambda: cl.get_model_version_by_alias(new, "champion")),
                   self.versions_of(cl.search_model_versions(f"name = '{new}'"))]
            # an alias of an unknown model is "alias not found" (INVALID_PARAMETER_VALUE)
            expect_eq(got, ["RESOURCE_DOES_NOT_EXIST", "RESOURCE_DOES_NOT_EXIST",
                            "INVALID_PARAMETER_VALUE", []], "after delete")
            return got
        c.run("reg.model.delete_with_versions", delete_with_versions)

    def registry_rest(self):
        """Raw REST answers of the registry endpoints (status, error_code, body shape)."""
        c = self.c
        api = "/api/2.0/mlflow"
        missing = self.ename("rest-no-such")
        name = self.ename("rest-rm")

        def setup():
            self.client.create_registered_model(name)
            return "ok"
        c.run("reg_rest.setup", setup)

        cases = [
            ("registered_models_get.unknown",
             ("GET", "/registered-models/get", {"params": {"name": missing}}),
             [404, "RESOURCE_DOES_NOT_EXIST"]),
            ("registered_models_get.missing_param",
             ("GET", "/registered-models/get", {"params": {}}),
             [400, "INVALID_PARAMETER_VALUE"]),
            ("registered_models_create.duplicate",
             ("POST", "/registered-models/create", {"json": {"name": name}}),
             [400, "RESOURCE_ALREADY_EXISTS"]),
            ("model_versions_get.bad_version",
             ("GET", "/model-versions/get", {"params": {"name": name, "version": "x"}}),
             [400, "INVALID_PARAMETER_VALUE"]),
            ("model_versions_get.unknown_version",
             ("GET", "/model-versions/get", {"params": {"name": name, "version": "7"}}),
             [404, "RESOURCE_DOES_NOT_EXIST"]),
            ("alias_get.unknown",
             ("GET", "/registered-models/alias", {"params": {"name": name, "alias": "nope"}}),
             [400, "INVALID_PARAMETER_VALUE"]),
            ("model_versions_create.relative_source",
             ("POST", "/model-versions/create", {"json": {
                 "name": name, "source": "mlflow-artifacts:/1/x/../../../etc"}}),
             [400, "INVALID_PARAMETER_VALUE"]),
        ]
        for cname, (method, ep, kw), expected in cases:
            def fn(method=method, ep=ep, kw=kw, expected=expected):
                code, body = self.raw(method, api + ep, **kw)
                got = [code, body.get("error_code")]
                expect_eq(got, expected, "[http status, error_code]")
                return got
            c.run(f"reg_rest.{cname}", fn)

        def get_shape():
            code, body = self.raw("GET", api + "/registered-models/get", params={"name": name})
            expect_eq(code, 200, "status")
            rm = body.get("registered_model", {})
            expect_eq(rm.get("name"), name, "name")
            return {"keys": sorted(body), "model_keys": sorted(rm)}
        c.run("reg_rest.registered_model.shape", get_shape)

        def empty_search():
            out = {}
            for ep, flt in [("/registered-models/search", f"name = '{missing}'"),
                            ("/model-versions/search", f"name = '{missing}'")]:
                code, body = self.raw("GET", api + ep, params={"filter": flt})
                expect_eq(code, 200, f"status of {ep}")
                expect_eq(body, {}, f"empty answer of {ep}")
                out[ep] = body
            return out
        c.run("reg_rest.search.empty", empty_search)

        def page_token():
            code, body = self.raw("GET", api + "/registered-models/search", params={
                "filter": f"name LIKE '{self.prefix}-rs-%'", "max_results": 2})
            expect_eq(code, 200, "status")
            tok = body.get("next_page_token")
            expect(isinstance(tok, str) and tok, "next_page_token expected")
            code2, body2 = self.raw("GET", api + "/registered-models/search", params={
                "filter": f"name LIKE '{self.prefix}-rs-%'", "max_results": 2, "page_token": tok})
            expect_eq(code2, 200, "status")
            expect_eq(len(body2.get("registered_models", [])), 1, "last page size")
            expect("next_page_token" not in body2, "last page must omit next_page_token")
            return {"first_keys": sorted(body), "last_keys": sorted(body2)}
        c.run("reg_rest.search.page_token", page_token)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tracking_uri", help="e.g. http://127.0.0.1:5000")
    ap.add_argument("--dump", metavar="FILE", help="write normalised results as JSON")
    args = ap.parse_args()

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", module=r"mlflow\..*")
    warnings.filterwarnings("ignore", category=FutureWarning)  # stages API deprecation

    checker = Checker()
    compat = Compat(args.tracking_uri, checker)
    print(f"# MLflow client {mlflow.__version__} -> {compat.uri} (prefix {compat.prefix})",
          flush=True)
    t0 = time.time()
    for section in (compat.experiments_crud, compat.experiments_search, compat.runs_fixture,
                    compat.runs_search, compat.runs_lifecycle, compat.logging_semantics,
                    compat.fluent_and_artifacts, compat.rest_shapes,
                    compat.registry_models, compat.registry_versions, compat.registry_rest):
        try:
            section()
        except Exception as exc:  # noqa: BLE001 - a crash outside a check fails the section
            def crashed(exc=exc):
                raise exc
            checker.run(f"section.{section.__name__}", crashed)
    elapsed = time.time() - t0

    total, failed = checker.summary()

    if args.dump:
        dump = {"mlflow_client": mlflow.__version__,
                "checks": {n: checker.results[n] for n in checker.order}}
        with open(args.dump, "w") as fh:
            json.dump(dump, fh, indent=1, sort_keys=False, default=str)
            fh.write("\n")

    shown = ", ".join(failed[:20]) + (" ..." if len(failed) > 20 else "")
    print(f"SUMMARY: {total - len(failed)}/{total} passed, {len(failed)} failed "
          f"({elapsed:.1f}s)" + (f"; failed: {shown}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
