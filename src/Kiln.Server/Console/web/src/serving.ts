import { call } from "./api";

/** Deployments as the console uses them: Kiln's /api/kiln/deployments (routes, history, rollback) and the replicas' heartbeats. */
export interface DeploymentRoute {
  name: string; model: string; weight: number; shadow: boolean; serving?: string; load_failure?: string;
  flavor?: string; mean_batch_rows?: number; batching?: { max_rows: number; max_wait_ms: number };
}
export interface Deployment { name: string; version: number; updated_at: number; user: string; routes: DeploymentRoute[] }
/** A route's traffic: recent (the replicas' sliding windows) and since the replicas started. */
export interface Traffic { recent_requests: number; recent_errors: number; p50_ms?: number; p95_ms?: number; requests: number; errors: number; latency_ms_sum: number }
export interface RouteRate extends Traffic { route: string; requests_per_second: number }
export interface ReplicaRoute extends RouteRate { model: string; model_name?: string; model_version?: number; loaded_at?: number; load_failure?: string }
export interface Replica { replica: string; host: string; status: "live" | "stale"; started_at: number; last_seen: number; window_seconds: number; routes: ReplicaRoute[] }
export interface Replicas { deployment: string; version: number; time: number; live_within_seconds: number; routes: RouteRate[]; replicas: Replica[] }
export interface DeploymentTraffic { name: string; live_replicas: number; stale_replicas: number; routes: RouteRate[] }

const root = "/api/kiln/deployments";
const enc = encodeURIComponent;

export const listDeployments = () => call<{ deployments: Deployment[] }>("GET", root);
export const getDeployment = (name: string) => call<{ deployment: Deployment }>("GET", `${root}/${enc(name)}`);
export const deploymentHistory = (name: string) => call<{ versions: Deployment[] }>("GET", `${root}/${enc(name)}/history`);
export const rollbackDeployment = (name: string) => call<{ deployment: Deployment }>("POST", `${root}/${enc(name)}/rollback`, {});
export const deploymentReplicas = (name: string) => call<Replicas>("GET", `${root}/${enc(name)}/replicas`);
export const allTraffic = () => call<{ time: number; deployments: DeploymentTraffic[] }>("GET", "/api/kiln/replicas");

export const deploymentHref = (name: string) => `#/deployments/${enc(name)}`;

/** A route's share of the answering traffic ("90%"), or "shadow". */
export function share(route: DeploymentRoute, routes: DeploymentRoute[]): string {
  if (route.shadow) return "shadow";
  const total = routes.filter((r) => !r.shadow).reduce((n, r) => n + r.weight, 0);
  return total ? `${+((100 * route.weight) / total).toFixed(1)}%` : "0%";
}

/** Requests per second as people read them: two decimals under 10, one under 100, whole numbers above. */
export function formatRate(rate: number | undefined): string {
  if (rate === undefined) return "";
  return rate < 10 ? rate.toFixed(2) : rate < 100 ? rate.toFixed(1) : rate.toFixed(0);
}

/** Milliseconds with a unit, or "—" when there were no requests to measure. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "—";
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
