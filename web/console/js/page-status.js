// Page /console/status: the articles to look at first, then the index build.

import { S } from './strings.js';
import { fmtCounts, fmtScore, isBlank, str } from './format.js';
import { clear, defList, el, externalLink, inputField, para, setTitle, tableWrap, th, timeEl } from './dom.js';
import { errorBox } from './http.js';
import { apiParams, filterButtons, listController, loadList } from './lists.js';

var STATUS_FILTERS = ['since', 'until'];

export function renderStatus(main) {
  setTitle(S.statusTitle);
  main.appendChild(el('h1', { text: S.statusTitle }));
  var form = el('form', { id: 'status-filters', class: 'filters', 'aria-label': S.sPeriod }, [
    el('div', { class: 'fields' }, [inputField('since', S.since, 'date', 's-since'), inputField('until', S.until, 'date', 's-until')]),
    filterButtons()
  ]);
  var box = el('div', { id: 'status', 'aria-busy': 'true' }, [para(S.loading)]);
  main.appendChild(form);
  main.appendChild(box);
  var ctl = listController({
    form: form,
    names: STATUS_FILTERS,
    load: function (params, current) {
      var api = apiParams(params, STATUS_FILTERS);
      loadList(box, '/api/console/status', api, current, function (r) {
        clear(box);
        if (!r.ok || !r.data) { box.appendChild(errorBox(r)); return; }
        var corpus = r.data.corpus && typeof r.data.corpus === 'object' ? r.data.corpus : {};
        drawCorpusUsage(box, corpus);
        box.appendChild(buildDetails(r.data));
      });
    }
  });
  ctl.refresh();
}

function articleCell(d) {
  return el('td', { class: 'article' }, [
    externalLink(d.url, isBlank(d.title) ? str(d.doc_id) : String(d.title), 'article-title'),
    el('span', { class: 'muted doc-id', text: ' (' + str(d.doc_id) + ')' })
  ]);
}

function articleTable(id, caption, heads, rows) {
  var tbody = el('tbody');
  rows.forEach(function (cells) { tbody.appendChild(el('tr', { class: 'article-row' }, cells)); });
  var table = el('table', { id: id, class: 'data articles' }, [
    el('caption', { class: 'sr-only', text: caption }),
    el('thead', null, [el('tr', null, heads.map(function (h) { return th(h); }))]),
    tbody
  ]);
  return tableWrap(table, caption);
}

function drawCorpusUsage(box, c) {
  var stale = Array.isArray(c.stale) ? c.stale : [];
  var never = Array.isArray(c.never_cited) ? c.never_cited : [];
  var down = Array.isArray(c.thumbs_down) ? c.thumbs_down : [];
  var days = parseInt(c.stale_after_days, 10) || 0;

  box.appendChild(el('section', { class: 'corpus-section', 'aria-labelledby': 'stale-h' }, [
    el('h2', { id: 'stale-h', text: S.sStale(days) }),
    stale.length
      ? articleTable('stale', S.sStale(days), [S.colTitle, S.colSource, S.colLang, S.colUpdated, S.colAge], stale.map(function (d) {
        return [articleCell(d), el('td', { text: str(d.source) }), el('td', { text: str(d.lang) }),
          el('td', { class: 'nowrap', text: str(d.updated) }), el('td', { class: 'num', text: S.days(parseInt(d.age_days, 10) || 0) })];
      }))
      : para(S.sStaleNone, 'muted')
  ]));

  var period = (isBlank(c.since) ? '' : String(c.since)) + ' → ' + (isBlank(c.until) ? '' : String(c.until));
  box.appendChild(el('section', { class: 'corpus-section', 'aria-labelledby': 'never-h' }, [
    el('h2', { id: 'never-h' }, [S.sNeverCited + ' ', el('span', { class: 'muted', text: '(' + period + ')' })]),
    never.length
      ? articleTable('never-cited', S.sNeverCited, [S.colTitle, S.colSource, S.colLang, S.colUpdated], never.map(function (d) {
        return [articleCell(d), el('td', { text: str(d.source) }), el('td', { text: str(d.lang) }), el('td', { class: 'nowrap', text: str(d.updated) })];
      }))
      : para(S.sNeverCitedNone, 'muted')
  ]));

  box.appendChild(el('section', { class: 'corpus-section', 'aria-labelledby': 'down-h' }, [
    el('h2', { id: 'down-h', text: S.sThumbsDown }),
    down.length
      ? articleTable('thumbs-down-cited', S.sThumbsDown, [S.colTitle, S.colThumbsDown, S.colCited], down.map(function (d) {
        return [articleCell(d), el('td', { class: 'num', text: str(d.thumbs_down) }), el('td', { class: 'num', text: str(d.cited) })];
      }))
      : para(S.sThumbsDownNone, 'muted')
  ]));
}

// The index build behind a toggle: the content team reads the lists above first.
function buildDetails(d) {
  var ix = d.index && typeof d.index === 'object' ? d.index : {};
  var details = el('details', { id: 'build-details', class: 'build-details' }, [
    el('summary', null, [S.sBuildDetails, el('span', { id: 'status-build-id', text: str(ix.build_id) })])
  ]);
  details.appendChild(el('h2', { text: S.sIndex }));
  if (!isBlank(d.serving_build) && !isBlank(ix.build_id) && String(d.serving_build) !== String(ix.build_id)) {
    details.appendChild(el('p', { class: 'alert warning', role: 'note', text: S.sServingMismatch }));
  }
  details.appendChild(defList([
    [S.sBuildId, str(ix.build_id)],
    [S.sServing, el('span', { id: 'status-serving-build', text: str(d.serving_build) })],
    [S.sBuiltAt, timeEl(ix.built_at)],
    [S.sEmbedder, el('span', { id: 'status-embedder', text: str(ix.embedder) })],
    [S.sDocuments, el('span', { id: 'status-documents', text: str(ix.documents) })],
    [S.sChunks, el('span', { id: 'status-chunks', text: str(ix.chunks) })],
    [S.sByLang, el('span', { id: 'status-by-lang', text: fmtCounts(ix.by_lang) })],
    [S.sBySource, el('span', { id: 'status-by-source', text: fmtCounts(ix.by_source) })],
    [S.sBuildSeconds, isBlank(ix.build_seconds) ? S.dash : S.seconds(fmtScore(ix.build_seconds))]
  ], 'kv status-index'));

  details.appendChild(el('h2', { text: S.sChanges }));
  var ch = d.changes && typeof d.changes === 'object' ? d.changes : null;
  if (!ch) details.appendChild(para(S.sNoChanges, 'muted'));
  var grid = el('div', { class: 'changes' });
  [['added', S.sAdded, 'changes-added'], ['changed', S.sChanged, 'changes-changed'],
    ['removed', S.sRemoved, 'changes-removed'], ['kept_after_error', S.sKept, 'changes-kept']].forEach(function (c) {
    var v = ch ? ch[c[0]] : null;
    var ids = Array.isArray(v) ? v.map(String) : [];
    var count = Array.isArray(v) ? ids.length : (typeof v === 'number' ? v : 0);
    var ul = el('ul', { id: c[2], class: 'doc-list', 'data-count': String(count) });
    ids.forEach(function (x) { ul.appendChild(el('li', { text: x })); });
    grid.appendChild(el('section', { class: 'panel', 'aria-labelledby': c[2] + '-h' }, [
      el('h3', { id: c[2] + '-h', text: c[1] + ' (' + count + ')' }),
      ul,
      ids.length ? null : para(typeof v === 'number' ? String(v) : '(' + S.none + ')', 'muted')
    ]));
  });
  if (ch) {
    details.appendChild(grid);
    details.appendChild(defList([
      [S.sEmbedded, el('span', { id: 'changes-embedded', text: str(ch.embedded_chunks) })],
      [S.sReused, el('span', { id: 'changes-reused', text: str(ch.reused_chunks) })]
    ], 'kv inline'));
  }

  details.appendChild(el('h2', { text: S.sErrors }));
  var errs = Array.isArray(d.errors) ? d.errors : [];
  var eul = el('ul', { id: 'status-errors', class: 'errors' });
  errs.forEach(function (e) {
    eul.appendChild(el('li', null, [el('code', { text: str(e && e.path) }), S.colon, str(e && e.message)]));
  });
  details.appendChild(eul);
  if (!errs.length) details.appendChild(para(S.sNoErrors, 'muted'));
  return details;
}
