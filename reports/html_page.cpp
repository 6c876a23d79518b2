#include "reports/html_page.hpp"

namespace wscheck::reports {

// Colours: a light cell with dark text per verdict (readable, prints well), a stronger tone of
// the same hue for the bars. System fonts only: the page fetches nothing.
const std::string_view html_page_style = R"css(
:root {
  --ok: #2f9e44; --ok-bg: #d3f0da; --ok-fg: #14532d;
  --ns: #d4a500; --ns-bg: #fff0b3; --ns-fg: #5c4600;
  --info: #4c7fd0; --info-bg: #dde8f8; --info-fg: #1d3557;
  --unimp: #8a79c0; --unimp-bg: #e8e3f5; --unimp-fg: #43366e;
  --fail: #d62828; --fail-bg: #f9cccc; --fail-fg: #7a1010;
  --closefail: #ee7d18; --closefail-bg: #ffdcb8; --closefail-fg: #733400;
  --none-bg: #f1f1f1; --line: #dcdfe4; --muted: #66707c; --head-bg: #f6f7f9;
  --ctl-h: 48px;
}
* { box-sizing: border-box; }
html { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d2329; background: #fff; }
body { margin: 0; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
h1 { font-size: 20px; margin: 0; font-weight: 650; }
h2 { font-size: 17px; margin: 0; }
h3 { font-size: 13px; margin: 18px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
#top { padding: 16px 20px 10px; border-bottom: 1px solid var(--line); background: var(--head-bg); }
#top .meta { color: var(--muted); margin: 4px 0 10px; }
#top .settings { color: var(--muted); margin: 8px 0 0; font-size: 13px; }
#top .settings code { background: #e9ecf0; padding: 1px 5px; border-radius: 3px; margin-right: 6px; }
.runs { display: grid; grid-template-columns: minmax(140px, max-content) minmax(200px, 1fr) max-content; gap: 6px 16px; align-items: center; }
.runs .agent { font-weight: 600; overflow-wrap: anywhere; }
.runs .agent small { display: block; font-weight: 400; color: var(--muted); }
.runs .legend { font-size: 12.5px; color: #39414a; white-space: nowrap; }
.runs .legend b { font-weight: 600; }
.runs .note { grid-column: 1 / -1; color: var(--closefail-fg); font-size: 12.5px; margin-top: -4px; }
.bar { display: flex; height: 16px; border-radius: 4px; overflow: hidden; background: var(--none-bg); min-width: 120px; }
.bar span { display: block; height: 100%; }
.bar .ok, .mbar .ok { background: var(--ok); } .bar .ns, .mbar .ns { background: var(--ns); }
.bar .info, .mbar .info { background: var(--info); } .bar .unimp, .mbar .unimp { background: var(--unimp); }
.bar .fail, .mbar .fail { background: var(--fail); } .bar .closefail, .mbar .closefail { background: var(--closefail); }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; font-weight: 600; line-height: 18px; white-space: nowrap; }
.interrupted { background: var(--closefail-bg); color: var(--closefail-fg); }
#controls { position: sticky; top: 0; z-index: 3; display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; padding: 8px 20px; background: #fff; border-bottom: 1px solid var(--line); min-height: var(--ctl-h); }
#controls input[type=search] { width: 230px; padding: 5px 8px; border: 1px solid #c5cbd3; border-radius: 4px; font: inherit; }
#controls select { padding: 4px 6px; border: 1px solid #c5cbd3; border-radius: 4px; font: inherit; max-width: 230px; background: #fff; }
#controls label { color: #39414a; user-select: none; }
.chips { display: flex; gap: 4px; flex-wrap: wrap; }
.chip { border: 1px solid transparent; border-radius: 12px; padding: 2px 9px; font: inherit; font-size: 12.5px; cursor: pointer; }
.chip.off { background: #fff !important; color: #8b939c !important; border-color: #d4d8dd; text-decoration: line-through; }
.chip.reset { background: #fff; border-color: #c5cbd3; color: #39414a; }
#shown { color: var(--muted); margin-left: auto; font-size: 12.5px; }
main { padding: 0 20px 40px; }
/* A fixed layout: column widths come from the head, so laying out hundreds of rows costs
   little and does not wait for every row to be measured. */
table.matrix { border-collapse: separate; border-spacing: 0; width: 100%; margin-top: 0; table-layout: fixed; }
.matrix col.cid { width: 84px; } .matrix col.agent { width: var(--agent-w, 132px); }
.matrix th, .matrix td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: middle; }
.matrix thead th { position: sticky; top: var(--ctl-h); z-index: 2; background: var(--head-bg); border-bottom: 2px solid #c9ced5; font-weight: 600; padding: 6px 8px; }
.matrix thead th.agent { text-align: center; overflow-wrap: anywhere; }
.matrix .cid { white-space: nowrap; font-variant-numeric: tabular-nums; overflow: hidden; text-overflow: ellipsis; }
.matrix .cid a { color: #1d4f91; text-decoration: none; }
.matrix .cid a:hover { text-decoration: underline; }
.matrix .desc { color: #2f363d; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; cursor: pointer; }
.matrix tr.chap th { background: #e9edf2; font-size: 15px; padding-top: 8px; padding-bottom: 6px; }
.matrix tr.grp th { background: #f6f7f9; font-weight: 600; }
.matrix tr.chap td, .matrix tr.grp td { background: inherit; text-align: center; font-size: 12px; color: #39414a; }
.matrix tr.chap td { background: #e9edf2; } .matrix tr.grp td { background: #f6f7f9; }
.matrix tr.grp th .n, .matrix tr.chap th .n { color: var(--muted); font-weight: 400; font-size: 12px; margin-left: 6px; }
.mbar { display: flex; height: 6px; border-radius: 3px; overflow: hidden; background: var(--none-bg); margin: 2px auto 1px; max-width: 140px; }
.mbar span { display: block; height: 100%; }
td.v { text-align: center; cursor: pointer; white-space: nowrap; font-size: 12.5px; font-weight: 600; border-left: 2px solid #fff; line-height: 1.25; }
td.v small { display: block; font-weight: 400; font-size: 11px; opacity: .8; }
td.v i { display: block; font-style: normal; font-size: 10.5px; font-weight: 600; }
td.v:hover { outline: 2px solid #1d4f91; outline-offset: -2px; }
.ok { background: var(--ok-bg); color: var(--ok-fg); } .ns { background: var(--ns-bg); color: var(--ns-fg); }
.info { background: var(--info-bg); color: var(--info-fg); } .unimp { background: var(--unimp-bg); color: var(--unimp-fg); }
.fail { background: var(--fail-bg); color: var(--fail-fg); } .closefail { background: var(--closefail-bg); color: var(--closefail-fg); }
.none { background: var(--none-bg); color: #9aa1a9; font-weight: 400; }
tr.case:hover th, tr.case:hover td.desc { background: #f3f6fb; }
tr.sel th, tr.sel td.desc { background: #e6eefb !important; }
#empty { padding: 30px; text-align: center; color: var(--muted); }
#detail { position: fixed; top: 0; right: 0; bottom: 0; width: min(980px, 76vw); background: #fff; z-index: 10; box-shadow: -6px 0 24px rgba(20, 30, 50, .18); display: flex; flex-direction: column; }
#detail[hidden] { display: none; }
#detail .dhead { padding: 14px 20px 10px; border-bottom: 1px solid var(--line); background: var(--head-bg); }
#detail .dhead .row1 { display: flex; align-items: center; gap: 10px; }
#detail .dhead h2 span { color: var(--muted); font-weight: 400; font-size: 14px; margin-left: 8px; }
#detail .dhead .nav { margin-left: auto; display: flex; gap: 4px; }
#detail button.btn { font: inherit; padding: 3px 10px; border: 1px solid #c5cbd3; background: #fff; border-radius: 4px; cursor: pointer; }
#detail .tabs { display: flex; gap: 4px; flex-wrap: wrap; margin-top: 10px; }
#detail .tab { font: inherit; font-size: 13px; border: 1px solid #c5cbd3; background: #fff; border-radius: 4px 4px 0 0; padding: 3px 10px; cursor: pointer; }
#detail .tab.cur { border-color: #1d4f91; box-shadow: inset 0 -3px 0 #1d4f91; }
#detail .tab .badge { margin-left: 6px; }
#detail .dbody { overflow: auto; padding: 6px 20px 30px; flex: 1; }
#detail p { margin: 6px 0; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 6px 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
.verdict { display: grid; grid-template-columns: max-content 1fr; gap: 6px 12px; align-items: baseline; margin: 8px 0; }
.verdict .badge { font-size: 13px; }
pre.head { background: #f6f7f9; border: 1px solid var(--line); border-radius: 4px; padding: 8px; margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 260px; overflow: auto; }
ul.plain { margin: 4px 0; padding-left: 18px; }
table.wire { border-collapse: collapse; width: 100%; font-size: 12.5px; }
table.wire th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid #c9ced5; padding: 3px 6px; position: sticky; top: -6px; background: #fff; }
table.wire td { border-bottom: 1px solid #eceef1; padding: 2px 6px; vertical-align: top; }
table.wire td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.wire tr.sent td.dir { color: #1d4f91; } table.wire tr.received td.dir { color: #2b7a3d; }
table.wire td.dir, table.wire td.op, table.wire td.flags { white-space: nowrap; }
table.wire td.pl { overflow-wrap: anywhere; word-break: break-all; width: 55%; }
table.wire tr.bad td { background: #fff1f1; }
table.wire tr.gap td { color: var(--muted); text-align: center; font-style: italic; background: #fafbfc; }
.txt { color: #0b4f2e; white-space: pre-wrap; }
.txt::before, .txt::after { content: '"'; color: #9aa1a9; }
.hex { color: #5a3e8a; }
.more, .dim { color: #8b939c; font-style: italic; }
.viol { color: var(--fail-fg); font-weight: 600; }
.trace { margin: 3px 0; }
.trace .ev { display: block; margin: 1px 0; overflow-wrap: anywhere; }
.trace .kind { font-weight: 600; margin-right: 4px; }
.outcome { margin: 6px 0; padding-left: 10px; border-left: 3px solid var(--line); }
.outcome.hit { border-left-color: #1d4f91; }
details > summary { cursor: pointer; }
#scrim { position: fixed; inset: 0; background: rgba(20, 30, 50, .18); z-index: 9; }
#scrim[hidden] { display: none; }
)css";

const std::string_view html_page_body = R"html(<header id="top">
<h1 id="title">wscheck report</h1>
<div class="meta" id="meta"></div>
<div class="runs" id="runs"></div>
<div class="settings" id="settings"></div>
</header>
<div id="controls">
<input type="search" id="search" placeholder="Search id or text  ( / )" autocomplete="off" spellcheck="false">
<select id="section"></select>
<div class="chips" id="chips"></div>
<label title="Rows where the agents' verdicts are not all the same"><input type="checkbox" id="differ"> differing rows only</label>
<span id="shown"></span>
</div>
<main>
<table class="matrix" id="matrix"></table>
<div id="empty" hidden>No case matches the filters.</div>
<noscript><p>This report draws its tables with JavaScript, which is off. The same results are in the
JSON reports beside this file.</p></noscript>
</main>
<div id="scrim" hidden></div>
<aside id="detail" hidden></aside>
)html";

const std::string_view html_page_script = R"js(
(function () {
'use strict';
var initStart = performance.now();
var D = JSON.parse(document.getElementById('wscheck-index').textContent);
var details = null;
function detailsOf(run) {
  // Parsed on first use: the index alone is what opening the page costs.
  if (!details) {
    var blob = document.getElementById('wscheck-details');
    if (!blob || document.readyState === 'loading') { return null; } // still being read
    details = JSON.parse(blob.textContent);
  }
  return details[run];
}
var runs = D.runs, cases = D.cases, B = D.behaviors, CB = D.close_behaviors;
var BCLS = ['ok', 'ns', 'info', 'unimp', 'fail'];
var CCLS = ['ok', 'fail', 'fail', 'fail', 'fail', 'info'];
// A cell's category: its colour and the filter it answers to. FAILED first; then a close
// that breaks RFC 6455 7 (FAILED, WRONG CODE, UNCLEAN, FAILED BY CLIENT); then the behavior.
var CATS = ['ok', 'ns', 'info', 'unimp', 'fail', 'closefail'];
var CAT_NAMES = {ok: 'OK', ns: 'NON-STRICT', info: 'INFORMATIONAL', unimp: 'UNIMPLEMENTED', fail: 'FAILED', closefail: 'close failed'};
function closeBad(c) { return c !== 0 && c !== 5; }
function catOf(cell) {
  if (!cell) { return null; }
  if (cell[0] === 4) { return 'fail'; }
  if (closeBad(cell[1])) { return 'closefail'; }
  return BCLS[cell[0]];
}
var ESC = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};
function esc(s) { return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
function ms(n) { return n >= 10000 ? (n / 1000).toFixed(1) + ' s' : n >= 1000 ? (n / 1000).toFixed(2) + ' s' : n + ' ms'; }
function when(t) { return t ? t.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : ''; }
function span(a, b) { var d = Date.parse(b) - Date.parse(a); return isFinite(d) && d >= 0 ? ms(d) : ''; }
function $(id) { return document.getElementById(id); }

// ---------------------------------------------------------------- header
var R = runs.length;
var chapters = {};
D.sections.forEach(function (s) { chapters[s.id] = s.title; });
function chapterOf(sec) { var i = sec.indexOf('.'); return i < 0 ? sec : sec.slice(0, i); }
function titleOf(sec, fallback) { return chapters[sec] != null ? chapters[sec] : (fallback || ''); }
$('title').textContent = D.title;
var tools = {};
runs.forEach(function (r) { tools[r.tool + ' ' + r.version] = 1; });
var first = runs.reduce(function (m, r) { return !m || r.started < m ? r.started : m; }, '');
var last = runs.reduce(function (m, r) { return !m || r.finished > m ? r.finished : m; }, '');
$('meta').textContent = Object.keys(tools).join(', ') + ' \u00b7 ' + cases.length + ' cases \u00d7 ' + R +
  (R === 1 ? ' agent' : ' agents') + (first ? ' \u00b7 ' + when(first) + ' \u2192 ' + when(last) : '');
if (D.settings.length) {
  $('settings').innerHTML = 'Options: ' + D.settings.map(function (s) { return '<code>' + esc(s) + '</code>'; }).join('');
}

// Per run, how many cells of each category (the colours of the matrix).
var catCounts = runs.map(function () { var o = {}; CATS.forEach(function (c) { o[c] = 0; }); return o; });
cases.forEach(function (c) {
  for (var r = 0; r < R; ++r) { var k = catOf(c.cells[r]); if (k) { catCounts[r][k]++; } }
});
function barHtml(counts, total, cls) {
  var h = '<div class="' + cls + '">';
  CATS.forEach(function (k) {
    if (counts[k]) { h += '<span class="' + k + '" style="width:' + (100 * counts[k] / total).toFixed(3) + '%" title="' + counts[k] + ' ' + CAT_NAMES[k] + '"></span>'; }
  });
  return h + '</div>';
}
var runsHtml = '';
runs.forEach(function (r, i) {
  var legend = [];
  r.counts.forEach(function (n, b) { if (n) { legend.push('<b>' + n + '</b> ' + esc(B[b])); } });
  var closeLegend = [];
  r.close_counts.forEach(function (n, b) { if (n && b !== 0 && b !== 5) { closeLegend.push('<b>' + n + '</b> ' + esc(CB[b])); } });
  runsHtml += '<div class="agent">' + esc(r.agent) + (r.interrupted ? ' <span class="badge interrupted">interrupted</span>' : '') +
    '<small>' + esc(r.target) + '</small></div>' +
    barHtml(catCounts[i], Math.max(1, r.total), 'bar') +
    '<div class="legend">' + r.total + ' cases: ' + legend.join(' \u00b7 ') +
    (closeLegend.length ? '<br>close: ' + closeLegend.join(' \u00b7 ') : '') +
    '<br><span class="dim">' + esc(when(r.started)) + ', took ' + esc(span(r.started, r.finished)) + '</span></div>';
  r.notes.forEach(function (n) { runsHtml += '<div class="note">' + esc(r.agent) + ': ' + esc(n) + '</div>'; });
});
$('runs').innerHTML = runsHtml;

// ---------------------------------------------------------------- matrix
// Groups: a chapter row ("1 Framing") and a row per deeper section ("1.1 Text Messages"),
// each with its totals per agent.
var groups = [];   // {sec, chap (bool), title, from, to}
(function () {
  var chap = null, sec = null, g = null, cg = null;
  cases.forEach(function (c, i) {
    var ch = chapterOf(c.sec);
    if (ch !== chap) {
      chap = ch; sec = null;
      cg = {sec: ch, chap: true, title: titleOf(ch, c.sec === ch ? c.section : ''), from: i, to: i};
      groups.push(cg);
    }
    if (c.sec !== ch && c.sec !== sec) {
      sec = c.sec;
      g = {sec: c.sec, chap: false, title: c.section, from: i, to: i};
      groups.push(g);
    }
    cg.to = i + 1;
    if (c.sec !== ch) { g.to = i + 1; }
  });
})();
function groupCells(g) {
  var h = '';
  for (var r = 0; r < R; ++r) {
    var counts = {}, total = 0, good = 0;
    CATS.forEach(function (k) { counts[k] = 0; });
    for (var i = g.from; i < g.to; ++i) {
      var k = catOf(cases[i].cells[r]);
      if (k) { counts[k]++; total++; if (k !== 'fail' && k !== 'closefail') { good++; } }
    }
    var tip = CATS.filter(function (k) { return counts[k]; }).map(function (k) { return counts[k] + ' ' + CAT_NAMES[k]; }).join(', ');
    h += total ? '<td title="' + esc(tip) + '">' + barHtml(counts, total, 'mbar') + good + ' / ' + total + '</td>' : '<td class="none">\u2013</td>';
  }
  return h;
}
var html = ['<colgroup><col class="cid"><col>' + new Array(R + 1).join('<col class="agent">') + '</colgroup><thead><tr><th>Case</th><th>Description</th>'];
runs.forEach(function (r) { html.push('<th class="agent" title="' + esc(r.target) + '">' + esc(r.agent) + '</th>'); });
html.push('</tr></thead>');
var gi = 0;
cases.forEach(function (c, i) {
  while (gi < groups.length && groups[gi].from === i) {
    var g = groups[gi];
    html.push('</tbody><tbody><tr class="' + (g.chap ? 'chap' : 'grp') + '" data-g="' + gi + '"><th colspan="2">' + esc(g.sec) + ' ' + esc(g.title) +
      '<span class="n">' + (g.to - g.from) + ' cases</span></th>' + groupCells(g) + '</tr>');
    ++gi;
  }
  var row = '<tr class="case" data-i="' + i + '"><th class="cid"><a href="#case=' + encodeURIComponent(c.id) + '">' + esc(c.id) + '</a></th>' +
    '<td class="desc" title="' + esc(c.description) + '">' + esc(c.description) + '</td>';
  for (var r = 0; r < R; ++r) {
    var cell = c.cells[r];
    if (!cell) { row += '<td class="v none" title="not run">\u2013</td>'; continue; }
    var k = catOf(cell);
    row += '<td class="v ' + k + '" data-r="' + r + '" title="' + esc(B[cell[0]] + ': ' + cell[4] + (cell[1] ? '\nClose ' + CB[cell[1]] + ': ' + cell[5] : '')) + '">' +
      esc(B[cell[0]]) + (closeBad(cell[1]) ? '<i>close: ' + esc(CB[cell[1]]) + '</i>' : '') + '<small>' + ms(cell[2]) + '</small></td>';
  }
  html.push(row + '</tr>');
});
// The sticky table head goes under the sticky controls; measured before the table exists,
// so that reading a height does not lay out the whole matrix.
document.documentElement.style.setProperty('--ctl-h', $('controls').offsetHeight + 'px');
var matrix = $('matrix');
// Agent columns narrow down (to 96 px) before the description does, then the page scrolls.
var agentW = Math.max(96, Math.min(132, Math.floor((document.documentElement.clientWidth - 40 - 84 - 360) / Math.max(1, R))));
document.documentElement.style.setProperty('--agent-w', agentW + 'px');
matrix.style.minWidth = (84 + 320 + R * agentW) + 'px';
matrix.innerHTML = html.join('').replace('</tbody>', '') + '</tbody>';
var rowEls = matrix.querySelectorAll('tr.case');
var groupEls = matrix.querySelectorAll('tr.chap, tr.grp');

// ---------------------------------------------------------------- filters
var haystack = cases.map(function (c) {
  var s = c.id + ' ' + c.sec + ' ' + c.section + ' ' + c.description + ' ' + c.expectation + ' ' + c.clause + ' ' + c.requirement;
  c.cells.forEach(function (cell) { if (cell) { s += ' ' + cell[4] + ' ' + cell[5]; } });
  return s.toLowerCase();
});
var differs = cases.map(function (c) {
  var k0 = null, seen = false;
  for (var r = 0; r < R; ++r) {
    var cell = c.cells[r], k = cell ? cell[0] + ':' + cell[1] : '-';
    if (!seen) { k0 = k; seen = true; } else if (k !== k0) { return true; }
  }
  return false;
});
var catOn = {};
CATS.forEach(function (k) { catOn[k] = true; });
var chipHtml = '';
CATS.forEach(function (k) {
  var n = 0; catCounts.forEach(function (cc) { n += cc[k]; });
  chipHtml += '<button class="chip ' + k + '" data-k="' + k + '" title="Show rows with a cell ' + esc(CAT_NAMES[k]) + ' (click again to hide)">' + esc(CAT_NAMES[k]) + ' ' + n + '</button>';
});
chipHtml += '<button class="chip reset" data-k="" title="Show every verdict">all</button>';
$('chips').innerHTML = chipHtml;
var secHtml = '<option value="">All sections</option>';
groups.forEach(function (g) {
  secHtml += '<option value="' + esc(g.sec) + '">' + (g.chap ? '' : '\u2003') + esc(g.sec + ' ' + g.title) + ' (' + (g.to - g.from) + ')</option>';
});
$('section').innerHTML = secHtml;

var visible = [];
function applyFilters() {
  var q = $('search').value.trim().toLowerCase();
  var sec = $('section').value;
  var onlyDiff = $('differ').checked;
  var allCats = CATS.every(function (k) { return catOn[k]; });
  var shownIn = new Uint8Array(groups.length);
  visible = [];
  var gi2 = -1, gStack = [];
  for (var i = 0; i < cases.length; ++i) {
    var c = cases[i], show = true;
    if (sec && !(c.sec === sec || c.sec.lastIndexOf(sec + '.', 0) === 0)) { show = false; }
    if (show && q && c.id.lastIndexOf(q, 0) !== 0 && haystack[i].indexOf(q) < 0) { show = false; }
    if (show && onlyDiff && !differs[i]) { show = false; }
    if (show && !allCats) {
      show = false;
      for (var r = 0; r < R; ++r) { var k = catOf(c.cells[r]); if (k && catOn[k]) { show = true; break; } }
    }
    if (rowEls[i].hidden === show) { rowEls[i].hidden = !show; }
    if (show) { visible.push(i); }
  }
  // A group row is shown when one of its cases is.
  var vi = 0;
  groups.forEach(function (g, n) {
    while (vi < visible.length && visible[vi] < g.from) { ++vi; }
    var any = vi < visible.length && visible[vi] < g.to;
    if (groupEls[n].hidden === any) { groupEls[n].hidden = !any; }
  });
  $('empty').hidden = visible.length > 0;
  $('shown').textContent = visible.length === cases.length ? cases.length + ' cases' : visible.length + ' of ' + cases.length + ' cases shown';
}
var searchTimer = 0;
$('search').addEventListener('input', function () { clearTimeout(searchTimer); searchTimer = setTimeout(applyFilters, 80); });
$('section').addEventListener('change', applyFilters);
$('differ').addEventListener('change', applyFilters);
$('chips').addEventListener('click', function (e) {
  var b = e.target.closest('.chip'); if (!b) { return; }
  var k = b.getAttribute('data-k');
  if (!k) { CATS.forEach(function (x) { catOn[x] = true; }); }
  else if (e.altKey || e.shiftKey) { CATS.forEach(function (x) { catOn[x] = x === k; }); }
  else { catOn[k] = !catOn[k]; }
  $('chips').querySelectorAll('.chip[data-k]').forEach(function (el) {
    var x = el.getAttribute('data-k'); if (x) { el.classList.toggle('off', !catOn[x]); }
  });
  applyFilters();
});

// ---------------------------------------------------------------- details
function bytesHtml(b, full, oneLine) {
  if (!b) { return ''; }
  var whole = Math.max(full || 0, b.full_size || 0, b.size);
  if (whole === 0) { return '<span class="dim">empty</span>'; }
  var h;
  if (b.text != null) {
    var t = oneLine ? b.text.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t') : b.text;
    h = '<span class="txt">' + esc(t) + '</span>';
  } else {
    h = '<span class="hex">' + esc((b.hex || '').replace(/(..)(?!$)/g, '$1 ')) + '</span>';
  }
  if (whole > b.size) { h += ' <span class="more">\u2026 ' + (whole - b.size) + ' more bytes</span>'; }
  return h;
}
function hexBytes(hex) { var a = []; for (var i = 0; i + 1 < hex.length; i += 2) { a.push(parseInt(hex.substr(i, 2), 16)); } return new Uint8Array(a); }
// 5.5.1: a Close payload is a 2-byte code then a UTF-8 reason.
function closePayload(f) {
  var p = f.payload;
  if (p.hex == null || p.size < 2) { return null; }
  var bytes = hexBytes(p.hex), code = bytes[0] * 256 + bytes[1], reason;
  try { reason = new TextDecoder('utf-8', {fatal: true}).decode(bytes.subarray(2)); } catch (e) { reason = null; }
  var h = 'code <b>' + code + '</b>';
  if (bytes.length > 2) { h += ', reason ' + (reason != null ? '<span class="txt">' + esc(reason) + '</span>' : '<span class="hex">' + esc(p.hex.slice(4).replace(/(..)(?!$)/g, '$1 ')) + '</span>'); }
  if (f.length > p.size) { h += ' <span class="more">\u2026 ' + (f.length - p.size) + ' more bytes</span>'; }
  return h;
}
function flags(f) {
  var s = [];
  if (f.fin) { s.push('FIN'); }
  if (f.rsv & 4) { s.push('RSV1'); } if (f.rsv & 2) { s.push('RSV2'); } if (f.rsv & 1) { s.push('RSV3'); }
  if (f.masked) { s.push('MASK'); }
  return s.join(' ');
}
function wireHtml(w) {
  var items = [];
  w.frames.forEach(function (f, n) { items.push({t: f.at_us == null ? -1 : f.at_us, n: n, f: f}); });
  w.raw.forEach(function (r, n) { items.push({t: r.at_us, n: 100000 + n, r: r}); });
  // Frames keep their order; raw records go where their time puts them.
  var lastT = 0;
  items.forEach(function (it) { if (it.t < 0) { it.t = lastT; } else { lastT = it.t; } });
  items.sort(function (a, b) { return a.t - b.t || a.n - b.n; });
  var h = '<table class="wire"><thead><tr><th>#</th><th>ms</th><th></th><th>opcode</th><th>flags</th><th>length</th><th>payload</th></tr></thead><tbody>';
  var idx = 0;
  items.forEach(function (it) {
    if (it.f && it.f.omitted != null) { h += '<tr class="gap"><td colspan="7">\u2026 ' + it.f.omitted + ' frames not shown here (the JSON report beside this file has the whole log)</td></tr>'; return; }
    var t = (it.t / 1000).toFixed(3);
    if (it.r) {
      var r = it.r;
      h += '<tr class="' + esc(r.dir) + '"><td class="num"></td><td class="num">' + t + '</td><td class="dir">' + (r.dir === 'sent' ? '\u2192 sent' : '\u2190 recv') + '</td><td class="op" colspan="3">' + esc(r.what) + ' <span class="dim">' + r.total + ' bytes</span></td><td class="pl">' +
        (r.bytes.text != null ? '<details><summary class="mono">' + esc(r.bytes.text.split('\n')[0].replace(/\r$/, '')) + '</summary><pre class="head">' + esc(r.bytes.text) + '</pre></details>' +
          (r.total > r.bytes.size ? '<span class="more">\u2026 ' + (r.total - r.bytes.size) + ' more bytes</span>' : '') : bytesHtml(r.bytes, r.total, true)) + '</td></tr>';
      return;
    }
    var f = it.f, bad = f.violations && f.violations.length;
    ++idx;
    var pl = f.opcode.number === 8 ? closePayload(f) : null;
    h += '<tr class="' + esc(f.dir) + (bad ? ' bad' : '') + '"><td class="num">' + idx + '</td><td class="num">' + t + '</td><td class="dir">' + (f.dir === 'sent' ? '\u2192 sent' : '\u2190 recv') +
      '</td><td class="op">' + esc(f.opcode.name) + ' <span class="dim">' + f.opcode.number + '</span></td><td class="flags mono">' + esc(flags(f)) + '</td><td class="num">' + f.length +
      '</td><td class="pl mono">' + (pl || bytesHtml(f.payload, f.length, true)) +
      (f.complete ? '' : ' <span class="viol">connection ended inside this frame</span>') +
      (bad ? '<br><span class="viol">breaks: ' + esc(f.violations.join(', ')) + '</span>' : '') + '</td></tr>';
  });
  h += '</tbody></table>';
  if (!items.length) { h = '<p class="dim">Nothing was logged.</p>'; }
  if (w.dropped_frames) { h += '<p class="dim">' + w.dropped_frames + ' more frames crossed after the log\u2019s cap of ' + w.limits.frames + ' frames.</p>'; }
  return h;
}
function eventHtml(e) {
  if (e.omitted != null) { return '<span class="ev dim">\u2026 ' + e.omitted + ' more events (the JSON report beside this file lists them all)</span>'; }
  var full = e.data.full_size || e.data.size;
  if (e.kind === 'timeout') { return '<span class="ev"><span class="kind">timeout</span>' + bytesHtml(e.data, 0, true) + '</span>'; }
  return '<span class="ev"><span class="kind">' + esc(e.kind) + '(' + full + ')</span>' + (full ? bytesHtml(e.data, 0, true) : '') + '</span>';
}
function traceHtml(t) { return t.length ? '<div class="trace mono">' + t.map(eventHtml).join('') + '</div>' : '<div class="trace dim">nothing</div>'; }
function badge(cls, text) { return '<span class="badge ' + cls + '">' + esc(text) + '</span>'; }
function yes(b) { return b ? 'yes' : 'no'; }
function kv(rows) {
  return '<dl class="kv">' + rows.filter(function (r) { return r; }).map(function (r) { return '<dt>' + esc(r[0]) + '</dt><dd>' + r[1] + '</dd>'; }).join('') + '</dl>';
}
function sameTrace(a, b) {
  if (a.length !== b.length) { return false; }
  for (var i = 0; i < a.length; ++i) { if (a[i].omitted !== b[i].omitted || a[i].kind !== b[i].kind || JSON.stringify(a[i].data) !== JSON.stringify(b[i].data)) { return false; } }
  return true;
}
function caseBody(ci, r) {
  var c = cases[ci], cell = c.cells[r];
  if (!cell) { return '<p class="dim">' + esc(runs[r].agent) + ' did not run this case.</p>'; }
  var all = detailsOf(r);
  if (!all) { return '<p class="dim">The page is still loading; open the case again in a moment.</p>'; }
  var d = all[cell[3]];
  var h = '<h3>Verdict</h3><div class="verdict">' + badge(BCLS[cell[0]], B[cell[0]]) + '<div>' + esc(d.reason) + '</div>' +
    badge(closeBad(cell[1]) ? 'closefail' : CCLS[cell[1]], 'close ' + CB[cell[1]]) + '<div>' + esc(d.close_reason) + '</div></div>';
  h += kv([['started', esc(when(d.started))], ['duration', esc(ms(d.duration_ms)) + (d.report_time ? ' <span class="dim">(timed case: the duration is part of the result)</span>' : '')]]);
  if (d.peer_violations.length) {
    h += '<h3>Rules the peer broke</h3><ul class="plain">' + d.peer_violations.map(function (v) { return '<li class="viol">' + esc(v) + '</li>'; }).join('') + '</ul>';
  }
  h += '<h3>Received</h3>' + traceHtml(d.received);
  h += '<h3>Expected</h3>';
  d.expected.forEach(function (o) {
    var hit = !o.rule && sameTrace(o.trace, d.received);
    h += '<div class="outcome' + (hit ? ' hit' : '') + '">' + badge(BCLS[B.indexOf(o.verdict)] || '', o.verdict) +
      (o.rule ? ' <span>' + esc(o.rule) + '</span>' : traceHtml(o.trace)) + '</div>';
  });
  if (!d.expected.length) { h += '<p class="dim">No trace: the verdict comes from the close or the handshake.</p>'; }
  var cl = d.close, ec = d.expected_close;
  h += '<h3>Close</h3>' + kv([
    ['expected', esc((ec.either_may_close ? 'either side closes' : ec.closed_by_us ? 'we close' : 'the peer closes (or fails the connection)') +
      (ec.codes.length ? ', code ' + ec.codes.join(' or ') : '') + (ec.require_clean ? ', cleanly' : '') + (ec.informational ? ' (recorded, not judged)' : ''))],
    ['closing started by', cl.closed_by_us ? 'us' : 'the peer'],
    ['Close sent / received', yes(cl.close_sent) + ' / ' + yes(cl.close_received)],
    ['TCP closed by', cl.peer_closed_tcp ? 'the peer' : cl.dropped_by_us ? 'us (dropped)' : 'us'],
    ['clean', yes(cl.clean) + (cl.unclean_reason ? ': ' + esc(cl.unclean_reason) : '')],
    ['peer\u2019s code', cl.remote_code == null ? '<span class="dim">none</span>' : String(cl.remote_code)],
    cl.remote_reason.size ? ['peer\u2019s reason', bytesHtml(cl.remote_reason, 0, true)] : null,
    ['our code', cl.local_code == null ? '<span class="dim">none</span>' : String(cl.local_code)]
  ]);
  var hs = d.handshake;
  h += '<h3>Handshake</h3>' + kv([
    ['status', hs.attempted ? (hs.status ? String(hs.status) : '<span class="dim">no response</span>') + (hs.completed ? ' (completed)' : '') : '<span class="dim">not attempted</span>'],
    hs.error ? ['error', esc(hs.error)] : null
  ]);
  var dfl = d.deflate;
  if (dfl && dfl.offered) {
    h += '<h3>permessage-deflate</h3>' + kv([
      ['offered', esc(dfl.offer)],
      ['answered', dfl.response ? esc(dfl.response) : '<span class="dim">declined</span>'],
      ['agreed', dfl.agreed ? esc(dfl.agreed) : '<span class="dim">nothing</span>']
    ]);
  }
  function head(label, b) {
    if (!b || !b.size) { return ''; }
    return '<details><summary>' + label + ' (' + (b.full_size || b.size) + ' bytes)</summary>' +
      (b.text != null ? '<pre class="head">' + esc(b.text) + '</pre>' + (b.full_size > b.size ? '<span class="more">\u2026 ' + (b.full_size - b.size) + ' more bytes</span>' : '') : '<div class="mono">' + bytesHtml(b, 0, true) + '</div>') + '</details>';
  }
  h += head('request', hs.request) + head('response', hs.response);
  h += '<h3>Wire log</h3>' + wireHtml(d.wire);
  return h;
}
var current = null;
function openCase(ci, r, push) {
  var c = cases[ci];
  if (r == null || !c.cells[r]) { r = 0; for (var x = 0; x < R; ++x) { if (c.cells[x]) { r = x; break; } } }
  current = {ci: ci, r: r};
  var tabs = '';
  runs.forEach(function (run, x) {
    var cell = c.cells[x], k = catOf(cell);
    tabs += '<button class="tab' + (x === r ? ' cur' : '') + '" data-r="' + x + '">' + esc(run.agent) +
      (cell ? badge(k, B[cell[0]] + (closeBad(cell[1]) ? ' / ' + CB[cell[1]] : '')) : ' <span class="dim">not run</span>') + '</button>';
  });
  var el = $('detail');
  el.innerHTML = '<div class="dhead"><div class="row1"><h2>' + esc(c.id) + '<span>' + esc(c.sec + ' ' + c.section) + '</span></h2>' +
    '<div class="nav"><button class="btn" data-nav="-1" title="Previous shown case (k)">\u2191</button><button class="btn" data-nav="1" title="Next shown case (j)">\u2193</button><button class="btn" data-nav="0" title="Close (Esc)">\u2715</button></div></div>' +
    '<p>' + esc(c.description) + '</p>' +
    kv([['expectation', esc(c.expectation)], c.clause ? ['RFC', '<b>' + esc(c.clause) + '</b> ' + esc(c.requirement)] : null]) +
    (R > 1 ? '<div class="tabs">' + tabs + '</div>' : '') + '</div><div class="dbody">' + caseBody(ci, r) + '</div>';
  el.hidden = false; $('scrim').hidden = false;
  var sel = matrix.querySelector('tr.sel'); if (sel) { sel.classList.remove('sel'); }
  rowEls[ci].classList.add('sel');
  if (push !== false) { history.replaceState(null, '', '#case=' + encodeURIComponent(c.id) + (R > 1 ? '&agent=' + r : '')); }
}
function closeCase() {
  $('detail').hidden = true; $('scrim').hidden = true; current = null;
  history.replaceState(null, '', location.pathname + location.search);
}
function step(dir) {
  if (!current || !visible.length) { return; }
  var pos = visible.indexOf(current.ci), next = pos < 0 ? visible[0] : visible[Math.min(visible.length - 1, Math.max(0, pos + dir))];
  openCase(next, current.r);
  rowEls[next].scrollIntoView({block: 'nearest'});
}
matrix.addEventListener('click', function (e) {
  var tr = e.target.closest('tr.case'); if (!tr) { return; }
  e.preventDefault();
  var td = e.target.closest('td.v');
  openCase(+tr.getAttribute('data-i'), td && td.hasAttribute('data-r') ? +td.getAttribute('data-r') : null);
});
$('detail').addEventListener('click', function (e) {
  var t = e.target.closest('[data-r],[data-nav]'); if (!t || !current) { return; }
  if (t.hasAttribute('data-nav')) { var n = +t.getAttribute('data-nav'); if (n) { step(n); } else { closeCase(); } return; }
  openCase(current.ci, +t.getAttribute('data-r'));
});
$('scrim').addEventListener('click', closeCase);
document.addEventListener('keydown', function (e) {
  var typing = e.target.tagName === 'INPUT' || e.target.tagName === 'SELECT';
  if (e.key === 'Escape') { if (current) { closeCase(); } else if (typing) { e.target.blur(); } return; }
  if (typing) { return; }
  if (e.key === '/') { e.preventDefault(); $('search').focus(); }
  else if (current && (e.key === 'j' || e.key === 'ArrowDown')) { e.preventDefault(); step(1); }
  else if (current && (e.key === 'k' || e.key === 'ArrowUp')) { e.preventDefault(); step(-1); }
});
function scrollToRow(i) {
  // Scrolls the window itself rather than with scrollIntoView, which headless Chromium's
  // screenshots do not follow; the row lands below the sticky controls and table head.
  var top = rowEls[i].getBoundingClientRect().top + window.pageYOffset;
  window.scrollTo(0, Math.max(0, top - window.innerHeight / 3));
}
function fromHash() {
  var m = /^#case=([^&]*)(?:&agent=(\d+))?$/.exec(location.hash);
  if (!m) { return; }
  var id = decodeURIComponent(m[1]);
  for (var i = 0; i < cases.length; ++i) { if (cases[i].id === id) { openCase(i, m[2] != null ? +m[2] : null, false); scrollToRow(i); return; } }
}
window.addEventListener('hashchange', fromHash);

applyFilters();
if (document.readyState !== 'loading') { fromHash(); }
// Times for docs/reports.md's measurement, from navigation start: the matrix drawn and
// answering (ready), the first frame after it (painted), the whole file read (loaded).
var ready = performance.now();
document.body.setAttribute('data-ready-ms', ready.toFixed(1));
document.body.setAttribute('data-init-ms', (ready - initStart).toFixed(1));
// The first frame drawn after init: layout and paint of the matrix included.
requestAnimationFrame(function () { setTimeout(function () {
  document.body.setAttribute('data-painted-ms', performance.now().toFixed(1));
}, 0); });
window.addEventListener('load', function () { setTimeout(function () {
  var n = performance.getEntriesByType('navigation')[0];
  document.body.setAttribute('data-loaded-ms', (n ? n.loadEventEnd : performance.now()).toFixed(1));
}, 0); });
// A case named in the address opens once the details are read.
if (/^#case=/.test(location.hash) && document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', fromHash); }
if (performance.mark) { performance.mark('wscheck-ready'); }
})();
)js";

} // namespace wscheck::reports
