namespace Workbench.Reporting.Book;

/// <summary>The style sheet and the script shared by every page of a scored book, written once into the report folder
/// (<see cref="BookReport.StyleFile"/>, <see cref="BookReport.ScriptFile"/>) so a page carries only its own data.</summary>
public static class BookAssets
{
    public const string Css = """
        body{font-family:system-ui,sans-serif;margin:1em 1.5em;color:#222;max-width:1400px}
        h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin-top:1.5em}
        table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ddd;padding:4px 7px;vertical-align:top}
        th{background:#f3f3f3;text-align:left}th[data-sort],table.sortable th{cursor:pointer;user-select:none}
        th[aria-sort=ascending]::after{content:' \25B2'}th[aria-sort=descending]::after{content:' \25BC'}
        td.num,td.date,table.products td:nth-child(n+4){text-align:right;white-space:nowrap}td.why{min-width:16em}.meta,.note{color:#555}small{color:#666}
        .badge{display:inline-block;white-space:nowrap;padding:1px 7px;border-radius:9px;color:#fff;font-weight:bold;font-size:90%}
        .grade-A{background:#1a7f37}.grade-B{background:#4c9a2a}.grade-C{background:#b08800}.grade-D{background:#888}
        .good{background:#1a7f37}.bad{background:#cf222e}.neutral{background:#777}.new{background:#8250df}
        .controls{display:flex;flex-wrap:wrap;gap:.5em;align-items:center;margin:.5em 0;padding:.5em;background:#f6f8fa;border-radius:6px}
        .controls label{white-space:nowrap}.controls input{min-width:14em}
        button.expand{border:1px solid #ccc;background:#fff;border-radius:4px;cursor:pointer;font-size:85%;margin-right:4px}
        tr.products-row>td{background:#fafafa}table.products{font-size:90%;margin:.2em 0}
        .legend{font-size:90%;color:#444;margin:.5em 0}.legend span{margin-right:1em}
        .charts{display:flex;flex-wrap:wrap;gap:1em}.chart{width:520px;max-width:100%;height:340px}
        .detail{display:none;border:2px solid #0969da;border-radius:8px;padding:.5em 1em;margin:1em 0}.detail:target{display:block}
        .detail dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em}.detail dt{color:#555}
        ul.for li::marker{content:'+ '}ul.against li::marker{content:'- '}.whynow{font-weight:bold;color:#0969da;font-size:85%}
        .support{color:#555;font-size:90%}.cards{display:flex;flex-wrap:wrap;gap:1em}.card{border:1px solid #ddd;border-radius:6px;padding:.5em 1em}
        .card b{font-size:1.3em;display:block}
        @media (max-width:760px){body{margin:.5em}.opt{display:none}.chart{width:100%;height:300px}th,td{padding:3px 4px}}
        @media print{.controls,.charts,button.expand,.noprint{display:none}a{color:inherit;text-decoration:none}.detail:target{display:none}body{max-width:none}}

        """;

    /// <summary>Filters, search, sort and product expansion of a rep's book, sorting of other tables, and the charts
    /// (whose figures sit in <c>script type="application/json"</c> elements, so no page runs inline code).</summary>
    public const string Js = """
        (function () {
          'use strict';
          function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
          function cmp(x, y) { return x > y ? 1 : y > x ? -1 : 0; }
          var book = document.getElementById('book');
          if (book) {
            var ids = ['f-grade', 'f-focus', 'f-product', 'f-trend', 'search'];
            var shown = document.getElementById('shown');
            var apply = function () {
              var v = {};
              ids.forEach(function (id) { var el = document.getElementById(id); v[id] = el ? el.value.trim().toLowerCase() : ''; });
              var n = 0;
              all('tbody.acct', book).forEach(function (b) {
                var d = b.dataset;
                var ok = (!v['f-grade'] || d.grade.toLowerCase() === v['f-grade'])
                  && (!v['f-focus'] || d.focus === v['f-focus'])
                  && (!v['f-product'] || ('|' + d.products + '|').indexOf('|' + v['f-product'] + '|') !== -1)
                  && (!v['f-trend'] || d.trend === v['f-trend'])
                  && (!v['search'] || d.name.indexOf(v['search']) !== -1);
                b.hidden = !ok;
                if (ok) n++;
              });
              if (shown) shown.textContent = String(n);
            };
            ids.forEach(function (id) {
              var el = document.getElementById(id);
              if (el) { el.addEventListener('input', apply); el.addEventListener('change', apply); }
            });
            all('th[data-sort]', book).forEach(function (th) {
              th.addEventListener('click', function () {
                var key = th.getAttribute('data-sort'), numeric = th.getAttribute('data-type') === 'number';
                var ascending = th.getAttribute('aria-sort') !== 'ascending';
                var bodies = all('tbody.acct', book);
                bodies.sort(function (a, b) {
                  var x = a.getAttribute('data-' + key) || '', y = b.getAttribute('data-' + key) || '';
                  if (numeric) { x = x === '' ? -Infinity : parseFloat(x); y = y === '' ? -Infinity : parseFloat(y); }
                  var c = cmp(x, y) || cmp(parseFloat(a.dataset.rank), parseFloat(b.dataset.rank));
                  return ascending ? c : -c;
                });
                bodies.forEach(function (b) { book.appendChild(b); });
                all('th', book.tHead).forEach(function (h) { h.removeAttribute('aria-sort'); });
                th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
              });
            });
            all('button.expand', book).forEach(function (btn) {
              btn.addEventListener('click', function () {
                var row = btn.closest('tbody').querySelector('tr.products-row');
                row.hidden = !row.hidden;
                btn.setAttribute('aria-expanded', row.hidden ? 'false' : 'true');
                btn.textContent = (row.hidden ? '\u25B8 ' : '\u25BE ') + btn.getAttribute('data-count');
              });
            });
            apply();
          }
          all('table.sortable').forEach(function (table) {
            all('th', table.tHead).forEach(function (th, col) {
              th.addEventListener('click', function () {
                var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
                var numeric = th.getAttribute('data-type') === 'number', ascending = th.getAttribute('aria-sort') !== 'ascending';
                var key = function (r) {
                  var c = r.cells[col], v = c.hasAttribute('data-value') ? c.getAttribute('data-value') : c.textContent;
                  if (!numeric) return v.toLowerCase();
                  var x = parseFloat(v); return isNaN(x) ? -Infinity : x;
                };
                rows.sort(function (a, b) { var c = cmp(key(a), key(b)); return ascending ? c : -c; });
                rows.forEach(function (r) { body.appendChild(r); });
                all('th', table.tHead).forEach(function (h) { h.removeAttribute('aria-sort'); });
                th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
              });
            });
          });
          // A row group's product table is the one of the account's detail view, copied in (the page holds it once).
          all('td[data-products-of]').forEach(function (td) {
            var detail = document.getElementById(td.getAttribute('data-products-of'));
            var table = detail ? detail.querySelector('table.products') : null;
            if (table) td.appendChild(table.cloneNode(true));
          });
          // Spend bars and the active-users line of each history, drawn from the numbers the page carries.
          all('svg.history[data-spend]').forEach(function (svg) {
            var ns = 'http://www.w3.org/2000/svg', w = 480, h = 120, pad = 4;
            var spend = svg.getAttribute('data-spend').split(',').map(Number);
            var users = svg.getAttribute('data-users').split(',').map(function (u) { return u === '' ? null : Number(u); });
            var maxSpend = Math.max.apply(null, spend.concat([1]));
            var maxUsers = Math.max.apply(null, users.map(function (u) { return u || 0; }).concat([1]));
            var step = (w - 2 * pad) / spend.length;
            var add = function (name, attrs) {
              var e = document.createElementNS(ns, name);
              Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
              svg.appendChild(e);
              return e;
            };
            spend.forEach(function (s, i) {
              var bar = Math.max(0, (h - 2 * pad) * s / maxSpend);
              add('rect', { x: (pad + i * step + 1).toFixed(1), y: (h - pad - bar).toFixed(1), width: (step - 2).toFixed(1), height: bar.toFixed(1) });
            });
            var points = [];
            users.forEach(function (u, i) {
              if (u !== null) points.push((pad + (i + 0.5) * step).toFixed(1) + ',' + (h - pad - (h - 2 * pad) * u / maxUsers).toFixed(1));
            });
            if (points.length > 1) add('polyline', { fill: 'none', stroke: '#d62728', 'stroke-width': 2, points: points.join(' ') });
            add('text', { x: pad, y: h + 12, 'font-size': 11 }).textContent = svg.getAttribute('data-from');
            add('text', { x: w - pad, y: h + 12, 'font-size': 11, 'text-anchor': 'end' }).textContent = svg.getAttribute('data-to');
          });
          if (window.Plotly) {
            all('div.chart[data-figure]').forEach(function (div) {
              var source = document.getElementById(div.getAttribute('data-figure'));
              if (!source) return;
              var fig = JSON.parse(source.textContent);
              fig.layout.autosize = true;
              window.Plotly.newPlot(div, fig.data, fig.layout, { displaylogo: false, responsive: true });
            });
          }
        })();

        """;
}
