// Page /console/evals: start an evaluation, the runs, what moved since the one before.

import { S } from './strings.js';
import { fmtDate, fmtScore, has, str } from './format.js';
import { clear, el, para, setTitle, tableWrap, th } from './dom.js';
import { apiGet, apiPost, errorBox, errorText } from './http.js';

var EVAL_POLL_MS = 3000;
var EVAL_METRICS = ['fact_accuracy', 'recall@5', 'refusal_recall', 'false_refusals'];
var LOWER_IS_BETTER = ['false_refusals', 'latency_p95_ms'];

export function renderEvals(main) {
  setTitle(S.evalsTitle);
  main.appendChild(el('h1', { text: S.evalsTitle }));
  main.appendChild(para(S.evalsIntro, 'muted'));
  var start = el('button', { type: 'button', id: 'eval-start', class: 'primary', text: S.evalStart });
  var job = el('p', { id: 'eval-job', role: 'status' });
  var error = el('p', { id: 'eval-error', class: 'form-error', role: 'alert' });
  var runs = el('div', { id: 'eval-runs', 'aria-busy': 'true' }, [para(S.loading)]);
  main.appendChild(el('p', { class: 'toolbar' }, [start]));
  main.appendChild(job);
  main.appendChild(error);
  main.appendChild(runs);
  var timer = null;

  function load() {
    clearTimeout(timer);
    apiGet('/api/console/evals').then(function (r) {
      runs.removeAttribute('aria-busy');
      if (!r.ok || !r.data) { clear(runs).appendChild(errorBox(r)); return; }
      var j = r.data.job && typeof r.data.job === 'object' ? r.data.job : null;
      drawJob(job, j);
      start.disabled = !!j && j.state === 'running';
      drawRuns(clear(runs), Array.isArray(r.data.runs) ? r.data.runs : []);
      if (j && j.state === 'running') timer = setTimeout(load, EVAL_POLL_MS);
    });
  }

  start.addEventListener('click', function () {
    error.textContent = '';
    start.disabled = true;
    start.textContent = S.evalStarting;
    apiPost('/api/console/evals', { split: 'test' }).then(function (r) {
      start.textContent = S.evalStart;
      if (!r.ok) { error.textContent = errorText(r); start.disabled = false; }
      load();
    });
  });
  load();
}

function drawJob(box, j) {
  box.textContent = '';
  if (!j) return;
  box.setAttribute('data-state', String(j.state));
  if (j.state === 'running') box.textContent = S.evalJobRunning(str(j.started_by), fmtDate(j.started_at));
  else if (j.state === 'succeeded') box.textContent = S.evalJobSucceeded(fmtDate(j.finished_at));
  else box.textContent = S.evalJobFailed(str(j.returncode));
}

function metricName(k) { return has(S.metrics, k) ? S.metrics[k] : k; }

function drawRuns(box, runs) {
  box.appendChild(el('h2', { text: S.evalRuns }));
  if (!runs.length) { box.appendChild(para(S.evalNoRuns, 'muted')); return; }
  var tbody = el('tbody');
  runs.forEach(function (run) {
    var summary = run.summary && typeof run.summary === 'object' ? run.summary : {};
    var cells = [
      el('td', { class: 'nowrap' }, [el('code', { text: str(run.id) })]),
      el('td', { text: str(run.variant) + ' · ' + str(run.writer) })
    ];
    EVAL_METRICS.forEach(function (k) { cells.push(el('td', { class: 'num', text: fmtScore(summary[k]) })); });
    cells.push(el('td', null, [run.report
      ? el('a', { class: 'eval-report', href: '/api/console/evals/' + encodeURIComponent(String(run.id)) + '/report', target: '_blank', rel: 'noopener', text: S.evalReport })
      : S.dash]));
    tbody.appendChild(el('tr', { class: 'eval-run', 'data-id': str(run.id) }, cells));
  });
  box.appendChild(tableWrap(el('table', { id: 'eval-runs-table', class: 'data' }, [
    el('caption', { class: 'sr-only', text: S.evalRunsCaption }),
    el('thead', null, [el('tr', null, [th(S.colRun), th(S.colVariant)].concat(EVAL_METRICS.map(function (k) { return th(metricName(k)); }), [th(S.colReport)]))]),
    tbody
  ]), S.evalRuns));
  box.appendChild(comparisonView(runs[0]));
}

// What moved between the newest run and the one before it: the figures, then the questions.
function comparisonView(run) {
  var c = run.comparison && typeof run.comparison === 'object' ? run.comparison : null;
  var sec = el('section', { id: 'eval-comparison', 'aria-labelledby': 'eval-cmp-h' });
  if (!c) {
    sec.appendChild(el('h2', { id: 'eval-cmp-h', text: S.evalCompare(S.dash) }));
    sec.appendChild(para(S.evalNoCompare, 'muted'));
    return sec;
  }
  sec.appendChild(el('h2', { id: 'eval-cmp-h', text: S.evalCompare(str(c.previous)) }));
  var deltas = c.deltas && typeof c.deltas === 'object' ? c.deltas : {};
  var summary = run.summary && typeof run.summary === 'object' ? run.summary : {};
  var tbody = el('tbody');
  Object.keys(S.metrics).forEach(function (k) {
    if (!has(deltas, k)) return;
    var d = Number(deltas[k]);
    var after = summary[k];
    var before = typeof after === 'number' && isFinite(d) ? after - d : null;
    var gain = LOWER_IS_BETTER.indexOf(k) === -1 ? d : -d;
    tbody.appendChild(el('tr', { class: 'delta' + (gain > 0 ? ' better' : gain < 0 ? ' worse' : ''), 'data-metric': k }, [
      el('th', { scope: 'row', text: metricName(k) }),
      el('td', { class: 'num', text: fmtScore(before) }),
      el('td', { class: 'num', text: fmtScore(after) }),
      el('td', { class: 'num', text: (d > 0 ? '+' : '') + fmtScore(d) })
    ]));
  });
  sec.appendChild(tableWrap(el('table', { class: 'data deltas' }, [
    el('caption', { class: 'sr-only', text: S.evalCompare(str(c.previous)) }),
    el('thead', null, [el('tr', null, [th(S.colMetric), th(S.colBefore), th(S.colAfter), th(S.colDelta)])]),
    tbody
  ]), S.colDelta));
  [['worse', S.evalWorse], ['better', S.evalBetter]].forEach(function (kind) {
    var items = Array.isArray(c[kind[0]]) ? c[kind[0]] : [];
    sec.appendChild(el('h3', { text: kind[1](items.length) }));
    var ul = el('ul', { class: 'eval-questions ' + kind[0] });
    items.forEach(function (q) {
      ul.appendChild(el('li', null, [el('code', { text: str(q.id) }), ' ', str(q.question)]));
    });
    if (items.length) sec.appendChild(ul);
  });
  return sec;
}
