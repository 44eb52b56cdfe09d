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
    /// <summary>
    /// Maps the dashboard's endpoints: <c>GET /</c> (the page), <c>GET /api/studies</c>, <c>GET /api/studies/{name}</c>,
    /// <c>GET /api/studies/{name}/trials?offset=&amp;limit=&amp;sort=&amp;order=asc|desc&amp;state=&amp;q=&amp;value=MIN..MAX&amp;duration=MIN..MAX&amp;param:NAME=MIN..MAX|CHOICE,CHOICE</c>,
    /// <c>GET /api/studies/{name}/trials/{number}</c>, <c>GET /api/studies/{name}/plots/{kind}.svg?param=&amp;param2=</c>, <c>GET /api/studies/{name}/plots/{history|slice}.json?param=</c> (the interactive plots' data) and
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
        options = options?.Clone() ?? new DashboardOptions();
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
        IStudyQueryStorage queries = storage.AsQueryStorage();

        // Until a study's trials have been read once, every answer comes from the storage's own queries (counts, best trial, a page
        // of trials filtered and sorted by IStudyQueryStorage) without waiting: the first paint of a 100,000-trial study does not wait
        // for the full read, which goes on in the background for the plots and the next requests.
        async Task<(StudyView? View, StudyRecord? Study)> ViewOrStudyAsync(string name, HttpRequest request, CancellationToken ct)
        {
            if (cache.HasView(name))
            {
                StudyView? loaded = await cache.GetAsync(name, ct).ConfigureAwait(false);
                return (loaded, loaded?.Study);
            }

            StudyRecord? study = await storage.GetStudyAsync(name, ct).ConfigureAwait(false);
            if (study is not null && !DashboardWarmUp.IsWarmUp(request))
            {
                // On the thread pool: a storage whose reads complete synchronously (SQLite) must not hold this request.
                _ = Task.Run(() => LoadAsync(cache, name, logger, stopping), CancellationToken.None);
            }

            return (null, study);
        }

        endpoints.MapGet("/api/studies/{name}", (string name, HttpRequest request, CancellationToken ct) => Guarded(logger, async () =>
        {
            (StudyView? view, StudyRecord? study) = await ViewOrStudyAsync(name, request, ct).ConfigureAwait(false);
            if (study is null)
            {
                return NotFound(name);
            }

            if (view is not null)
            {
                return Results.Json(DashboardJson.Summary(view), DashboardJson.Options);
            }

            // The page asks for the studies list just before: its counts and best trial are reused while fresh (the best trial is a
            // scan of the study's values in SQLite).
            if (cache.FreshListItem(name) is { } item && item.Study.Id == study.Id)
            {
                return Results.Json(DashboardJson.Summary(study, item.Counts, item.Best, 0, time.GetUtcNow()), DashboardJson.Options);
            }

            TrialCounts counts = await storage.GetTrialCountsAsync(study.Id, ct).ConfigureAwait(false);
            TrialRecord? best = await storage.GetBestTrialAsync(study.Id, ct).ConfigureAwait(false);
            return Results.Json(DashboardJson.Summary(study, counts, best, 0, time.GetUtcNow()), DashboardJson.Options);
        }));
        endpoints.MapGet("/api/studies/{name}/trials", (string name, HttpRequest request, CancellationToken ct) => Guarded(logger, async () =>
        {
            (StudyView? view, StudyRecord? study) = await ViewOrStudyAsync(name, request, ct).ConfigureAwait(false);
            if (study is null)
            {
                return NotFound(name);
            }

            TrialQuery query = TrialTableQuery.Parse(request.Query.Select(q => new KeyValuePair<string, string?>(q.Key, q.Value.FirstOrDefault())), options.MaxPageSize, study.Definition);
            TrialPage page = view is not null
                ? TrialTableQuery.Run(query, view)
                : await queries.QueryTrialsAsync(study.Id, query, ct).ConfigureAwait(false);
            return Results.Json(new
            {
                version = view?.Version ?? 0L,
                total = page.Total,
                matched = page.Matched,
                offset = query.Offset,
                limit = query.Limit,
                sort = query.Sort == TrialSortColumn.Parameter ? "param:" + query.SortParameter : query.Sort.ToString().ToLowerInvariant(),
                order = query.Descending ? "desc" : "asc",
                rows = page.Trials.Select(DashboardJson.Row).ToArray(),
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
        endpoints.MapGet("/api/studies/{name}/plots/{kind}.json", (string name, string kind, HttpRequest request, CancellationToken ct) => Guarded(logger, async () =>
        {
            if (await cache.GetAsync(name, ct).ConfigureAwait(false) is not { } view)
            {
                return NotFound(name);
            }

            PlotKind plot = PlotKinds.Parse(kind);
            string? param = request.Query["param"].FirstOrDefault();
            if (plot is not (PlotKind.History or PlotKind.Slice))
            {
                throw new ArgumentException($"The interactive plot kind must be history or slice, but got '{kind}' (the other kinds are at plots/{{kind}}.svg).", nameof(kind));
            }

            string json = (string)view.Memo.GetOrAdd($"live:{plot}:{param}", _ => plot == PlotKind.History
                ? InteractivePlot.HistoryJson(view.Data)
                : InteractivePlot.SliceJson(view.Data, param ?? throw new ArgumentException("The slice plot needs query parameter 'param' (a parameter's name).", "param")));
            return Results.Text(json, "application/json; charset=utf-8");
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

    private static async Task LoadAsync(StudyCache cache, string name, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await cache.GetAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server stopped first.
        }
        catch (Exception e) when (e is HpoException or InvalidOperationException or IOException or TimeoutException or System.Data.Common.DbException)
        {
            // The next request reads (and reports) it again.
            logger.BackgroundReadFailed(e, name);
        }
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
