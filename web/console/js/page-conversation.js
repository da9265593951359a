// Page /console/conversations/{id}: each answer with its evidence and its review.

import { S } from './strings.js';
import { isBlank, reasonText } from './format.js';
import { clear, consoleLink, defList, el, para, setTitle, tableWrap, timeEl } from './dom.js';
import { apiGet, can, errorBox } from './http.js';
import { citationList, renderAnswer } from './markdown.js';
import { citedDocIds, evidenceBox, feedbackList, gateList, passagesTable } from './evidence.js';
import { reviewOpeners, reviewPanel, reviewView } from './review.js';

export function renderConversation(main, id) {
  setTitle(S.convViewTitle);
  main.appendChild(el('p', { class: 'back' }, [consoleLink('/console', S.back)]));
  var holder = el('div', { 'aria-busy': 'true' }, [para(S.loading)]);
  main.appendChild(holder);
  apiGet('/api/console/conversations/' + encodeURIComponent(id)).then(function (r) {
    holder.removeAttribute('aria-busy');
    clear(holder);
    if (!r.ok || !r.data) {
      holder.appendChild(el('h1', { text: S.convViewTitle }));
      holder.appendChild(errorBox(r));
      return;
    }
    var c = r.data;
    var msgs = Array.isArray(c.messages) ? c.messages : [];
    holder.appendChild(el('h1', null, [S.convViewTitle + ' ', el('span', { class: 'muted id', text: String(c.id) })]));
    holder.appendChild(defList([
      [S.createdAt, timeEl(c.created_at)],
      [S.updatedAt, timeEl(c.updated_at)],
      [S.mLanguage, c.language],
      [S.colMessages, String(msgs.length)]
    ], 'kv inline conv-meta'));
    var reviews = reviewPanel();
    var sections = msgs.map(function (m, i) {
      var sec = messageSection(m, i, msgs.length, reviews);
      holder.appendChild(sec);
      return sec;
    });
    var target = null;
    if (location.hash) {
      var frag = location.hash.slice(1);
      try { frag = decodeURIComponent(frag); } catch (e) { /* keep it raw */ }
      target = document.getElementById(frag);
      if (target) { target.classList.add('targeted'); target.scrollIntoView(); }
    }
    // the form opens by itself on the answer the link pointed at, or on the only answer there is
    var only = sections.length === 1 ? sections[0] : null;
    var opener = (target && target.querySelector('button.review-open')) || (only && only.querySelector('button.review-open'));
    if (opener) reviews.open(opener, false);
  });
}

function messageSection(m, i, n, reviews) {
  var mid = String(m.id);
  var hid = 'msg-h-' + i;
  var citations = Array.isArray(m.citations) ? m.citations : [];
  var passages = Array.isArray(m.passages) ? m.passages : [];
  var feedback = Array.isArray(m.feedback) ? m.feedback : [];
  var question = isBlank(m.question) ? '' : String(m.question);
  var sec = el('section', { class: 'message' + (m.refused ? ' refused' : ''), 'data-id': mid, id: 'message-' + mid, 'aria-labelledby': hid });

  sec.appendChild(el('h2', { id: hid }, [S.messageHeading(i + 1, n) + ' ', el('span', { class: 'muted' }, [timeEl(m.created_at)])]));
  sec.appendChild(el('h3', { text: S.question }));
  sec.appendChild(el('div', { class: 'question pre', text: question || S.dash }));
  if (!isBlank(m.query) && String(m.query).trim() !== question.trim()) {
    sec.appendChild(el('p', { class: 'query' }, [el('strong', { text: S.rewritten }), String(m.query)]));
  }
  var refusedVal = m.refused ? S.yes + (isBlank(m.reason) ? '' : ' — ' + reasonText(m.reason)) : S.no;
  sec.appendChild(defList([
    [S.mLanguage, m.language],
    [S.mWriter, m.writer],
    [S.mLatency, isBlank(m.latency_ms) ? S.dash : S.ms(m.latency_ms)],
    [S.mTool, m.tool],
    [S.mRefused, el('span', { class: m.refused ? 'refused-flag' : null, text: refusedVal })]
  ], 'kv inline message-meta'));

  sec.appendChild(el('h3', { text: S.answer }));
  sec.appendChild(renderAnswer(isBlank(m.answer) ? '' : String(m.answer), citations, mid));
  sec.appendChild(el('h3', { text: S.citations }));
  sec.appendChild(citationList(citations, mid));

  sec.appendChild(el('h3', { text: S.evidence }));
  sec.appendChild(evidenceBox(m));

  sec.appendChild(el('h3', { text: S.feedback }));
  sec.appendChild(feedbackList(feedback));

  // scores, ranks and the gate's raw features: for whoever wants to look under the hood
  sec.appendChild(el('details', { class: 'evidence-details' }, [
    el('summary', { text: S.details }),
    el('h4', { text: S.passages }),
    passages.length ? tableWrap(passagesTable(passages, citedDocIds(citations), false), S.passages) : para(S.noPassages, 'muted'),
    el('h4', { text: S.gate }),
    gateList(m.gate)
  ]));

  sec.appendChild(el('h3', { text: S.review }));
  var current = reviewView(m.review);
  sec.appendChild(current);
  if (can('review')) {
    var slot = el('div', { class: 'review-slot' });
    var opener = el('button', {
      type: 'button', class: 'review-open secondary', 'aria-expanded': 'false',
      text: m.review ? S.reviewChange : S.reviewOpen
    });
    opener.addEventListener('click', function () { reviews.open(opener, true); });
    reviewOpeners.set(opener, { message: m, index: i, slot: slot, current: current, opener: opener });
    sec.appendChild(el('p', { class: 'review-actions' }, [opener]));
    sec.appendChild(slot);
  }
  return sec;
}
