// reportflow review pages: the indicator table and the highlights in the text select each
// other; tables sort and filter; `#i=<indicator_id>`, `#o=<ordinal>`, `#g=<gold fact>` and
// `#span=<start>-<end>` select from the address. On the index, `#doc=<doc_id>&…` forwards to
// that report's page.
(function () {
  'use strict';
  function byId(id) { return document.getElementById(id); }
  function each(list, f) { Array.prototype.forEach.call(list, f); }

  function params() {
    var out = {};
    location.hash.slice(1).split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i > 0) out[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
    });
    return out;
  }

  // Click (or Enter on) a column header to sort by it; numbers by `data-v`, empty cells last.
  function sortable(table, rowsChanged) {
    var ths = table.tHead.rows[0].cells;
    each(ths, function (th, col) {
      function sort() {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        each(ths, function (o) { o.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', dir);
        var num = th.dataset.sort === 'num', sign = dir === 'ascending' ? 1 : -1;
        var body = table.tBodies[0];
        var keyed = Array.prototype.map.call(body.rows, function (r, i) {
          var c = r.cells[col];
          var v = !c ? '' : c.dataset.v !== undefined ? c.dataset.v : c.textContent.trim();
          return { r: r, i: i, v: v === '' ? null : num ? parseFloat(v) : v };
        });
        keyed.sort(function (a, b) {
          if (a.v === null || b.v === null) {
            return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
          }
          var d = num ? a.v - b.v : a.v.localeCompare(b.v, 'zh-CN');
          return d ? d * sign : a.i - b.i;
        });
        keyed.forEach(function (k) { body.appendChild(k.r); });
        if (rowsChanged) rowsChanged();
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); }
      });
    });
  }

  // The index: forward `#doc=…` to the report's page, sort the reports.
  var reports = byId('reports');
  if (reports) {
    var forward = function () {
      var p = params();
      var row = p.doc && reports.querySelector('tr[data-doc="' + CSS.escape(p.doc) + '"]');
      if (!row) return false;
      delete p.doc;
      var rest = Object.keys(p).map(function (k) {
        return encodeURIComponent(k) + '=' + encodeURIComponent(p[k]);
      }).join('&');
      location.replace(row.querySelector('a').getAttribute('href') + (rest ? '#' + rest : ''));
      return true;
    };
    if (forward()) return;
    window.addEventListener('hashchange', forward);
    sortable(reports);
    document.documentElement.dataset.ready = '1';
    return;
  }

  var text = byId('text');
  var table = byId('ind');
  if (!text || !table) return;
  var tbody = table.tBodies[0];
  var filters = { code: byId('f-code'), kind: byId('f-kind'), status: byId('f-status'), text: byId('f-text') };
  var count = byId('f-count');
  var marks = text.querySelectorAll('mark');

  function marksOf(row) {
    if (row.dataset.i !== undefined) return text.querySelectorAll('[data-q~="' + row.dataset.i + '"]');
    if (row.dataset.g !== undefined) return text.querySelectorAll('[data-g~="' + row.dataset.g + '"]');
    return [];
  }

  function flash(el) {
    el.classList.remove('flash');
    void el.offsetWidth; // restart the animation
    el.classList.add('flash');
  }

  // Selects a row and its highlights; `toText` scrolls the text to them, `toRow` the table
  // to the row (clearing the filters when they hide it).
  function select(row, toText, toRow) {
    each(document.querySelectorAll('.sel'), function (e) { e.classList.remove('sel'); });
    row.classList.add('sel');
    var found = marksOf(row);
    each(found, function (m) { m.classList.add('sel'); flash(m); });
    if (toText && found.length) found[0].scrollIntoView({ block: 'center', inline: 'nearest' });
    if (toRow) {
      if (row.hidden) resetFilters();
      row.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
    var key = row.dataset.id ? 'i=' + encodeURIComponent(row.dataset.id)
      : row.dataset.g !== undefined ? 'g=' + row.dataset.g : '';
    if (key && history.replaceState) history.replaceState(null, '', '#' + key);
    document.body.dataset.selected = row.id;
  }

  tbody.addEventListener('click', function (e) {
    var row = e.target.closest('tr');
    if (row) select(row, true, false);
  });

  // A highlight selects its figure's row, else the row of a span covering it; clicking the
  // same highlight again goes on to the next indicator (or missed fact) there.
  var last = { el: null, n: 0 };
  text.addEventListener('click', function (e) {
    var m = e.target.closest('mark');
    if (!m) return;
    var ids = [];
    function add(list, prefix) {
      (list || '').split(' ').forEach(function (i) {
        if (i && ids.indexOf(prefix + i) < 0) ids.push(prefix + i);
      });
    }
    add(m.dataset.f, 'r');
    add(m.dataset.q, 'r');
    add(m.dataset.g, 'g');
    if (!ids.length) return;
    var n = last.el === m ? (last.n + 1) % ids.length : 0;
    last = { el: m, n: n };
    var row = byId(ids[n]);
    if (row) select(row, false, true);
  });

  function applyFilters() {
    var code = filters.code ? filters.code.value : '*';
    var kind = filters.kind ? filters.kind.value : '*';
    var status = filters.status ? filters.status.value : '*';
    var q = filters.text ? filters.text.value.trim().toLowerCase() : '';
    var shown = 0, visible = {};
    each(tbody.rows, function (r) {
      var ok = (code === '*' || r.dataset.code === code) &&
        (kind === '*' || r.dataset.kind === kind) &&
        (status === '*' || r.dataset.status === status) &&
        (!q || (r.textContent + ' ' + r.title).toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) {
        shown++;
        visible[r.dataset.i !== undefined ? 'q' + r.dataset.i : 'g' + r.dataset.g] = true;
      }
    });
    var all = shown === tbody.rows.length;
    each(marks, function (m) {
      var keep = all;
      (m.dataset.q || '').split(' ').forEach(function (i) { if (i && visible['q' + i]) keep = true; });
      (m.dataset.g || '').split(' ').forEach(function (i) { if (i && visible['g' + i]) keep = true; });
      m.classList.toggle('dim', !keep);
    });
    if (count) count.textContent = shown + ' of ' + tbody.rows.length + ' rows';
  }

  function resetFilters() {
    ['code', 'kind', 'status'].forEach(function (k) { if (filters[k]) filters[k].value = '*'; });
    if (filters.text) filters.text.value = '';
    applyFilters();
  }

  ['code', 'kind', 'status'].forEach(function (k) {
    if (filters[k]) filters[k].addEventListener('change', applyFilters);
  });
  if (filters.text) filters.text.addEventListener('input', applyFilters);

  // Selects characters `start` to `end` (Unicode scalar values, as spans count them).
  function selectSpan(start, end) {
    var walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    var range = document.createRange(), at = 0, started = false, node, lastNode = null;
    while ((node = walker.nextNode())) {
      var off = 0;
      for (var ch of node.data) {
        if (!started && at === start) { range.setStart(node, off); started = true; }
        if (started && at === end) { range.setEnd(node, off); return show(range); }
        at++;
        off += ch.length;
      }
      lastNode = node;
    }
    if (started && at === end && lastNode) { range.setEnd(lastNode, lastNode.data.length); show(range); }
  }
  function show(range) {
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    var el = range.startContainer.parentElement;
    if (el) el.scrollIntoView({ block: 'center' });
  }

  function fromAddress() {
    var p = params(), row = null;
    if (p.i) row = tbody.querySelector('tr[data-id="' + CSS.escape(p.i) + '"]');
    if (!row && p.o !== undefined) row = byId('r' + p.o);
    if (!row && p.g !== undefined) row = byId('g' + p.g);
    if (!row && p.span) row = tbody.querySelector('tr[data-i][data-span="' + CSS.escape(p.span) + '"]');
    if (row) return select(row, true, true);
    var s = /^(\d+)-(\d+)$/.exec(p.span || '');
    if (s) selectSpan(+s[1], +s[2]);
  }

  sortable(table, applyFilters);
  applyFilters();
  fromAddress();
  window.addEventListener('hashchange', fromAddress);
  document.documentElement.dataset.ready = '1';
})();
