using Microsoft.Extensions.Logging;

namespace Hpo.Dashboard;

/// <summary>The dashboard's log messages, source-generated. Event ids are stable: 1-9.</summary>
internal static partial class DashboardLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The dashboard could not read study {Study}; retrying.")]
    public static partial void StudyUnreadable(this ILogger logger, Exception exception, string study);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The dashboard could not preload the studies.")]
    public static partial void PreloadFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The dashboard could not read the storage.")]
    public static partial void StorageUnreadable(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The dashboard could not read study {Study} in the background.")]
    public static partial void BackgroundReadFailed(this ILogger logger, Exception exception, string study);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "The dashboard's warm-up requests failed.")]
    public static partial void WarmUpFailed(this ILogger logger, Exception exception);
}
