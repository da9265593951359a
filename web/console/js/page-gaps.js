// Page /console/gaps: the questions the guide does not answer, grouped, with their marks.

import { S } from './strings.js';
import { fmtCounts, fmtDate, fmtScore, fmtValue, has, isBlank, reasonText, str } from './format.js';
import {
  clear, consoleLink, defList, el, inputField, para, selectField, setTitle, tableWrap, th, timeEl
} from './dom.js';
import { apiDelete, apiPost, can, errorBox, errorText, qsFrom } from './http.js';
import { apiParams, filterButtons, listController, loadList } from './lists.js';

var GAP_FILTERS = ['since', 'until', 'min_count', 'view'];
var SVG_NS = 'http://www.w3.org/2000/svg';

export function renderGaps(main) {
  setTitle(S.gapsTitle);
  main.appendChild(el('h1', { text: S.gapsTitle }));
  var form = el('form', { id: 'gaps-filters', class: 'filters', 'aria-label': S.gapsFilters }, [
    el('div', { class: 'fields' }, [
      inputField('since', S.since, 'date', 'g-since'),
      inputField('until', S.until, 'date', 'g-until'),
      inputField('min_count', S.gapsMinCount, 'number', 'g-min', { min: '1', step: '1', inputmode: 'numeric' }),
      selectField('view', S.gapsView, S.gapsViewOpts, 'g-view')
    ]),
    filterButtons()
  ]);
  var csv = el('a', { id: 'gaps-csv', class: 'button secondary', href: '/api/console/gaps.csv', download: '', text: S.gapsCsv });
  var total = el('p', { id: 'gaps-total', role: 'status' });
  var notice = el('p', { id: 'gaps-notice', class: 'notice', role: 'status' });
  var groups = el('div', { id: 'gaps', class: 'gap-groups' });
  main.appendChild(form);
  main.appendChild(el('p', { class: 'toolbar' }, [csv]));
  main.appendChild(total);
  main.appendChild(notice);
  main.appendChild(groups);

  var ctl = listController({
    form: form,
    names: GAP_FILTERS,
    load: function (params, current) {
      var api = apiParams(params, GAP_FILTERS);
      csv.setAttribute('href', '/api/console/gaps.csv' + qsFrom(api));
      total.textContent = S.loading;
      loadList(groups, '/api/console/gaps', api, current, function (r) {
        clear(groups);
        total.textContent = '';
        if (!r.ok || !r.data) { groups.appendChild(errorBox(r)); return; }
        var list = Array.isArray(r.data.groups) ? r.data.groups : [];
        var n = parseInt(r.data.total_questions, 10) || 0;
        total.setAttribute('data-total', String(n));
        total.textContent = S.gapsTotal(n, list.length);
        if (!list.length) { groups.appendChild(para(S.gapsEmpty, 'muted')); return; }
        list.forEach(function (g, i) {
          groups.appendChild(gapGroup(g, i, function (text) { notice.textContent = text; ctl.refresh(); }));
        });
      });
    }
  });
  ctl.refresh();
}

// A small bar chart of the group's questions per week, drawn with SVG elements (no markup parsed).
function trendChart(counts) {
  var w = 8, gap = 2, h = 28;
  var max = Math.max.apply(null, counts.concat([1]));
  var svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'trend');
  svg.setAttribute('width', String(counts.length * (w + gap)));
  svg.setAttribute('height', String(h));
  svg.setAttribute('viewBox', '0 0 ' + counts.length * (w + gap) + ' ' + h);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', S.trendLabel(counts));
  counts.forEach(function (n, i) {
    var bh = n ? Math.max(2, Math.round((n / max) * (h - 2))) : 1;
    var rect = document.createElementNS(SVG_NS, 'rect');
    rect.setAttribute('x', String(i * (w + gap)));
    rect.setAttribute('y', String(h - bh));
    rect.setAttribute('width', String(w));
    rect.setAttribute('height', String(bh));
    rect.setAttribute('class', n ? 'bar' : 'bar empty');
    rect.setAttribute('data-count', String(n));
    var title = document.createElementNS(SVG_NS, 'title');
    title.textContent = S.trendWeek(i + 1, n);
    rect.appendChild(title);
    svg.appendChild(rect);
  });
  return svg;
}

// Out of scope / article planned: the mark, who set it, and how to take it off; or the form to set one.
function gapMarkControls(g, i, done) {
  var box = el('div', { class: 'gap-mark' });
  var error = el('p', { class: 'form-error', role: 'alert' });
  var mark = g.mark && typeof g.mark === 'object' ? g.mark : null;
  if (!can('gaps')) return box;
  if (mark) {
    var label = has(S.markStatus, mark.status) ? S.markStatus[mark.status] : str(mark.status);
    var unmark = el('button', { type: 'button', class: 'secondary unmark', text: S.unmark });
    unmark.addEventListener('click', function () {
      unmark.disabled = true;
      apiDelete('/api/console/gaps/marks/' + encodeURIComponent(String(mark.id))).then(function (r) {
        unmark.disabled = false;
        if (r.ok) done(S.unmarkSaved); else error.textContent = errorText(r);
      });
    });
    box.appendChild(el('p', { class: 'mark-state', 'data-status': String(mark.status) }, [
      el('span', { class: 'badge badge-mark', text: S.markedBy(label, str(mark.by), fmtDate(mark.at)) }), ' ', unmark
    ]));
  } else {
    var sid = 'gap-mark-' + i;
    var select = el('select', { id: sid, name: 'status', class: 'mark-status' });
    Object.keys(S.markStatus).forEach(function (k) { select.appendChild(el('option', { value: k, text: S.markStatus[k] })); });
    var button = el('button', { type: 'button', class: 'secondary mark', text: S.markButton });
    button.addEventListener('click', function () {
      button.disabled = true;
      var ids = Array.isArray(g.message_ids) ? g.message_ids.map(String) : [];
      apiPost('/api/console/gaps/marks', { status: select.value, message_ids: ids }).then(function (r) {
        button.disabled = false;
        if (r.ok) done(S.markSaved); else error.textContent = errorText(r);
      });
    });
    box.appendChild(el('div', { class: 'mark-form' }, [el('label', { for: sid, text: S.markLabel }), ' ', select, ' ', button]));
  }
  box.appendChild(error);
  return box;
}

function gapGroup(g, i, done) {
  var count = parseInt(g.count, 10) || 0;
  var hid = 'gap-h-' + i;
  var art = el('article', {
    class: 'gap-group' + (g.mark ? ' marked' : ''), 'data-count': String(count),
    'data-id': isBlank(g.id) ? null : String(g.id), 'aria-labelledby': hid
  });
  art.appendChild(el('h2', { id: hid, text: S.gapHeading(i + 1, count) }));
  art.appendChild(gapMarkControls(g, i, done));

  var reasons = g.reasons && typeof g.reasons === 'object' ? g.reasons : {};
  var rl = el('ul', { class: 'reasons inline-list' });
  Object.keys(reasons).forEach(function (k) {
    rl.appendChild(el('li', { 'data-reason': k, text: (has(S.reasons, k) ? S.reasons[k] : k) + S.colon + fmtValue(reasons[k]) }));
  });
  var trend = Array.isArray(g.trend) ? g.trend.map(function (n) { return parseInt(n, 10) || 0; }) : [];
  art.appendChild(defList([
    [S.gapLanguages, el('span', { class: 'languages', text: fmtCounts(g.languages) })],
    [S.gapReasons, Object.keys(reasons).length ? rl : S.dash],
    [S.gapTrend, trend.length ? trendChart(trend) : S.dash]
  ], 'kv inline'));

  var examples = Array.isArray(g.examples) ? g.examples : [];
  art.appendChild(el('h3', { text: S.gapExamples }));
  var ul = el('ul', { class: 'examples' });
  examples.forEach(function (ex) {
    var li = el('li', { class: 'example' }, [el('span', { class: 'example-question pre', text: isBlank(ex.question) ? S.dash : String(ex.question) })]);
    var meta = el('span', { class: 'muted example-meta' }, [' · ', timeEl(ex.created_at)]);
    if (!isBlank(ex.reason)) meta.appendChild(document.createTextNode(' · ' + reasonText(ex.reason)));
    if (!isBlank(ex.conversation_id)) {
      meta.appendChild(document.createTextNode(' · '));
      meta.appendChild(consoleLink(conversationHref(ex), S.openConversation, 'example-link'));
    }
    li.appendChild(meta);
    ul.appendChild(li);
  });
  art.appendChild(examples.length ? ul : para(S.dash));

  var comments = Array.isArray(g.comments) ? g.comments : [];
  if (comments.length) {
    art.appendChild(el('h3', { text: S.gapComments }));
    var cl = el('ul', { class: 'gap-comments' });
    comments.forEach(function (c) {
      cl.appendChild(el('li', { class: 'gap-comment' }, [
        el('blockquote', { class: 'comment', text: str(c.comment) }),
        el('span', { class: 'muted' }, [timeEl(c.created_at), isBlank(c.conversation_id) ? null : ' · ',
          isBlank(c.conversation_id) ? null : consoleLink(conversationHref(c), S.openConversation, 'example-link')])
      ]));
    });
    art.appendChild(cl);
  }

  var closest = Array.isArray(g.closest_passages) ? g.closest_passages : [];
  art.appendChild(el('h3', { text: S.gapClosest }));
  if (!closest.length) {
    art.appendChild(para(S.noPassages, 'muted'));
  } else {
    var tbody = el('tbody');
    closest.forEach(function (p) {
      tbody.appendChild(el('tr', null, [
        el('td', { class: 'doc-id', text: str(p.doc_id) }),
        el('td', { text: str(p.title) }),
        el('td', { text: str(p.section) }),
        el('td', { class: 'num', text: fmtScore(p.score) })
      ]));
    });
    art.appendChild(tableWrap(el('table', { class: 'data closest' }, [
      el('caption', { class: 'sr-only', text: S.gapClosestCaption }),
      el('thead', null, [el('tr', null, [th(S.colDoc), th(S.colTitle), th(S.colSection), th(S.colScore)])]),
      tbody
    ]), S.gapClosest));
  }
  return art;
}

function conversationHref(x) {
  return '/console/conversations/' + encodeURIComponent(String(x.conversation_id)) +
    (isBlank(x.message_id) ? '' : '#message-' + encodeURIComponent(String(x.message_id)));
}
