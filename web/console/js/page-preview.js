// Page /console/preview: what retrieval and the gate make of a question, nothing stored.

import { S } from './strings.js';
import { isBlank } from './format.js';
import { clear, defList, el, para, selectField, setTitle, tableWrap } from './dom.js';
import { apiPost, errorBox, state } from './http.js';
import { citationList, renderAnswer } from './markdown.js';
import { citedDocIds, gateList, passagesTable } from './evidence.js';

export function renderPreview(main) {
  setTitle(S.previewTitle);
  main.appendChild(el('h1', { text: S.previewTitle }));
  main.appendChild(para(S.previewIntro, 'muted'));
  var button = el('button', { type: 'submit', class: 'primary', text: S.test });
  var form = el('form', { id: 'preview-form', class: 'filters', novalidate: true }, [
    el('div', { class: 'field wide' }, [
      el('label', { for: 'preview-question', text: S.previewQuestion }),
      el('textarea', state.maxQuestionChars
        ? { id: 'preview-question', name: 'question', rows: '3', maxlength: String(state.maxQuestionChars) }
        : { id: 'preview-question', name: 'question', rows: '3' })
    ]),
    el('div', { class: 'fields' }, [selectField('language', S.previewLanguage, S.previewLangOpts, 'preview-language')]),
    el('div', { class: 'form-actions' }, [button])
  ]);
  var error = el('div', { class: 'form-error', role: 'alert' });
  var result = el('div', { id: 'preview-result', 'aria-live': 'polite' });
  main.appendChild(form);
  main.appendChild(error);
  main.appendChild(result);

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var q = form.elements.question.value;
    clear(error);
    if (!q.trim()) { error.textContent = S.previewEmptyQuestion; form.elements.question.focus(); return; }
    var lang = form.elements.language.value || null;
    button.disabled = true;
    button.textContent = S.testing;
    result.setAttribute('aria-busy', 'true');
    apiPost('/api/console/preview', { question: q, language: lang }).then(function (r) {
      button.disabled = false;
      button.textContent = S.test;
      result.removeAttribute('aria-busy');
      clear(result);
      if (!r.ok || !r.data) { error.appendChild(errorBox(r)); return; }
      drawPreview(result, r.data);
    });
  });
}

function drawPreview(box, d) {
  var gate = d.gate && typeof d.gate === 'object' ? d.gate : {};
  var refused = d.refused === true || gate.answer === false;
  var reason = !isBlank(d.reason) ? String(d.reason) : (!isBlank(gate.reason) ? String(gate.reason) : '?');
  box.appendChild(el('h2', { text: S.decision }));
  box.appendChild(el('p', {
    id: 'preview-decision', class: 'decision ' + (refused ? 'decision-refuse' : 'decision-answer'),
    'data-refused': refused ? 'true' : 'false',
    text: refused ? S.decisionRefuse(reason) : S.decisionAnswer
  }));
  if (refused && Object.prototype.hasOwnProperty.call(S.reasons, reason)) {
    box.appendChild(para(S.reasons[reason], 'muted', { id: 'preview-reason-help' }));
  }
  box.appendChild(defList([
    [S.pQuery, d.query],
    [S.pLanguage, d.language],
    [S.pRetrievalLang, d.retrieval_lang],
    [S.pLatency, isBlank(d.latency_ms) ? S.dash : S.ms(d.latency_ms)],
    [S.pBuild, d.index_build]
  ], 'kv inline'));

  box.appendChild(el('h2', { text: S.gateCompare }));
  var thresholds = gate.thresholds && typeof gate.thresholds === 'object' ? gate.thresholds : {};
  var feats = gateList(gate, ['thresholds', 'answer', 'reason']);
  feats.id = 'preview-features';
  var thr = gateList(thresholds);
  thr.id = 'preview-thresholds';
  box.appendChild(el('div', { class: 'side-by-side', id: 'preview-gate' }, [
    el('section', { class: 'panel', 'aria-labelledby': 'pg-f' }, [el('h3', { id: 'pg-f', text: S.features }), feats]),
    el('section', { class: 'panel', 'aria-labelledby': 'pg-t' }, [el('h3', { id: 'pg-t', text: S.thresholds }), thr])
  ]));

  var citations = Array.isArray(d.citations) ? d.citations : [];
  box.appendChild(el('h2', { text: S.answer }));
  var rendered = renderAnswer(isBlank(d.answer) ? '' : String(d.answer), citations, 'preview');
  rendered.id = 'preview-answer';
  box.appendChild(rendered);
  box.appendChild(el('h3', { text: S.citations }));
  var cl = citationList(citations, 'preview');
  cl.id = 'preview-citations';
  box.appendChild(cl);

  var passages = Array.isArray(d.passages) ? d.passages : [];
  box.appendChild(el('h2', { text: S.passages }));
  var table = passagesTable(passages, citedDocIds(citations), true);
  table.id = 'preview-passages';
  box.appendChild(tableWrap(table, S.passages));
  if (!passages.length) box.appendChild(para(S.noPassages, 'muted'));
}
