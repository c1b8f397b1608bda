using Kiln.Engine.Packaging;
using Kiln.Engine.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiln.Hosting.Training;

/// <summary>Registers training, search and model packages.</summary>
public static class TrainingRegistration
{
    /// <summary>Adds <see cref="TrainingSession"/>, <see cref="HyperparameterSearch"/> and the <see cref="ModelLocator"/> (<c>runs:/</c> resolution).</summary>
    public static IServiceCollection AddKilnTraining(this IServiceCollection services)
    {
        services.TryAddSingleton(Kiln.Flavors.KilnFlavors.All);
        services.TryAddTransient<TrainingSession>();
        services.TryAddTransient(sp => new Kiln.Engine.Scoring.BatchScoringRecorder(sp.GetRequiredService<Kiln.Engine.Tracking.ITracking>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetService<Kiln.Engine.Registry.IModelFiles>()));
        services.TryAddTransient(sp => new Kiln.Engine.Explanations.ExplanationRecorder(sp.GetRequiredService<Kiln.Engine.Tracking.ITracking>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddTransient<HyperparameterSearch>();
        services.TryAddTransient(sp => new Kiln.Engine.Evaluation.EvaluationService(sp.GetRequiredService<Kiln.Engine.Tracking.ITracking>(), sp.GetRequiredService<ModelLocator>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<Kiln.Engine.Registry.IModelFiles>(), sp.GetRequiredService<Kiln.Engine.Flavors.FlavorCatalog>()));
        services.TryAddSingleton(sp => new ModelLocator(sp.GetRequiredService<Kiln.Engine.Tracking.ITracking>(), sp.GetService<Kiln.Engine.Registry.IModelFiles>()));
        return services;
    }
}
