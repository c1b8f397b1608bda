using Kiln.Storage.Sql.Tracking;

namespace Kiln.Storage.Sql;

/// <summary>
/// Every schema change of the SQL metadata store, in order, for both dialects. A feature adds its tables here as the
/// next version (its schema file sits in its own folder, as <see cref="TrackingSchema"/> does); versions are global
/// because one <c>schema_migrations</c> table records them.
/// </summary>
internal static class SchemaMigrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "tracking", TrackingSchema.V1),
        new(2, "metric history step ranges", TrackingSchema.V2),
        new(3, "datasets", Data.DataSchema.V3),
        new(4, "dataset stat cache", Data.DataSchema.V4),
        new(5, "dataset tags, schemas and validations", Data.DataSchema.V5),
        new(6, "model registry", Registry.RegistrySchema.V6),
        new(7, "gates, verdicts and promotions", Registry.RegistrySchema.V7),
        new(8, "audit log", Audit.SqlAuditStore.Schema),
        new(9, "webhooks and their outbox", Webhooks.SqlWebhookStore.Schema),
        new(10, "deployments", Serving.SqlDeploymentStore.Schema),
        new(11, "prediction log", Serving.PredictionLogSchema.V11),
        new(12, "serving replicas", Serving.SqlReplicaStore.Schema),
        new(13, "alert rules, windows and alerts", Monitoring.SqlAlertStore.Schema),
        new(14, "monitoring slices and the labelled rows' index", Monitoring.SqlMonitorSliceStore.Schema),
        new(15, "the labelled rows' index covers what realised performance reads", Monitoring.SqlMonitorSliceStore.CoveringLabelledIndex),
        new(16, "pipelines, their runs and steps, and the step cache", Pipelines.SqlPipelineStore.Schema),
        new(17, "prediction log inputs as arrays, their names kept once", Serving.PredictionLogSchema.V17),
        new(18, "the prediction log as segments, with request-id keys and a labels table", Serving.PredictionLogSchema.V18),
    ];
}
