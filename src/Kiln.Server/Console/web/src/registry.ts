import { call, KeyValue } from "./api";

/** The model registry as the console uses it: MLflow's registered-models and model-versions routes, and Kiln's /api/kiln/models and /api/kiln/audit. */
export interface ModelVersion {
  name: string; version: string; creation_timestamp: number; last_updated_timestamp: number; user_id?: string; current_stage: string;
  description: string; source: string; run_id: string; status: string; tags?: KeyValue[]; run_link: string; aliases?: string[];
}
export interface RegisteredModel {
  name: string; creation_timestamp: number; last_updated_timestamp: number; description?: string; latest_versions?: ModelVersion[];
  tags?: KeyValue[]; aliases?: { alias: string; version: string }[];
}
export interface AliasEvent {
  id: number; name: string; alias: string; version: number | null; previous_version: number | null; time: number; time_iso: string; user: string; action: string; reason?: string;
}
export interface CheckResult { check: string; candidate: number | null; holder: number | null; bound: number | null; passed: boolean; note: string | null }
export interface Verdict {
  id: string; name: string; version: number; alias: string; gate_id: string; passed: boolean; holder_version?: number; created_at: number; user: string;
  result: { alias: string; holder_version?: number | null; candidate_run: string; holder_run?: string | null; data: string; checks: CheckResult[] };
}
export interface GateSpec { gate_id: string; alias: string; yaml: string; created_at: number; user: string }
export interface Promotion {
  id: string; version: number; alias: string; status: string; expected_holder: number; requested_by: string; requested_at: number; forced: boolean;
  reason?: string; decided_by?: string; decided_at?: number;
}
export interface LineageValidation { id: string; errors: number; warnings: number; created_at: number }
export interface LineageData { name: string; digest: string; context: string; versioned: boolean; validations: LineageValidation[] }
export interface Lineage {
  version: { name: string; version: number; source: string; aliases: string[] };
  source_run?: { run_id: string; run_name: string; experiment_id: string; datasets: LineageData[] };
  evaluations: { run_id: string; metrics: Record<string, number>; datasets: LineageData[] }[];
  verdicts: Verdict[]; alias_moves: AliasEvent[];
}
export interface AuditEntry { id: number; time: number; user: string; action: string; resource: string; before: unknown; after: unknown; prev_hash: string; hash: string }
export interface AuditVerification { intact: boolean; entries: number; head: string; problems: string[] }

const mlflow = "/api/2.0/mlflow/";
const root = "/api/kiln/models";
const enc = encodeURIComponent;
const model = (name: string) => `${root}/${enc(name)}`;
/** MLflow's filter grammar quotes a name in single quotes, escaping its own quotes. */
const quoted = (name: string) => `'${name.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

export const searchModels = () =>
  call<{ registered_models?: RegisteredModel[]; next_page_token?: string }>("GET", mlflow + "registered-models/search", undefined, { max_results: "1000", order_by: "name ASC" });
export const getModel = (name: string) => call<{ registered_model: RegisteredModel }>("GET", mlflow + "registered-models/get", undefined, { name });
export const searchVersions = (name: string) =>
  call<{ model_versions?: ModelVersion[]; next_page_token?: string }>("GET", mlflow + "model-versions/search", undefined, { filter: `name=${quoted(name)}`, order_by: "version_number DESC" });
export const getModelVersion = (name: string, version: string) => call<{ model_version: ModelVersion }>("GET", mlflow + "model-versions/get", undefined, { name, version });
export const aliasHistory = (name: string, alias?: string) => call<{ events: AliasEvent[] }>("GET", `${model(name)}/history`, undefined, { alias });
export const listVerdicts = (name: string, version?: string) => call<{ verdicts: Verdict[] }>("GET", `${model(name)}/verdicts`, undefined, { version });
export const gateSpec = (name: string) => call<GateSpec>("GET", `${model(name)}/gate-spec`);
export const listPromotions = (name: string) => call<{ promotions: Promotion[] }>("GET", `${model(name)}/promotions`);
export const promote = (name: string, version: number, alias: string, force: boolean, reason?: string) =>
  call<{ moved?: AliasEvent; pending?: Promotion }>("POST", `${model(name)}/promote`, { version, alias, force, reason });
export const rollback = (name: string, alias: string, reason?: string) => call<{ moved: AliasEvent }>("POST", `${model(name)}/rollback`, { alias, reason });
export const decide = (name: string, alias: string, reject: boolean) => call<{ promotion: Promotion }>("POST", `${model(name)}/approve`, { alias, reject });
export const lineage = (name: string, version: string) => call<Lineage>("GET", `${model(name)}/versions/${enc(version)}/lineage`);
export const card = (name: string, version: string) => call<{ markdown: string; html: string }>("GET", `${model(name)}/versions/${enc(version)}/card`);
export const auditLog = (resource?: string, since?: number, limit = 1000) =>
  call<{ entries: AuditEntry[] }>("GET", "/api/kiln/audit", undefined, { resource, since: since === undefined ? undefined : String(since), limit: String(limit) });
export const verifyAudit = () => call<AuditVerification>("GET", "/api/kiln/audit/verify");

/** Console links: every registry view has its own hash route. */
export const modelHref = (name: string) => `#/models/${enc(name)}`;
export const modelVersionHref = (name: string, version: string | number) => `${modelHref(name)}/versions/${enc(String(version))}`;
export const runHref = (runId: string) => `#/runs/${enc(runId)}`;
export const auditHref = (resource: string) => `#/audit?resource=${enc(resource).replace(/%2F/g, "/")}`;

/** The newest version among a model's latest-per-stage versions. */
export const latestVersion = (m: RegisteredModel) => Math.max(0, ...(m.latest_versions ?? []).map((v) => Number(v.version)));
