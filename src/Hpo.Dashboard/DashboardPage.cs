using System.Net;

namespace Hpo.Dashboard;

/// <summary>The dashboard's single page: inline styles and script, no external resource; everything it shows comes from <c>/api/</c>.</summary>
internal static class DashboardPage
{
    public static string Html(string storageName) => Template
        .Replace("{{STORAGE}}", WebUtility.HtmlEncode(Hpo.Storage.StudyStorage.Redact(storageName)), StringComparison.Ordinal)
        .Replace("/*{{PLOT_CSS}}*/", Hpo.Visualization.Rendering.InteractivePlot.Css, StringComparison.Ordinal)
        .Replace("/*{{PLOT_SCRIPT}}*/", Hpo.Visualization.Rendering.InteractivePlot.Script, StringComparison.Ordinal);

    private const string Template = """
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hpo dashboard</title>
<link rel="icon" href="data:,">
<style>
:root { --fg:#1d2330; --muted:#5b6475; --line:#d9dde5; --bg:#f6f7f9; --accent:#1f5fbf; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; align-items:center; gap:16px; background:#fff; border-bottom:1px solid var(--line); padding:8px 16px; }
header h1 { font-size:18px; margin:0; }
#live-status { font-size:12px; padding:2px 8px; border-radius:10px; background:#eee; }
#live-status.live { background:#d8f3dc; } #live-status.down { background:#fde2e1; }
.layout { display:flex; min-height:calc(100vh - 46px); }
aside { width:260px; flex:none; background:#fff; border-right:1px solid var(--line); padding:8px; overflow:auto; }
aside ul { list-style:none; margin:0; padding:0; }
aside li { padding:6px 8px; border-radius:4px; cursor:pointer; }
aside li.selected { background:#e7eefb; }
aside li .meta { display:block; font-size:12px; color:var(--muted); }
main { flex:1; padding:12px 16px; min-width:0; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin-bottom:12px; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:8px 12px; min-width:200px; }
.card h3 { margin:0 0 4px; font-size:13px; color:var(--muted); font-weight:600; }
.kv th { text-align:left; font-weight:500; color:var(--muted); padding:1px 12px 1px 0; } .kv td { font-variant-numeric:tabular-nums; }
.panel { background:#fff; border:1px solid var(--line); border-radius:6px; padding:8px 12px; margin-bottom:12px; }
#plot-img { max-width:100%; height:auto; display:block; }
table.grid { border-collapse:collapse; width:100%; font-size:13px; }
.grid th, .grid td { border:1px solid var(--line); padding:3px 6px; text-align:left; white-space:nowrap; }
.grid th { background:#eef1f5; cursor:pointer; user-select:none; }
.grid th.asc::after { content:" \25B2"; } .grid th.desc::after { content:" \25BC"; }
.grid tbody tr { cursor:pointer; } .grid tbody tr:hover { background:#f3f6fb; } .grid tbody tr.selected { background:#e7eefb; }
.state-complete { color:#1f77b4; } .state-pruned { color:#c25e00; } .state-failed { color:#d62728; } .state-stale { color:#7f7f7f; } .state-running { color:#2ca02c; } .state-waiting { color:#8c8c1a; }
.controls { display:flex; flex-wrap:wrap; gap:8px; align-items:center; margin:6px 0; }
.muted { color:var(--muted); }
pre { background:#f3f4f6; padding:8px; overflow:auto; max-height:240px; }
#error { color:#b00020; }
.table-wrap { overflow-x:auto; }
#range-filters { display:flex; flex-wrap:wrap; gap:6px 14px; align-items:center; }
#range-filters label { font-size:12px; color:var(--muted); }
#range-filters input { width:80px; padding:2px 4px; }
/*{{PLOT_CSS}}*/
</style>
</head>
<body>
<header><h1>Hpo dashboard</h1><span class="muted" id="storage-name">{{STORAGE}}</span><span id="live-status">connecting</span><span id="error" role="alert"></span></header>
<div class="layout">
<aside><h2 style="font-size:14px;margin:4px 8px">Studies</h2><ul id="studies"></ul></aside>
<main>
<p id="empty-note" class="muted">Pick a study on the left.</p>
<div id="study" hidden>
<h2 id="study-title" style="margin:4px 0 8px"></h2>
<div class="cards">
<div class="card"><h3>Trials by state</h3><table class="kv" id="counts"></table></div>
<div class="card"><h3>Best trial</h3><div id="best"></div></div>
<div class="card"><h3>Settings</h3><table class="kv" id="settings"></table></div>
<div class="card"><h3>Search space</h3><table class="kv" id="space"></table></div>
</div>
<div class="panel">
<div class="controls"><label>Plot <select id="plot-kind">
<option value="history">history</option><option value="importance">importance</option><option value="slice">slice</option>
<option value="parallel-coordinates">parallel coordinates</option><option value="contour">contour</option>
<option value="intermediate">intermediate values</option><option value="timeline">timeline</option></select></label>
<label id="param-label" hidden>parameter <select id="plot-param"></select></label>
<label id="param2-label" hidden>against <select id="plot-param2"></select></label></div>
<div id="plot-live" hidden></div>
<img id="plot-img" alt="plot" width="900" height="480">
</div>
<div class="panel">
<div class="controls">
<input id="trial-filter" type="search" placeholder="filter: worker, parameter, reason, number" style="width:280px">
<select id="trial-state"><option value="">every state</option><option>complete</option><option>pruned</option><option>failed</option><option>stale</option><option>running</option><option>waiting</option></select>
<button id="prev">&larr; prev</button><span id="page-info"></span><button id="next">next &rarr;</button>
<span class="muted" id="trials-matched"></span>
</div>
<div class="controls" id="range-filters"></div>
<div class="table-wrap"><table class="grid" id="trial-table"><thead></thead><tbody></tbody></table></div>
</div>
<div class="panel" id="detail" hidden></div>
</div>
</main>
</div>
<script>
/*{{PLOT_SCRIPT}}*/
(function () {
  'use strict';
  var state = { study: null, summary: null, offset: 0, limit: 50, sort: 'number', order: 'desc', filter: '', trialState: '', ranges: {}, rangeStudy: null, selected: null, source: null, lastPlot: 0, plotTimer: null, version: -1 };
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined && text !== null) { e.textContent = String(text); } if (cls) { e.className = cls; } return e; }
  function fmt(v) { if (v === null || v === undefined) { return ''; } if (typeof v === 'number') { return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '').replace(/\.?0+e/, 'e'); } return String(v); }
  function api(path) {
    return fetch(path, { headers: { 'Accept': 'application/json' } }).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) { throw new Error(body.error || ('HTTP ' + r.status)); } return body; });
    });
  }
  function showError(e) { $('error').textContent = e ? String(e.message || e) : ''; }
  function enc(s) { return encodeURIComponent(s); }
  function kv(table, rows) {
    table.textContent = '';
    rows.forEach(function (row) { var tr = el('tr'); tr.appendChild(el('th', row[0])); var td = el('td', fmt(row[1])); if (row[2]) { td.id = row[2]; } tr.appendChild(td); table.appendChild(tr); });
  }

  function loadStudies() {
    return api('/api/studies').then(function (body) {
      var list = $('studies'); list.textContent = '';
      body.studies.forEach(function (s) {
        var li = el('li'); li.dataset.name = s.name; if (s.name === state.study) { li.className = 'selected'; }
        li.appendChild(el('span', s.name));
        li.appendChild(el('span', s.counts.total + ' trials, ' + s.counts.complete + ' complete' + (s.best ? ', best ' + fmt(s.best.value) : ''), 'meta'));
        li.addEventListener('click', function () { location.hash = '#/study/' + enc(s.name); });
        list.appendChild(li);
      });
      showError(null);
    }).catch(showError);
  }

  function loadSummary() {
    return api('/api/studies/' + enc(state.study)).then(function (s) {
      state.summary = s;
      $('study-title').textContent = s.name + ' (' + s.direction + ')';
      var c = s.counts;
      kv($('counts'), [['complete', c.complete, 'count-complete'], ['pruned', c.pruned, 'count-pruned'], ['failed', c.failed, 'count-failed'], ['stale', c.stale, 'count-stale'], ['running', c.running, 'count-running'], ['waiting', c.waiting, 'count-waiting'], ['total', c.total, 'count-total']]);
      var best = $('best'); best.textContent = '';
      if (s.best) {
        var t = el('table'); t.className = 'kv';
        var rows = [['number', s.best.number, 'best-number'], ['value', s.best.value, 'best-value']];
        Object.keys(s.best.parameters).forEach(function (k) { rows.push([k, s.best.parameters[k]]); });
        kv(t, rows); best.appendChild(t);
      } else { best.appendChild(el('span', 'No trial is complete yet.', 'muted')); }
      var st = s.settings;
      kv($('settings'), [['tuner', st.tuner], ['pruner', st.pruner || 'none'], ['seed', st.seed], ['budget', st.budget === null ? 'none' : st.budget], ['lease (s)', st.leaseSeconds], ['retries', st.maxRetries ? st.maxRetries + ' on ' + st.retryOn : 'none']]);
      kv($('space'), s.parameters.map(function (p) { return [p.name, p.distribution + (p.condition ? ' if ' + p.condition : '')]; }));
      ['plot-param', 'plot-param2'].forEach(function (id, i) {
        var sel = $(id); var keep = sel.value; sel.textContent = '';
        s.parameters.forEach(function (p, j) { var o = el('option', p.name); o.value = p.name; sel.appendChild(o); });
        if (keep) { sel.value = keep; } else if (i === 1 && s.parameters.length > 1) { sel.value = s.parameters[1].name; }
      });
      if (state.rangeStudy !== s.name) { buildRanges(s); }
      state.version = s.version;
      return s;
    });
  }

  // Range filters (server-side): value, duration and each numeric parameter, as MIN..MAX; either end may stay empty.
  function buildRanges(s) {
    state.rangeStudy = s.name; state.ranges = {};
    var box = $('range-filters'); box.textContent = '';
    var fields = [['value', 'value'], ['duration', 'duration (s)']];
    s.parameters.forEach(function (p) { if (p.kind !== 'categorical') { fields.push(['param:' + p.name, p.name]); } });
    fields.forEach(function (f) {
      var label = el('label', f[1] + ' '); var lo = el('input'); var hi = el('input');
      lo.placeholder = 'min'; hi.placeholder = 'max'; lo.inputMode = hi.inputMode = 'decimal';
      lo.dataset.field = hi.dataset.field = f[0]; lo.dataset.end = 'min'; hi.dataset.end = 'max';
      lo.id = 'range-' + f[0].replace(':', '-') + '-min'; hi.id = 'range-' + f[0].replace(':', '-') + '-max';
      [lo, hi].forEach(function (input) { input.addEventListener('input', function () { clearTimeout(rangeTimer); rangeTimer = setTimeout(function () { readRange(f[0], lo, hi); }, 300); }); });
      label.appendChild(lo); label.appendChild(document.createTextNode(' – ')); label.appendChild(hi); box.appendChild(label);
    });
  }
  var rangeTimer = null;
  function readRange(field, lo, hi) {
    var a = lo.value.trim(), b = hi.value.trim();
    if (a === '' && b === '') { delete state.ranges[field]; } else { state.ranges[field] = a + '..' + b; }
    state.offset = 0; loadTrials();
  }

  function columns() {
    var cols = [['number', 'number'], ['state', 'state'], ['value', 'value'], ['duration', 'duration (s)'], ['owner', 'worker']];
    (state.summary ? state.summary.parameters : []).forEach(function (p) { cols.push(['param:' + p.name, p.name]); });
    return cols;
  }

  function renderHead() {
    var tr = el('tr');
    columns().forEach(function (c) {
      var th = el('th', c[1]); th.dataset.sort = c[0];
      if (c[0] === state.sort) { th.className = state.order; }
      th.addEventListener('click', function () {
        if (state.sort === c[0]) { state.order = state.order === 'asc' ? 'desc' : 'asc'; } else { state.sort = c[0]; state.order = 'asc'; }
        state.offset = 0; renderHead(); loadTrials();
      });
      tr.appendChild(th);
    });
    tr.appendChild(el('th', 'note'));
    var head = $('trial-table').tHead; head.textContent = ''; head.appendChild(tr);
  }

  function loadTrials() {
    var q = '/api/studies/' + enc(state.study) + '/trials?offset=' + state.offset + '&limit=' + state.limit + '&sort=' + enc(state.sort) + '&order=' + state.order
      + (state.trialState ? '&state=' + enc(state.trialState) : '') + (state.filter ? '&q=' + enc(state.filter) : '')
      + Object.keys(state.ranges).map(function (k) { return '&' + enc(k) + '=' + enc(state.ranges[k]); }).join('');
    return api(q).then(function (page) {
      var body = $('trial-table').tBodies[0]; body.textContent = '';
      var params = state.summary ? state.summary.parameters : [];
      page.rows.forEach(function (r) {
        var tr = el('tr'); tr.dataset.number = r.number; if (r.number === state.selected) { tr.className = 'selected'; }
        tr.appendChild(el('td', r.number));
        tr.appendChild(el('td', r.state, 'state-' + r.state));
        var v = el('td', fmt(r.value)); if (r.value !== null) { v.dataset.value = r.value; } tr.appendChild(v);
        tr.appendChild(el('td', r.durationSeconds === null ? '' : r.durationSeconds.toFixed(3)));
        tr.appendChild(el('td', r.owner || ''));
        params.forEach(function (p) { tr.appendChild(el('td', r.parameters[p.name] === undefined ? '' : r.parameters[p.name])); });
        tr.appendChild(el('td', r.failReason || (r.retryOf !== null ? 'retry of ' + r.retryOf : '')));
        tr.addEventListener('click', function () { location.hash = '#/study/' + enc(state.study) + '/trial/' + r.number; });
        body.appendChild(tr);
      });
      var last = Math.min(page.offset + page.rows.length, page.matched);
      $('page-info').textContent = page.matched === 0 ? 'no trials' : (page.offset + 1) + '–' + last + ' of ' + page.matched;
      $('trials-matched').textContent = page.matched === page.total ? page.total + ' trials' : page.matched + ' of ' + page.total + ' trials match';
      $('trials-matched').dataset.matched = page.matched; $('trials-matched').dataset.total = page.total;
      $('prev').disabled = page.offset === 0; $('next').disabled = last >= page.matched;
      showError(null);
    }).catch(showError);
  }

  function loadPlot(force) {
    var now = Date.now();
    // At most one live re-draw every 5 s; a change inside that window is drawn when it ends, never dropped.
    if (!force && now - state.lastPlot < 5000) {
      if (!state.plotTimer) { state.plotTimer = setTimeout(function () { state.plotTimer = null; loadPlot(true); }, 5000 - (now - state.lastPlot)); }
      return;
    }
    if (state.plotTimer) { clearTimeout(state.plotTimer); state.plotTimer = null; }
    state.lastPlot = now;
    var kind = $('plot-kind').value;
    $('param-label').hidden = !(kind === 'slice' || kind === 'contour');
    $('param2-label').hidden = kind !== 'contour';
    var live = kind === 'history' || kind === 'slice';
    var src = '/api/studies/' + enc(state.study) + '/plots/' + kind + (live ? '.json' : '.svg') + '?v=' + state.version;
    if (kind === 'slice' || kind === 'contour') { src += '&param=' + enc($('plot-param').value); }
    if (kind === 'contour') { src += '&param2=' + enc($('plot-param2').value); }
    $('plot-live').hidden = !live; $('plot-img').hidden = live;
    if (!live) { $('plot-img').src = src; return; }
    var study = state.study;
    api(src).then(function (data) {
      if (study !== state.study) { return; }
      HpoPlot.render($('plot-live'), data, function (n) { location.hash = '#/study/' + enc(study) + '/trial/' + n; });
    }).catch(showError);
  }

  function loadDetail(number) {
    var box = $('detail');
    if (number === null) { box.hidden = true; return; }
    api('/api/studies/' + enc(state.study) + '/trials/' + number).then(function (t) {
      box.textContent = ''; box.hidden = false;
      box.appendChild(el('h3', 'Trial ' + t.number + ' (' + t.state + ')'));
      var info = el('table'); info.className = 'kv';
      var rows = [['values', t.values.map(fmt).join(', ')], ['worker', t.owner], ['started', t.startedAt], ['finished', t.finishedAt], ['duration (s)', t.durationSeconds], ['reason', t.failReason], ['exception', t.exceptionType], ['retry of', t.retryOf]];
      kv(info, rows.filter(function (r) { return r[1] !== null && r[1] !== undefined && r[1] !== ''; })); box.appendChild(info);
      box.appendChild(el('h4', 'Parameters')); var p = el('table'); p.className = 'kv'; kv(p, Object.keys(t.parameters).map(function (k) { return [k, t.parameters[k]]; })); box.appendChild(p);
      box.appendChild(el('h4', 'Intermediate values (' + t.intermediateValues.length + ')'));
      var iv = el('table'); iv.className = 'grid'; iv.id = 'detail-intermediate'; var h = el('tr'); h.appendChild(el('th', 'step')); h.appendChild(el('th', 'value')); iv.appendChild(h);
      t.intermediateValues.forEach(function (x) { var tr = el('tr'); tr.appendChild(el('td', x.step)); tr.appendChild(el('td', fmt(x.value))); iv.appendChild(tr); });
      box.appendChild(iv);
      [['User attributes', t.userAttributes], ['System attributes', t.systemAttributes]].forEach(function (pair) {
        var keys = Object.keys(pair[1]); if (keys.length === 0) { return; }
        box.appendChild(el('h4', pair[0])); var a = el('table'); a.className = 'kv'; kv(a, keys.map(function (k) { return [k, pair[1][k]]; })); box.appendChild(a);
      });
      box.appendChild(el('h4', 'Log tail'));
      var pre = el('pre', t.logTail || '(no log recorded)'); pre.id = 'detail-log'; box.appendChild(pre);
    }).catch(showError);
  }

  function connect() {
    if (state.source) { state.source.close(); }
    var source = new EventSource('/api/studies/' + enc(state.study) + '/events');
    state.source = source;
    source.addEventListener('version', function (e) {
      var data = JSON.parse(e.data);
      $('live-status').textContent = 'live'; $('live-status').className = 'live';
      if (data.version !== state.version) {
        loadSummary().then(function () { loadTrials(); loadPlot(false); if (state.selected !== null) { loadDetail(state.selected); } }).catch(showError);
      }
    });
    source.addEventListener('unavailable', function (e) { $('live-status').textContent = 'storage unavailable'; $('live-status').className = 'down'; showError(JSON.parse(e.data).error); });
    source.onerror = function () { $('live-status').textContent = 'reconnecting'; $('live-status').className = 'down'; };
  }

  function route() {
    var m = /^#\/study\/([^/]+)(?:\/trial\/(\d+))?$/.exec(location.hash);
    if (!m) { $('study').hidden = true; $('empty-note').hidden = false; return; }
    var name = decodeURIComponent(m[1]);
    state.selected = m[2] !== undefined ? parseInt(m[2], 10) : null;
    if (name !== state.study) {
      state.study = name; state.offset = 0; state.sort = 'number'; state.order = 'desc'; state.version = -1;
      $('study').hidden = false; $('empty-note').hidden = true;
      Array.prototype.forEach.call($('studies').children, function (li) { li.className = li.dataset.name === name ? 'selected' : ''; });
      loadSummary().then(function () { renderHead(); loadTrials(); loadPlot(true); connect(); }).catch(showError);
    } else {
      Array.prototype.forEach.call($('trial-table').tBodies[0].rows, function (tr) { tr.className = Number(tr.dataset.number) === state.selected ? 'selected' : ''; });
    }
    loadDetail(state.selected);
  }

  var timer = null;
  $('trial-filter').addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(function () { state.filter = $('trial-filter').value.trim(); state.offset = 0; loadTrials(); }, 250); });
  $('trial-state').addEventListener('change', function () { state.trialState = $('trial-state').value; state.offset = 0; loadTrials(); });
  $('prev').addEventListener('click', function () { state.offset = Math.max(0, state.offset - state.limit); loadTrials(); });
  $('next').addEventListener('click', function () { state.offset += state.limit; loadTrials(); });
  ['plot-kind', 'plot-param', 'plot-param2'].forEach(function (id) { $(id).addEventListener('change', function () { loadPlot(true); }); });
  window.addEventListener('hashchange', route);
  loadStudies().then(route);
  setInterval(loadStudies, 5000);
})();
</script>
</body>
</html>
""";
}
