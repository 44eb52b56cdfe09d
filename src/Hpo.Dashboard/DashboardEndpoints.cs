using System.Text;
using System.Text.Json;
using Hpo.Storage;
using Hpo.Trials;
using Hpo.Visualization.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hpo.Dashboard;

/// <summary>Maps the dashboard (its page at <c>/</c> and its read-only JSON API under <c>/api/</c>) onto an ASP.NET Core application.</summary>
public static class DashboardEndpoints
{
    /// <summary>How long a request waits for a study's first read before it answers from the storage's own queries.</summary>
    private static readonly TimeSpan QuickAnswerAfter = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Maps the dashboard's endpoints: <c>GET /</c> (the page), <c>GET /api/studies</c>, <c>GET /api/studies/{name}</c>,
    /// <c>GET /api/studies/{name}/trials?offset=&amp;limit=&amp;sort=&amp;order=asc|desc&amp;state=&amp;q=</c>,
    /// <c>GET /api/studies/{name}/trials/{number}</c>, <c>GET /api/studies/{name}/plots/{kind}.svg?param=&amp;param2=</c> and
    /// <c>GET /api/studies/{name}/events</c> (server-sent events: <c>version</c> whenever the study's trials change). Nothing writes.
    /// </summary>
    /// <param name="endpoints">The application's route builder.</param>
    /// <param name="storage">The storage to show; the caller owns it.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where errors are logged; nowhere when <see langword="null"/>.</param>
    /// <returns>The route builder.</returns>
    public static IEndpointRouteBuilder MapHpoDashboard(this IEndpointRouteBuilder endpoints, IStudyStorage storage, DashboardOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(storage);
        options ??= new DashboardOptions();
        options.Validate();
        TimeProvider time = options.TimeProvider ?? TimeProvider.System;
        var cache = new StudyCache(storage, time, options.RefreshInterval);
        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hpo.Dashboard");
        string page = DashboardPage.Html(options.StorageDisplayName ?? "storage");
        // Event streams end when the application stops, so that stopping does not wait for open browsers.
        CancellationToken stopping = endpoints.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;

        if (options.PreloadStudies && endpoints.ServiceProvider.GetService<IHostApplicationLifetime>() is { } lifetime)
        {
            lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => PreloadAsync(cache, logger, stopping)));
        }

        endpoints.MapGet("/", () => Results.Text(page, "text/html; charset=utf-8"));
        endpoints.MapGet("/api/studies", (CancellationToken ct) => Guarded(logger, async () =>
            Results.Json(new { studies = (await cache.ListAsync(ct).ConfigureAwait(false)).Select(DashboardJson.StudyItem).ToArray() }, DashboardJson.Options)));
        // While a large study is read for the first time, the summary and the default page of trials come from the storage's own
        // queries (counts, best trial, trials by number), so that the page paints at once; the read goes on for the next request.
        async Task<(StudyView? View, StudyRecord? Study, bool Found)> ViewOrStudyAsync(string name, CancellationToken ct)
        {
            // On the thread pool: a storage whose reads complete synchronously (SQLite) must not hold this request for the whole read.
            Task<StudyView?> loading = Task.Run(() => cache.GetAsync(name, CancellationToken.None));
            if (await Task.WhenAny(loading, Task.Delay(QuickAnswerAfter, time, ct)).ConfigureAwait(false) == loading)
            {
                StudyView? loaded = await loading.ConfigureAwait(false);
                return (loaded, loaded?.Study, loaded is not null);
            }

            StudyRecord? study = await storage.GetStudyAsync(name, ct).ConfigureAwait(false);
            return (null, study, study is not null);
        }

        endpoints.MapGet("/api/studies/{name}", (string name, CancellationToken ct) => Guarded(logger, async () =>
        {
            (StudyView? view, StudyRecord? study, bool found) = await ViewOrStudyAsync(name, ct).ConfigureAwait(false);
            if (!found)
            {
                return NotFound(name);
            }

            if (view is not null)
            {
                return Results.Json(DashboardJson.Summary(view), DashboardJson.Options);
            }

            TrialCounts counts = await storage.GetTrialCountsAsync(study!.Id, ct).ConfigureAwait(false);
            TrialRecord? best = await storage.GetBestTrialAsync(study.Id, ct).ConfigureAwait(false);
            return Results.Json(DashboardJson.Summary(study, counts, best, 0, time.GetUtcNow()), DashboardJson.Options);
        }));
        endpoints.MapGet("/api/studies/{name}/trials", (string name, HttpRequest request, CancellationToken ct) => Guarded(logger, async () =>
        {
            (StudyView? view, StudyRecord? study, bool found) = await ViewOrStudyAsync(name, ct).ConfigureAwait(false);
            if (!found)
            {
                return NotFound(name);
            }

            TrialQuery query = TrialQuery.Parse(k => request.Query[k].FirstOrDefault(), options.MaxPageSize, [.. study!.Definition.SearchSpace.Parameters.Select(p => p.Name)]);
            if (view is null)
            {
                if (query.Sort == "number" && query.States is null && query.Text is null)
                {
                    int total = (await storage.GetTrialCountsAsync(study.Id, ct).ConfigureAwait(false)).Total;
                    var quick = new List<TrialRecord>(query.Limit);
                    for (int k = 0; k < query.Limit; k++)
                    {
                        int number = query.Descending ? total - 1 - query.Offset - k : query.Offset + k;
                        if (number >= 0 && number < total && await storage.GetTrialAsync(study.Id, number, ct).ConfigureAwait(false) is { } trial)
                        {
                            quick.Add(trial);
                        }
                    }

                    return Results.Json(new
                    {
                        version = 0L,
                        total,
                        matched = total,
                        offset = query.Offset,
                        limit = query.Limit,
                        sort = query.Sort,
                        order = query.Descending ? "desc" : "asc",
                        rows = quick.Select(DashboardJson.Row).ToArray(),
                    }, DashboardJson.Options);
                }

                // Sorting and filtering need every trial: wait for the read.
                view = await cache.GetAsync(name, ct).ConfigureAwait(false);
                if (view is null)
                {
                    return NotFound(name);
                }
            }

            (int matched, IReadOnlyList<TrialRecord> rows) = query.Run(view);
            return Results.Json(new
            {
                version = view.Version,
                total = view.Trials.Length,
                matched,
                offset = query.Offset,
                limit = query.Limit,
                sort = query.Sort,
                order = query.Descending ? "desc" : "asc",
                rows = rows.Select(DashboardJson.Row).ToArray(),
            }, DashboardJson.Options);
        }));
        endpoints.MapGet("/api/studies/{name}/trials/{number:int}", (string name, int number, CancellationToken ct) => Guarded(logger, async () =>
        {
            if (await cache.GetAsync(name, ct).ConfigureAwait(false) is not { } view)
            {
                return NotFound(name);
            }

            TrialRecord? trial = number >= 0 && number < view.Trials.Length && view.Trials[number].Number == number
                ? view.Trials[number]
                : Array.Find(view.Trials, t => t.Number == number);
            return trial is not null
                ? Results.Json(DashboardJson.Detail(trial), DashboardJson.Options)
                : Results.Json(new { error = $"Study '{name}' has no trial number {number} (it has {view.Trials.Length})." }, DashboardJson.Options, statusCode: 404);
        }));
        endpoints.MapGet("/api/studies/{name}/plots/{kind}.svg", (string name, string kind, HttpRequest request, CancellationToken ct) => Guarded(logger, async () =>
        {
            if (await cache.GetAsync(name, ct).ConfigureAwait(false) is not { } view)
            {
                return NotFound(name);
            }

            PlotKind plot = PlotKinds.Parse(kind);
            string? param = request.Query["param"].FirstOrDefault();
            string? param2 = request.Query["param2"].FirstOrDefault();
            string svg = (string)view.Memo.GetOrAdd($"plot:{plot}:{param}:{param2}", _ =>
                StudyPlotter.RenderSvg(view.Data, plot, new PlotOptions { Parameter = param, SecondParameter = param2, MaxItems = 5000, Width = 900, Height = 480 }));
            return Results.Text(svg, "image/svg+xml; charset=utf-8");
        }));
        endpoints.MapGet("/api/studies/{name}/events", async (string name, HttpContext context) =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            CancellationToken ct = linked.Token;
            StudyView? view;
            try
            {
                view = await cache.GetAsync(name, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Error(logger, e).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            if (view is null)
            {
                await NotFound(name).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            context.Response.Headers.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            long sent = -1;
            DateTimeOffset lastWrite = time.GetUtcNow();
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    try
                    {
                        view = await cache.GetAsync(name, ct).ConfigureAwait(false) ?? view;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // A storage that is briefly unreachable (a restarting database) is reported to the page, and the stream goes on.
                        logger.StudyUnreadable(e, name);
                        await WriteEventAsync(context, "unavailable", JsonSerializer.Serialize(new { error = ErrorText(e) }, DashboardJson.Options), ct).ConfigureAwait(false);
                    }

                    if (view.Version != sent)
                    {
                        sent = view.Version;
                        await WriteEventAsync(context, "version", JsonSerializer.Serialize(new { version = view.Version, counts = DashboardJson.Counts(view.Data.Counts) }, DashboardJson.Options), ct).ConfigureAwait(false);
                        lastWrite = time.GetUtcNow();
                    }
                    else if (time.GetUtcNow() - lastWrite > TimeSpan.FromSeconds(15))
                    {
                        await context.Response.WriteAsync(": keep-alive\n\n", ct).ConfigureAwait(false);
                        await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                        lastWrite = time.GetUtcNow();
                    }

                    await Task.Delay(options.RefreshInterval, time, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The browser went away.
            }
        });
        return endpoints;
    }

    private static async Task PreloadAsync(StudyCache cache, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            foreach (StudyListItem item in await cache.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                await cache.GetAsync(item.Study.Name, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server stopped first.
        }
        catch (Exception e) when (e is HpoException or InvalidOperationException or IOException or TimeoutException or System.Data.Common.DbException)
        {
            // The first request reads (and reports) it again.
            logger.PreloadFailed(e);
        }
    }

    private static async Task WriteEventAsync(HttpContext context, string name, string json, CancellationToken ct)
    {
        await context.Response.WriteAsync($"event: {name}\ndata: {json}\n\n", Encoding.UTF8, ct).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
    }

    private static IResult NotFound(string name) =>
        Results.Json(new { error = $"There is no study named '{name}'." }, DashboardJson.Options, statusCode: StatusCodes.Status404NotFound);

    private static async Task<IResult> Guarded(ILogger logger, Func<Task<IResult>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return Results.Json(new { error = e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal) }, DashboardJson.Options, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (Exception e) when (e is HpoException or InvalidOperationException or IOException or TimeoutException or System.Data.Common.DbException)
        {
            return Error(logger, e);
        }
    }

    private static IResult Error(ILogger logger, Exception e)
    {
        logger.StorageUnreadable(e);
        return Results.Json(new { error = ErrorText(e) }, DashboardJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static string ErrorText(Exception e) => "The storage could not be read: " + Hpo.Storage.StudyStorage.Redact(e.Message);
}
