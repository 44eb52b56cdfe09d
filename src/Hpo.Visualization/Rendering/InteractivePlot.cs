using System.Globalization;
using System.Text;
using System.Text.Json;
using Hpo.Trials;
using Hpo.Visualization.Plots;

namespace Hpo.Visualization.Rendering;

/// <summary>
/// Interactive plots for web pages: the data of the optimization history and of a slice plot as JSON, and our own small script
/// (<see cref="Script"/>, no third-party code, no external URL) that draws them as SVG with a tooltip per trial (number, value,
/// state, parameters), zoom (drag a rectangle, or the mouse wheel; double-click resets) and a callback when a point is clicked.
/// </summary>
/// <remarks>
/// Past <c>maxPoints</c> trials the points are thinned: every trial that improved the best value is kept, and an even stride of
/// the others, so that the browser stays responsive at 100,000 trials; the JSON says how many trials it stands for. Added in 0.3.
/// </remarks>
public static class InteractivePlot
{
    /// <summary>The default most points drawn per plot.</summary>
    public const int DefaultMaxPoints = 5000;

    /// <summary>Gets the style sheet the plots need (tooltip, selection rectangle).</summary>
    public static string Css => """
        .hpo-plot-box { position: relative; }
        .hpo-plot-box svg { width: 100%; height: auto; display: block; user-select: none; font: 12px system-ui, sans-serif; }
        .hpo-tip { position: absolute; pointer-events: none; background: rgba(255,255,255,.96); border: 1px solid #9aa3b5; border-radius: 4px; padding: 4px 8px; font-size: 12px; white-space: nowrap; box-shadow: 0 1px 4px rgba(0,0,0,.15); z-index: 5; }
        .hpo-tip b { font-weight: 600; }
        .hpo-plot-note { font-size: 12px; color: #5b6475; }
        """;

    /// <summary>Gets the script: it defines <c>HpoPlot.render(element, data, onPick)</c>, where <c>data</c> is the JSON of <see cref="HistoryJson"/> or <see cref="SliceJson"/>.</summary>
    public static string Script => ScriptText;

    /// <summary>Gets the optimization history as the script's JSON: each complete trial's value by number, and the best value so far.</summary>
    /// <param name="data">The study.</param>
    /// <param name="maxPoints">The most points drawn.</param>
    /// <returns>The JSON.</returns>
    public static string HistoryJson(StudyData data, int maxPoints = DefaultMaxPoints)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        OptimizationHistory history = OptimizationHistory.Compute(data);
        IReadOnlyList<HistoryPoint> all = history.Points;
        bool[] keep = Thin(all.Count, maxPoints, i => all[i].IsImprovement);
        var best = new List<double[]>();
        var points = new List<(double X, double Y, int Number)>();
        for (int i = 0; i < all.Count; i++)
        {
            if (all[i].IsImprovement || i == all.Count - 1)
            {
                best.Add([all[i].Number, all[i].BestSoFar]);
            }

            if (keep[i])
            {
                points.Add((all[i].Number, all[i].Value, all[i].Number));
            }
        }

        return Json(data, "Optimization history", "trial", false, null, points, best, all.Count);
    }

    /// <summary>Gets the slice plot of one parameter as the script's JSON: each complete trial's value against the parameter.</summary>
    /// <param name="data">The study.</param>
    /// <param name="parameter">The parameter's name.</param>
    /// <param name="maxPoints">The most points drawn.</param>
    /// <returns>The JSON.</returns>
    /// <exception cref="ArgumentException">The study has no parameter of that name.</exception>
    public static string SliceJson(StudyData data, string parameter, int maxPoints = DefaultMaxPoints)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        SlicePlot slice = SlicePlot.Compute(data, parameter);
        int? bestNumber = data.BestTrial?.Number;
        bool[] keep = Thin(slice.Points.Count, maxPoints, i => slice.Points[i].Number == bestNumber);
        var points = new List<(double X, double Y, int Number)>();
        for (int i = 0; i < slice.Points.Count; i++)
        {
            if (keep[i])
            {
                points.Add((slice.Points[i].X, slice.Points[i].Value, slice.Points[i].Number));
            }
        }

        ParameterAxis axis = slice.Axis;
        return Json(data, "Slice: " + axis.Name, axis.Name, axis.Log, axis.IsCategorical ? axis.Categories : null, points, [], slice.Points.Count);
    }

    /// <summary>Keeps every point when they fit, else the marked ones and an even stride of the rest.</summary>
    private static bool[] Thin(int count, int maxPoints, Func<int, bool> mustKeep)
    {
        bool[] keep = new bool[count];
        int marked = 0;
        for (int i = 0; i < count; i++)
        {
            keep[i] = count <= maxPoints || mustKeep(i);
            marked += keep[i] ? 1 : 0;
        }

        if (count > maxPoints)
        {
            int room = Math.Max(1, maxPoints - marked);
            double stride = (double)count / room;
            for (double at = 0; at < count; at += stride)
            {
                keep[(int)at] = true;
            }
        }

        return keep;
    }

    private static string Json(StudyData data, string title, string xLabel, bool xLog, IReadOnlyList<string>? categories, List<(double X, double Y, int Number)> points, List<double[]> best, int represented)
    {
        var byNumber = new Dictionary<int, TrialRecord>(data.CompleteTrials.Count);
        foreach (TrialRecord t in data.CompleteTrials)
        {
            byNumber[t.Number] = t;
        }

        string[] names = [.. data.SearchSpace.Parameters.Select(p => p.Name)];
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("title", title);
            w.WriteString("xLabel", xLabel);
            w.WriteString("yLabel", "value");
            w.WriteBoolean("xLog", xLog);
            w.WriteString("direction", data.Direction == StudyDirection.Minimize ? "minimize" : "maximize");
            w.WriteNumber("represented", represented);
            if (categories is null)
            {
                w.WriteNull("categories");
            }
            else
            {
                w.WriteStartArray("categories");
                foreach (string c in categories)
                {
                    w.WriteStringValue(c);
                }

                w.WriteEndArray();
            }

            w.WriteStartArray("params");
            foreach (string n in names)
            {
                w.WriteStringValue(n);
            }

            w.WriteEndArray();

            // Each point: [x, y, number, [parameter labels in "params" order, "" when absent]].
            w.WriteStartArray("points");
            foreach ((double x, double y, int number) in points)
            {
                w.WriteStartArray();
                w.WriteNumberValue(x);
                w.WriteNumberValue(y);
                w.WriteNumberValue(number);
                w.WriteStartArray();
                TrialRecord? t = byNumber.GetValueOrDefault(number);
                foreach (string n in names)
                {
                    w.WriteStringValue(t is not null && t.Parameters.TryGetValue(n, out object? v) ? ParameterAxis.Label(v) : string.Empty);
                }

                w.WriteEndArray();
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteStartArray("best");
            foreach (double[] b in best)
            {
                w.WriteStartArray();
                w.WriteNumberValue(b[0]);
                w.WriteNumberValue(b[1]);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Escapes JSON for a <c>&lt;script type="application/json"&gt;</c> element (no <c>&lt;/script&gt;</c> can end it early).</summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The escaped JSON.</returns>
    public static string ForScriptElement(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return json.Replace("<", "\\u003c", StringComparison.Ordinal).Replace(">", "\\u003e", StringComparison.Ordinal).Replace("&", "\\u0026", StringComparison.Ordinal);
    }

    private const string ScriptText = """
        var HpoPlot = (function () {
          'use strict';
          var NS = 'http://www.w3.org/2000/svg';
          var W = 900, H = 460, L = 72, R = 16, T = 28, B = 46;
          function node(tag, attrs, parent) {
            var e = document.createElementNS(NS, tag);
            Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
            if (parent) { parent.appendChild(e); }
            return e;
          }
          function fmt(v) {
            if (!isFinite(v)) { return String(v); }
            var a = Math.abs(v);
            if (a !== 0 && (a < 1e-3 || a >= 1e6)) { return v.toExponential(3).replace(/\.?0+e/, 'e'); }
            return String(Number(v.toPrecision(6)));
          }
          function ticks(lo, hi, count) {
            var span = hi - lo; if (!(span > 0)) { return [lo]; }
            var step = Math.pow(10, Math.floor(Math.log10(span / count)));
            var err = span / count / step;
            step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
            var out = [];
            for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) { out.push(Math.abs(v) < step * 1e-9 ? 0 : v); }
            return out;
          }
          function jitter(n) { var h = Math.sin(n * 12.9898) * 43758.5453; return (h - Math.floor(h) - 0.5) * 0.5; }
          function render(box, d, onPick) {
            box.textContent = '';
            box.classList.add('hpo-plot-box');
            var cat = d.categories;
            var fx = function (x) { return d.xLog ? Math.log10(x) : x; };
            var pts = d.points.map(function (p) { return { x: cat ? p[0] + jitter(p[2]) : fx(p[0]), y: p[1], n: p[2], p: p[3], raw: p[0] }; });
            var best = d.best.map(function (b) { return { x: fx(b[0]), y: b[1] }; });
            function extent(values, pad) {
              var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
              if (!isFinite(lo)) { lo = 0; hi = 1; }
              if (hi === lo) { lo -= 0.5; hi += 0.5; }
              var m = (hi - lo) * pad; return [lo - m, hi + m];
            }
            var xs = pts.map(function (p) { return p.x; }), ys = pts.map(function (p) { return p.y; });
            var ex = cat ? [-0.5, cat.length - 0.5] : extent(xs.length ? xs : [0, 1], 0.03);
            var ey = extent(ys.length ? ys : [0, 1], 0.05);
            var home = { x0: ex[0], x1: ex[1], y0: ey[0], y1: ey[1] };
            // A live page re-renders the same plot as trials arrive: a view the user zoomed stays until they reset it.
            var key = [d.title, d.xLog ? 'log' : 'linear', cat ? cat.join('\u0001') : ''].join('\u0002');
            var kept = box.hpoZoom && box.hpoZoom.key === key ? box.hpoZoom.view : null;
            var view = kept ? { x0: kept.x0, x1: kept.x1, y0: kept.y0, y1: kept.y1 } : { x0: home.x0, x1: home.x1, y0: home.y0, y1: home.y1 };
            function zoomed(yes) { box.hpoZoom = yes ? { key: key, view: view } : null; }
            var svg = node('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': d.title });
            box.appendChild(svg);
            var tip = document.createElement('div'); tip.className = 'hpo-tip'; tip.hidden = true; box.appendChild(tip);
            var note = document.createElement('div'); note.className = 'hpo-plot-note';
            note.textContent = (pts.length < d.represented ? pts.length + ' of ' + d.represented + ' trials drawn (every improvement kept). ' : d.represented + ' trials. ')
              + 'Hover a point for its trial, drag a rectangle or use the wheel to zoom, double-click to reset, click a point to open the trial.';
            box.appendChild(note);
            var px = function (x) { return L + (x - view.x0) / (view.x1 - view.x0) * (W - L - R); };
            var py = function (y) { return H - B - (y - view.y0) / (view.y1 - view.y0) * (H - T - B); };
            var layer, shown = [], hovered = null;
            function draw() {
              if (layer) { svg.removeChild(layer); }
              layer = node('g', {}, svg);
              svg.dataset.xmin = view.x0; svg.dataset.xmax = view.x1; svg.dataset.ymin = view.y0; svg.dataset.ymax = view.y1;
              svg.dataset.zoomed = box.hpoZoom ? 'true' : 'false';
              node('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: '#fff', stroke: '#9aa3b5' }, layer);
              node('text', { x: L, y: 16, 'font-weight': 600 }, layer).textContent = d.title;
              var xt = cat ? cat.map(function (_, i) { return i; }).filter(function (i) { return i >= view.x0 && i <= view.x1; }) : ticks(view.x0, view.x1, 8);
              xt.forEach(function (t) {
                var x = px(t);
                node('line', { x1: x, x2: x, y1: T, y2: H - B, stroke: '#eef0f4' }, layer);
                node('text', { x: x, y: H - B + 16, 'text-anchor': 'middle', fill: '#333', class: 'x-tick' }, layer).textContent = cat ? cat[t] : fmt(d.xLog ? Math.pow(10, t) : t);
              });
              ticks(view.y0, view.y1, 6).forEach(function (t) {
                var y = py(t);
                node('line', { x1: L, x2: W - R, y1: y, y2: y, stroke: '#eef0f4' }, layer);
                node('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', fill: '#333', class: 'y-tick' }, layer).textContent = fmt(t);
              });
              node('text', { x: (L + W - R) / 2, y: H - 8, 'text-anchor': 'middle' }, layer).textContent = d.xLabel + (d.xLog ? ' (log)' : '');
              node('text', { x: 14, y: (T + H - B) / 2, transform: 'rotate(-90 14 ' + ((T + H - B) / 2) + ')', 'text-anchor': 'middle' }, layer).textContent = d.yLabel;
              var clip = 'hpo-clip-' + Math.random().toString(36).slice(2);
              var defs = node('defs', {}, layer); var cp = node('clipPath', { id: clip }, defs); node('rect', { x: L, y: T, width: W - L - R, height: H - T - B }, cp);
              var g = node('g', { 'clip-path': 'url(#' + clip + ')' }, layer);
              if (best.length) {
                var line = [];
                best.forEach(function (b, i) { if (i > 0) { line.push(px(b.x) + ',' + py(best[i - 1].y)); } line.push(px(b.x) + ',' + py(b.y)); });
                node('polyline', { points: line.join(' '), fill: 'none', stroke: '#d62728', 'stroke-width': 1.5 }, g);
              }
              shown = [];
              pts.forEach(function (p) {
                if (p.x < view.x0 || p.x > view.x1 || p.y < view.y0 || p.y > view.y1) { return; }
                var c = node('circle', { cx: px(p.x), cy: py(p.y), r: 3, fill: '#1f77b4', 'fill-opacity': 0.55 }, g);
                c.dataset.number = p.n; shown.push(p);
              });
              svg.dataset.points = shown.length;
            }
            function local(evt) {
              var r = svg.getBoundingClientRect();
              return { x: (evt.clientX - r.left) * W / r.width, y: (evt.clientY - r.top) * H / r.height, k: r.width / W };
            }
            function nearest(at) {
              var found = null, bestD = 144;
              shown.forEach(function (p) { var dx = px(p.x) - at.x, dy = py(p.y) - at.y, dd = dx * dx + dy * dy; if (dd < bestD) { bestD = dd; found = p; } });
              return found;
            }
            function showTip(p, at) {
              hovered = p;
              if (!p) { tip.hidden = true; delete box.dataset.hover; return; }
              tip.textContent = '';
              var head = document.createElement('b'); head.textContent = 'Trial ' + p.n; tip.appendChild(head);
              var lines = ['value ' + fmt(p.y)].concat(d.params.map(function (name, i) { return p.p[i] === '' ? null : name + ' = ' + p.p[i]; }).filter(Boolean));
              lines.forEach(function (s) { tip.appendChild(document.createElement('br')); tip.appendChild(document.createTextNode(s)); });
              tip.hidden = false;
              tip.style.left = Math.min(px(p.x) * at.k + 12, box.clientWidth - 160) + 'px';
              tip.style.top = (py(p.y) * at.k + 8) + 'px';
              box.dataset.hover = p.n; tip.dataset.number = p.n; tip.dataset.value = p.y;
            }
            var drag = null, brush = null;
            svg.addEventListener('mousemove', function (evt) {
              var at = local(evt);
              if (drag) {
                var x0 = Math.min(drag.x, at.x), y0 = Math.min(drag.y, at.y);
                if (!brush) { brush = node('rect', { fill: 'rgba(31,95,191,.12)', stroke: '#1f5fbf', 'stroke-dasharray': '4 3' }, svg); }
                brush.setAttribute('x', x0); brush.setAttribute('y', y0); brush.setAttribute('width', Math.abs(at.x - drag.x)); brush.setAttribute('height', Math.abs(at.y - drag.y));
                return;
              }
              showTip(nearest(at), at);
            });
            svg.addEventListener('mouseleave', function () { showTip(null); });
            svg.addEventListener('mousedown', function (evt) { if (evt.button === 0) { drag = local(evt); evt.preventDefault(); } });
            // One window listener per plot box: a re-render replaces the previous one instead of adding another.
            if (box.hpoMouseUp) { window.removeEventListener('mouseup', box.hpoMouseUp); }
            box.hpoMouseUp = function (evt) {
              if (!drag) { return; }
              var at = local(evt), start = drag; drag = null;
              if (brush) { svg.removeChild(brush); brush = null; }
              if (Math.abs(at.x - start.x) > 6 && Math.abs(at.y - start.y) > 6) {
                var ix = function (x) { return view.x0 + (x - L) / (W - L - R) * (view.x1 - view.x0); };
                var iy = function (y) { return view.y0 + (H - B - y) / (H - T - B) * (view.y1 - view.y0); };
                var nv = { x0: ix(Math.min(at.x, start.x)), x1: ix(Math.max(at.x, start.x)), y0: iy(Math.max(at.y, start.y)), y1: iy(Math.min(at.y, start.y)) };
                view = nv; zoomed(true); draw(); showTip(null);
              } else {
                var p = nearest(at);
                if (p && onPick) { onPick(p.n); }
              }
            };
            window.addEventListener('mouseup', box.hpoMouseUp);
            svg.addEventListener('wheel', function (evt) {
              evt.preventDefault();
              var at = local(evt), f = evt.deltaY < 0 ? 0.8 : 1.25;
              var cx = view.x0 + (at.x - L) / (W - L - R) * (view.x1 - view.x0), cy = view.y0 + (H - B - at.y) / (H - T - B) * (view.y1 - view.y0);
              view = { x0: cx - (cx - view.x0) * f, x1: cx + (view.x1 - cx) * f, y0: cy - (cy - view.y0) * f, y1: cy + (view.y1 - cy) * f };
              zoomed(true); draw(); showTip(null);
            }, { passive: false });
            svg.addEventListener('dblclick', function () { view = { x0: home.x0, x1: home.x1, y0: home.y0, y1: home.y1 }; zoomed(false); draw(); showTip(null); });
            draw();
            return { reset: function () { view = { x0: home.x0, x1: home.x1, y0: home.y0, y1: home.y1 }; zoomed(false); draw(); } };
          }
          return { render: render };
        })();
        """;
}
