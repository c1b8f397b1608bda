"""pytest plugin for MLflow's REST suite against Kiln (loaded by run.sh with -p).

- Runs each server test once: MLflow's fixture runs it for a "file" and a "sqlalchemy" backend, which for Kiln
  are the same SQLite store.
- Marks the tests that do not apply to another server, with the reason, as skipped ("not applicable").
- The model-registry tests (create_registered_model, model-versions/create, log_model with registered_model_name,
  models:/ URIs) run as ordinary tests: Kiln serves MLflow's registry REST API since issue 15.
"""
import pytest

NOT_APPLICABLE = {
    "test_get_metric_history_bulk_calls_optimized_impl_when_expected":
        "calls MLflow's Flask handler in-process with a mocked store; no server involved",
    "test_get_sampled_steps_from_steps":
        "unit test of MLflow's own sampling helper; no server involved (Kiln's sampling is tested by the suite's HTTP tests)",
    "test_gateway_proxy_handler_rejects_invalid_requests":
        "MLflow's AI Gateway (deployments) proxy; the test starts a second server with an http URL as its artifact root",
    "test_create_promptlab_run_handler_rejects_invalid_requests":
        "MLflow's prompt-engineering UI (promptlab runs), an MLflow UI feature outside Kiln's scope",
    "test_create_promptlab_run_handler_returns_expected_results":
        "MLflow's prompt-engineering UI (promptlab runs), an MLflow UI feature outside Kiln's scope",
    "test_graphql_handler":
        "the GraphQL endpoint of MLflow's own web UI; Kiln's console uses the REST API",
    "test_get_experiment_graphql":
        "the GraphQL endpoint of MLflow's own web UI; Kiln's console uses the REST API",
    "test_get_run_and_experiment_graphql":
        "the GraphQL endpoint of MLflow's own web UI; Kiln's console uses the REST API "
        "(its registry calls are REST and are covered by the registry tests)",
}


def pytest_collection_modifyitems(config, items):
    kept = []
    for item in items:
        spec = getattr(item, "callspec", None)
        # test_rest_tracking.py's fixture is `mlflow_client`, test_model_registry.py's is `client`
        if spec is not None and "file" in (spec.params.get("mlflow_client"), spec.params.get("client")):
            continue
        name = item.originalname or item.name
        if name in NOT_APPLICABLE:
            item.add_marker(pytest.mark.skip(reason="not applicable: " + NOT_APPLICABLE[name]))
        kept.append(item)
    items[:] = kept


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_infer_pip_requirements_fallback: MLflow's own marker")
