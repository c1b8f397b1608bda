"""Kiln's replacement for `tests.tracking.integration_test_utils._init_server` (MLflow's REST test suite).

Appended to a scratch copy of that module by run.sh, so that every fixture that starts "a tracking server" starts a
fresh `kiln server` instead of MLflow's Flask app. The backend URI MLflow's fixture chooses ("file" or "sqlalchemy")
becomes a SQLite file in a temporary folder: Kiln has one store format; the artifact root is passed on as
`--default-artifact-root`. Nothing else in the suite changes.
"""
import contextlib
import os
import pathlib
import subprocess
import tempfile
import time
import urllib.request

import mlflow

from tests.helper_functions import LOCALHOST, get_safe_port


@contextlib.contextmanager
def _init_server(backend_uri, root_artifact_uri, extra_env=None, app="mlflow.server:app"):
    mlflow.set_tracking_uri(None)
    port = get_safe_port()
    home = pathlib.Path(tempfile.mkdtemp(prefix="kiln-rest-suite-"))
    command = [
        "dotnet", os.environ["KILN_DLL"], "server", "--host", LOCALHOST, "--port", str(port),
        "--store", f"sqlite:///{home / 'kiln.db'}",
    ]
    # MLflow's fixture gives the server its artifact root (a file: URI); Kiln takes it the same way, as MLflow's
    # --default-artifact-root. Anything else (the gateway test passes an http URL) falls back to the proxied default.
    if str(root_artifact_uri).startswith("file:"):
        command += ["--default-artifact-root", str(root_artifact_uri)]
    else:
        command += ["--artifacts", str(home / "artifacts")]
    log = open(home / "server.log", "w")
    with subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(extra_env or {})}) as proc:
        url = f"http://{LOCALHOST}:{port}"
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/health", timeout=2).read()
                break
            except Exception:
                if time.time() > deadline or proc.poll() is not None:
                    raise Exception(f"kiln server did not start on {url}; see {home / 'server.log'}")
                time.sleep(0.2)
        try:
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
