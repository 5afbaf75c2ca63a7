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
          // Each account's detail view, built from the page's compact JSON (one entry per list row, in the list's order);
          // every text is set as text, never parsed as markup. What the list row shows is read from the row.
          var detailData = document.getElementById('details-data'), details = document.getElementById('details');
          if (book && detailData && details) {
            var el = function (name, cls, text) {
              var e = document.createElement(name);
              if (cls) e.className = cls;
              if (text !== undefined && text !== null) e.textContent = text;
              return e;
            };
            var pct = function (p) { return typeof p === 'number' && isFinite(p) ? (100 * p).toFixed(p >= 0.1 ? 0 : 1) + '%' : '\u2013'; };
            var text = function (cell) { return cell ? cell.textContent : ''; };
            var reasons = function (section, title, css, list) {
              section.appendChild(el('h3', '', title));
              if (!list.length) { section.appendChild(el('p', 'note', 'None that a rep can act on.')); return; }
              var ul = section.appendChild(el('ul', css));
              list.forEach(function (r) {
                var li = ul.appendChild(el('li'));
                if (r[2]) { li.appendChild(el('span', 'whynow', 'now:')); li.appendChild(document.createTextNode(' ')); }
                li.appendChild(document.createTextNode(r[0]));
                if (r[1] !== null) { li.appendChild(el('br')); li.appendChild(el('span', 'support', r[1])); }
              });
            };
            var productTable = function (a) {
              var t = el('table', 'products'), head = t.createTHead().insertRow();
              ['product', 'P(churn)', 'P(upsell)', 'run-rate / month', 'expected upsell', 'revenue at risk'].forEach(function (h) { head.appendChild(el('th', '', h)); });
              var body = t.createTBody();
              a.p.forEach(function (p, i) {
                var tr = body.insertRow();
                tr.setAttribute('data-product', p[0]);
                var name = tr.insertCell();
                name.textContent = p[1];
                if (i === a.t) { name.appendChild(document.createTextNode(' ')); name.appendChild(el('small', '', '(top)')); }
                [[p[2], 'num p-churn'], [p[3], 'num p-upsell']].forEach(function (c) {
                  var td = tr.insertCell();
                  td.className = c[1];
                  td.setAttribute('data-value', c[0] === null ? '' : String(c[0]));
                  td.textContent = pct(c[0]);
                });
                [p[4], p[5], p[6]].forEach(function (m) { tr.insertCell().textContent = m; });
              });
              return t;
            };
            var previous = details.getAttribute('data-previous') === 'yes';
            var rows = all('tbody.acct', book);
            JSON.parse(detailData.textContent).forEach(function (a, k) {
              var row = rows[k], cells = row.querySelector('tr.main').cells, link = row.querySelector('a.name');
              var anchor = link.getAttribute('href').slice(1);
              row.setAttribute('data-name', (link.textContent + ' ' + row.getAttribute('data-account')).toLowerCase());
              var count = a.p.length + (a.p.length === 1 ? ' product' : ' products');
              var button = el('button', 'expand', '\u25B8 ' + count);
              button.type = 'button';
              button.setAttribute('aria-expanded', 'false');
              button.setAttribute('data-count', count);
              link.parentNode.insertBefore(button, link);
              var productsRow = el('tr', 'products-row'), productsCell = productsRow.insertCell();
              productsRow.hidden = true;
              productsCell.colSpan = book.tHead.rows[0].cells.length;
              productsCell.appendChild(productTable(a));
              row.appendChild(productsRow);
              var why = row.querySelector('td.why');
              if (a.rf.length) {
                if (a.rf[0][2]) { why.appendChild(el('span', 'whynow', 'now:')); why.appendChild(document.createTextNode(' ')); }
                why.appendChild(document.createTextNode(a.rf[0][0]));
              } else why.textContent = '\u2013';
              var s = el('section', 'detail');
              s.id = anchor;
              var back = s.appendChild(el('p', 'noprint')).appendChild(el('a', '', '\u2190 back to the list'));
              back.setAttribute('href', '#top');
              var h2 = s.appendChild(el('h2', '', '#' + row.getAttribute('data-rank') + ' ' + link.textContent + ' '));
              h2.appendChild(el('small', '', text(cells[1].querySelector('small'))));
              h2.appendChild(document.createTextNode(' '));
              h2.appendChild(cells[2].querySelector('.badge').cloneNode(true));
              h2.appendChild(document.createTextNode(' '));
              h2.appendChild(cells[3].querySelector('.badge').cloneNode(true));
              var dl = s.appendChild(el('dl'));
              var item = function (term, value) { dl.appendChild(el('dt', '', term)); dl.appendChild(el('dd', '', value)); };
              item('focus', a.f);
              if (a.n !== undefined) item('next best action', a.n);
              item('priority', text(cells[4]) + ' = expected upsell ' + text(cells[8]) + ' + revenue at risk ' + text(cells[9]));
              item('P(any churn) / P(any upsell)', text(cells[6]) + ' / ' + text(cells[7]));
              item('since last scoring', a.s !== undefined ? a.s : previous ? 'not in the previous scoring' : 'no previous scoring');
              item('lifetime value', a.c !== undefined ? a.c : '\u2013');
              item('renewal', a.r !== undefined ? a.r : 'no active contract renewing');
              item('last activity', a.l !== undefined ? a.l : 'none recorded');
              reasons(s, 'Reasons for', 'for', a.rf);
              reasons(s, 'Reasons against', 'against', a.ra);
              s.appendChild(el('h3', '', 'Products'));
              s.appendChild(productTable(a));
              var h = a.h;
              s.appendChild(el('h3', '', 'Spend and usage, last ' + (h ? h[2].split(',').length : 0) + ' months'));
              if (!h) s.appendChild(el('p', 'note', 'No history.'));
              else {
                var svg = s.appendChild(document.createElementNS('http://www.w3.org/2000/svg', 'svg'));
                [['class', 'history'], ['fill', '#9ecae1'], ['role', 'img'], ['viewBox', '0 0 480 136'], ['width', '480'], ['height', '136'],
                  ['data-spend', h[2]], ['data-users', h[3]], ['data-from', h[0]], ['data-to', h[1]]].forEach(function (kv) { svg.setAttribute(kv[0], kv[1]); });
                svg.appendChild(document.createElementNS('http://www.w3.org/2000/svg', 'title')).textContent = 'Monthly spend (bars) and active users (line)';
                s.appendChild(el('p', 'note', 'Bars: spend (peak ' + h[4] + ' a month); red line: active users (peak ' + h[5] + ').'));
              }
              s.appendChild(el('h3', '', 'Open opportunities'));
              if (!a.o) s.appendChild(el('p', 'note', 'None.'));
              else {
                var t = s.appendChild(el('table', 'opps')), hr = t.createTHead().insertRow(), tb = t.createTBody();
                ['opportunity', 'product', 'declared stage', 'amount', 'created'].forEach(function (x) { hr.appendChild(el('th', '', x)); });
                a.o.forEach(function (op) {
                  var tr = tb.insertRow();
                  op.forEach(function (v, i) { var td = tr.insertCell(); td.textContent = v; if (i === 3) td.className = 'num'; });
                });
              }
              details.appendChild(s);
            });
          }
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
