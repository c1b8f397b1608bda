/** Kiln's REST API (MLflow's routes) as the console uses it: every rule and error message is the server's. */
export interface Metric { key: string; value: number; timestamp: number; step: number }
export interface KeyValue { key: string; value: string }
export interface RunInfo {
  run_id: string; run_name: string; experiment_id: string; status: string; start_time?: number; end_time?: number;
  lifecycle_stage: string; artifact_uri: string; user_id?: string;
}
export interface DatasetInput { dataset: { name: string; digest: string; source?: string }; tags?: KeyValue[] }
export interface Run { info: RunInfo; data: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] }; inputs?: { dataset_inputs?: DatasetInput[] } }
export interface Experiment { experiment_id: string; name: string; lifecycle_stage: string; creation_time?: number; last_update_time?: number; tags?: KeyValue[] }
export interface RunMetric extends Metric { run_id: string }
export interface FileInfo { path: string; is_dir: boolean; file_size?: number }

export class ApiError extends Error {
  constructor(public code: string, message: string) { super(message); }
}

/** One request to the server: JSON in and out; a 4xx/5xx becomes an ApiError carrying the server's error_code and message. */
export async function call<T>(method: string, path: string, body?: unknown, query?: Record<string, string | string[] | undefined>): Promise<T> {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
  }
  const response = await fetch(url, {
    method,
    headers: body === undefined ? undefined : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) throw new ApiError(json.error_code ?? String(response.status), json.message ?? text);
  return json as T;
}

const api = "/api/2.0/mlflow/";

export const searchExperiments = (viewType = "ACTIVE_ONLY") =>
  call<{ experiments?: Experiment[] }>("POST", api + "experiments/search", { max_results: 1000, order_by: ["experiment_id ASC"], view_type: viewType });
export const getExperiment = (id: string) => call<{ experiment: Experiment }>("GET", api + "experiments/get", undefined, { experiment_id: id });
export const searchRuns = (experimentId: string, filter: string, orderBy: string[], maxResults: number, pageToken?: string) =>
  call<{ runs?: Run[]; next_page_token?: string }>("POST", api + "runs/search", {
    experiment_ids: [experimentId], filter, order_by: orderBy, max_results: maxResults, page_token: pageToken, run_view_type: "ACTIVE_ONLY",
  });
export const getRun = (id: string) => call<{ run: Run }>("GET", api + "runs/get", undefined, { run_id: id });
export const renameRun = (id: string, name: string) => call<unknown>("POST", api + "runs/update", { run_id: id, run_name: name });
export const setTag = (id: string, key: string, value: string) => call<unknown>("POST", api + "runs/set-tag", { run_id: id, key, value });
export const deleteTag = (id: string, key: string) => call<unknown>("POST", api + "runs/delete-tag", { run_id: id, key });
export const deleteExperiment = (id: string) => call<unknown>("POST", api + "experiments/delete", { experiment_id: id });
export const restoreExperiment = (id: string) => call<unknown>("POST", api + "experiments/restore", { experiment_id: id });
export const deleteRun = (id: string) => call<unknown>("POST", api + "runs/delete", { run_id: id });
export const restoreRun = (id: string) => call<unknown>("POST", api + "runs/restore", { run_id: id });
export const historyInterval = (runIds: string[], key: string, maxResults = 1000) =>
  call<{ metrics?: RunMetric[] }>("GET", api + "metrics/get-history-bulk-interval", undefined, { run_ids: runIds, metric_key: key, max_results: String(maxResults) });
export const listArtifacts = (runId: string, path?: string) =>
  call<{ files?: FileInfo[] }>("GET", api + "artifacts/list", undefined, { run_id: runId, path });
export const artifactUrl = (runId: string, path: string) => `/get-artifact?run_id=${encodeURIComponent(runId)}&path=${encodeURIComponent(path)}`;
