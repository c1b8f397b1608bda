import { call } from "./api";

/** Kiln's dataset API (/api/kiln/datasets) as the console uses it; names and versions are URL-encoded into the path. */
export interface DatasetVersion {
  dataset: string; version_id: string; message: string; user_id: string; created_at: number; file_count: number; total_bytes: number; tags: Record<string, string>;
}
export interface DatasetSummary { name: string; created_at: number; version_count: number; latest?: DatasetVersion }
export interface VersionFile { path: string; hash: string; size: number }

/** A number in a profile or result: non-finite ones are written as the strings "NaN", "Infinity", "-Infinity". */
export type Num = number | string;
export interface ColumnStats {
  name: string; kind: string; count: number; missingCount: number; distinctEstimate: number;
  numeric?: { min: Num; max: Num; mean: Num; standardDeviation: Num; histogram?: { edges: Num[]; counts: number[] } };
  categorical?: { categories: { category: string; count: number }[] };
  text?: { distinctCount: number };
}
export interface TableStats { path: string; profile: { rowCount: number; columns: ColumnStats[] } }

export interface ColumnChange {
  column: string; change: string; kind_before?: string | null; kind_after?: string | null; missing_before?: Num | null; missing_after?: Num | null;
  distinct_before?: number | null; distinct_after?: number | null; mean_before?: Num | null; mean_after?: Num | null; method?: string | null; distance?: Num | null;
}
export interface FileChange { path: string; change: string; old_size?: number; new_size?: number; table?: string; columns?: ColumnChange[] }
export interface LineageRun { run_id: string; run_name: string; experiment_id: string; status: string; context: string }
export interface Schema { schema_id: string; yaml: string; created_at: number; user_id: string }
export interface ValidationSummary {
  id: string; version_id: string; against_version_id?: string; schema_id: string; created_at: number; user_id: string; errors: number; warnings: number;
}
export interface Anomaly { severity: string; type: string; file: string; column?: string; description: string }
export interface Comparison {
  file: string; column: string; kind: string; threshold?: Num; shifted: boolean;
  distribution: { method: string; distance: Num; labels: string[]; reference: Num[]; current: Num[] };
}
export interface Validation {
  id: string; dataset: string; version: string; against?: string; schema_id: string; created_at: number;
  files: { file: string; rows: number; reference_file?: string; reference_rows?: number }[];
  anomalies: Anomaly[]; columns: Comparison[]; errors: number; warnings: number; passed: boolean;
}

const root = "/api/kiln/datasets";
const enc = encodeURIComponent;
const at = (name: string, version: string) => `${root}/${enc(name)}/versions/${enc(version)}`;

export const listDatasets = () => call<{ datasets: DatasetSummary[] }>("GET", root);
export const listVersions = (name: string) => call<{ versions: DatasetVersion[] }>("GET", `${root}/${enc(name)}/versions`);
export const getVersion = (name: string, version: string) => call<{ version: DatasetVersion; files: VersionFile[] }>("GET", at(name, version));
export const versionStats = (name: string, version: string) => call<{ version_id: string; tables: TableStats[] }>("GET", at(name, version) + "/stats");
export const versionLineage = (name: string, version: string) => call<{ version_id: string; runs: LineageRun[] }>("GET", at(name, version) + "/lineage");
export const diffVersions = (name: string, from: string, to: string) =>
  call<{ from: string; to: string; changes: FileChange[] }>("GET", `${root}/${enc(name)}/diff`, undefined, { from, to });
export const listSchemas = (name: string) => call<{ schemas: Schema[] }>("GET", `${root}/${enc(name)}/schemas`);
export const listValidations = (name: string, version?: string) =>
  call<{ validations: ValidationSummary[] }>("GET", `${root}/${enc(name)}/validations`, undefined, { version });
export const getValidation = (name: string, id: string) => call<{ validation: Validation }>("GET", `${root}/${enc(name)}/validations/${enc(id)}`);
export const reportUrl = (name: string, id: string) => `${root}/${enc(name)}/validations/${enc(id)}/report`;
export const fileUrl = (name: string, version: string, path: string) => `${at(name, version)}/files/${path.split("/").map(enc).join("/")}`;

/** Console links: every dataset view has its own hash route. */
export const datasetHref = (name: string) => `#/datasets/${enc(name)}`;
export const versionHref = (name: string, version: string) => `${datasetHref(name)}/versions/${enc(version)}`;
export const validationHref = (name: string, id: string) => `${datasetHref(name)}/validations/${enc(id)}`;
export const diffHref = (name: string, from: string, to: string) => `${datasetHref(name)}/diff?from=${enc(from)}&to=${enc(to)}`;

/** A version id as people read it: "blake3:" and the first 12 hex digits (a unique prefix in practice). */
export const shortId = (id: string | undefined) => (id ?? "").slice(0, 19);

/** A profile number as a number (NaN when it is missing or one of the named non-finite literals). */
export const num = (v: Num | null | undefined): number => (v === undefined || v === null ? NaN : Number(v));
