namespace Hpo.Visualization.Reports;

/// <summary>The report's inline style sheet and script (no external resource).</summary>
internal static class ReportAssets
{
    public const string Css = """
        :root { --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
        header { background: #fff; border-bottom: 1px solid var(--line); padding: 12px 24px; position: sticky; top: 0; z-index: 2; }
        header h1 { margin: 0 0 4px; font-size: 20px; }
        nav a { margin-right: 12px; color: #1f5fbf; text-decoration: none; }
        main { padding: 8px 24px 40px; max-width: 1400px; }
        section { margin-top: 20px; }
        h2 { font-size: 17px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        h3 { font-size: 15px; margin: 6px 0; }
        .muted { color: var(--muted); }
        .cards { display: flex; flex-wrap: wrap; gap: 16px; }
        .card, .figure { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
        .card { min-width: 260px; }
        .figure { margin-bottom: 16px; }
        .svg svg { max-width: 100%; height: auto; }
        table { border-collapse: collapse; }
        .kv th { text-align: left; font-weight: 500; color: var(--muted); padding: 2px 14px 2px 0; }
        .kv td { font-variant-numeric: tabular-nums; }
        .grid { width: 100%; background: #fff; font-size: 13px; }
        .grid th, .grid td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; white-space: nowrap; }
        .grid th { background: #eef1f5; position: sticky; top: 64px; }
        .sortable th { cursor: pointer; user-select: none; }
        .sortable th.asc::after { content: " ▲"; } .sortable th.desc::after { content: " ▼"; }
        .state.complete { color: #1f77b4; } .state.pruned { color: #c25e00; } .state.failed { color: #d62728; }
        .state.stale { color: #7f7f7f; } .state.running { color: #2ca02c; } .state.waiting { color: #8c8c1a; }
        .controls { margin: 6px 0; } .controls input { width: 280px; padding: 4px; }
        #trials { overflow-x: auto; }
        #trial-table tr.picked { background: #fff3bf; }
        """;

    public const string Script = """
        (function () {
          'use strict';
          // A clicked point shows its trial's row in the table (when the table lists it).
          function pick(number) {
            var row = document.querySelector('#trial-table tr[data-number="' + number + '"]');
            var old = document.querySelector('#trial-table tr.picked');
            if (old) { old.classList.remove('picked'); }
            if (!row) { return; }
            row.hidden = false; row.classList.add('picked');
            row.scrollIntoView({ block: 'center' });
          }
          document.querySelectorAll('[data-hpo-plot]').forEach(function (box) {
            HpoPlot.render(box, JSON.parse(document.getElementById(box.dataset.hpoPlot).textContent), pick);
          });
          document.querySelectorAll('.switcher').forEach(function (box) {
            var select = box.querySelector('select.switch');
            select.addEventListener('change', function () {
              box.querySelectorAll('.pane').forEach(function (pane) { pane.hidden = pane.dataset.index !== select.value; });
            });
          });
          var table = document.getElementById('trial-table');
          if (!table) { return; }
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          var filter = document.getElementById('trial-filter');
          var state = document.getElementById('trial-state');
          var shown = document.getElementById('trial-shown');
          function cellKey(row, index, numeric) {
            var cell = row.cells[index];
            var raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent;
            if (!numeric) { return raw; }
            var n = parseFloat(raw);
            return Number.isFinite(n) ? n : null;
          }
          Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
            th.addEventListener('click', function () {
              var numeric = th.dataset.type === 'num';
              var ascending = !th.classList.contains('asc');
              Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.classList.remove('asc', 'desc'); });
              th.classList.add(ascending ? 'asc' : 'desc');
              rows.sort(function (a, b) {
                var x = cellKey(a, index, numeric), y = cellKey(b, index, numeric);
                if (x === null && y === null) { return 0; }
                if (x === null) { return 1; }
                if (y === null) { return -1; }
                var c = numeric ? x - y : String(x).localeCompare(String(y));
                return ascending ? c : -c;
              });
              rows.forEach(function (r) { body.appendChild(r); });
            });
          });
          function apply() {
            var text = filter.value.trim().toLowerCase();
            var wanted = state.value;
            var count = 0;
            rows.forEach(function (r) {
              var ok = (!wanted || r.dataset.state === wanted) && (!text || r.textContent.toLowerCase().indexOf(text) >= 0);
              r.hidden = !ok;
              if (ok) { count++; }
            });
            shown.textContent = count + ' of ' + rows.length + ' rows shown';
          }
          filter.addEventListener('input', apply);
          state.addEventListener('change', apply);
          apply();
        })();
        """;
}
