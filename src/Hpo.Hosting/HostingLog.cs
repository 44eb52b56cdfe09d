using Microsoft.Extensions.Logging;

namespace Hpo.Hosting;

/// <summary>
/// Hpo.Hosting's log messages outside the hosted worker (whose own are on <see cref="HpoWorkerService"/>, event ids 1 and 2),
/// source-generated. Event ids are stable: 10-19.
/// </summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Hpo storage: {Storage}.")]
    public static partial void StorageOpened(this ILogger logger, string storage);
}
