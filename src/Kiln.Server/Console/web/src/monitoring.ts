import { call } from "./api";

/** One feature's drift in a window (GET /api/kiln/deployments/NAME/monitor). */
export interface FeatureDrift { name: string; kind: string; method: string; score: number | string; threshold: number; drifted: boolean; reference_values: number; current_values: number }
/** One feature's data quality in a window. */
export interface FeatureQuality { name: string; kind: string; missing_share: number; reference_missing_share: number; out_of_range_share: number; unseen_share: number; unseen: string[]; issue: boolean }
/** Realised, estimated (CBPE) and baseline metrics. */
export interface Performance { task: string; labelled: number; mean_prediction?: number; realised: Record<string, number>; estimated: Record<string, number>; baseline: Record<string, number> }
/** A deployment's monitoring over one window. */
export interface Snapshot {
  deployment: string; route: string; model: string; from: number; to: number; rows: number; dataset_drift: boolean; drifted_share: number;
  share_threshold: number; features: FeatureDrift[]; quality: FeatureQuality[]; performance: Performance; prediction_drift: PredictionDrift | null;
  history: HistoryPoint[];
}
/** One bucket of the window's history. */
export interface HistoryPoint {
  end: number; rows: number; drifted_share: number; estimated_accuracy: number | string; estimated_roc_auc: number | string;
  realised_accuracy: number | string; labelled: number; scores: Record<string, number | string>;
}
/** The predictions' drift against the model's own predictions on its training rows. */
export interface PredictionDrift { method: string; score: number | string; threshold: number; drifted: boolean }
/** A line of the status list: a deployment's summary, or why it is not monitored. */
export interface StatusLine {
  deployment: string; error?: string; route?: string; model?: string; rows?: number; dataset_drift?: boolean; drifted_share?: number;
  drifted_features?: string[]; quality_issues?: string[]; performance?: Performance; prediction_drift?: PredictionDrift | null;
}
/** An alert raised by a rule. */
export interface Alert {
  id: number; rule: string; rule_version: number; deployment: string; severity: string; state: string; value?: number; message: string;
  fired_at: number; resolved_at?: number; acknowledged_at?: number; acknowledged_by?: string;
}

export const monitoringStatus = (window: string) => call<{ window: string; deployments: StatusLine[] }>("GET", "/api/kiln/monitoring/status", undefined, { window });
export const snapshot = (name: string, window: string) =>
  call<Snapshot>("GET", `/api/kiln/deployments/${encodeURIComponent(name)}/monitor`, undefined, { window });
export const listAlerts = (deployment?: string, state?: string) =>
  call<{ alerts: Alert[] }>("GET", "/api/kiln/monitoring/alerts", undefined, { deployment, state, limit: "100" });
export const acknowledge = (id: number) => call<Alert>("POST", `/api/kiln/monitoring/alerts/${id}/acknowledge`, { user: "console" });
export const monitoringHref = (name: string) => `#/monitoring/${encodeURIComponent(name)}`;
