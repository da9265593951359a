// What decided an answer, in words, and the passages and gate features behind it.

import { S } from './strings.js';
import { fmtScore, fmtValue, has, isBlank, reasonText, str } from './format.js';
import { defList, el, externalLink, para, th, timeEl } from './dom.js';

function whySentence(m) {
  var e = m.explanation && typeof m.explanation === 'object' ? m.explanation : {};
  var closest = m.closest_article && typeof m.closest_article === 'object' ? m.closest_article : null;
  var title = S.quoted(closest && !isBlank(closest.title) ? String(closest.title) : S.dash);
  var expl = {
    key_terms: typeof e.key_terms === 'number' ? e.key_terms : 0,
    terms_found: typeof e.terms_found === 'number' ? e.terms_found : null,
    missing_figures: Array.isArray(e.missing_figures) ? e.missing_figures.map(String) : []
  };
  if (!m.refused) return S.whyAnswered(title, expl.terms_found, expl.key_terms, e.legs_agree === true);
  var reason = String(m.reason || e.reason || '');
  return has(S.whyRefused, reason) ? S.whyRefused[reason](expl, title) : S.whyOther(reason || '?');
}

export function evidenceBox(m) {
  var closest = m.closest_article && typeof m.closest_article === 'object' ? m.closest_article : null;
  var article = closest
    ? el('span', { class: 'closest' }, [
      externalLink(closest.url, isBlank(closest.title) ? str(closest.doc_id) : String(closest.title), 'closest-title'),
      isBlank(closest.section) ? null : el('span', { class: 'muted', text: ' — ' + String(closest.section) })
    ])
    : el('span', { class: 'muted', text: S.noClosest });
  return el('div', { class: 'evidence panel' }, [
    defList([[S.closestArticle, article], [S.why, el('p', { class: 'why', text: whySentence(m) })]], 'kv evidence-list')
  ]);
}

function scoreRank(score, rank) {
  var s = fmtScore(score);
  if (rank === null || rank === undefined || rank === '') return s;
  return s + ' / ' + String(rank);
}

export function citedDocIds(citations) {
  var set = Object.create(null);
  citations.forEach(function (c) { if (!isBlank(c.doc_id)) set[String(c.doc_id)] = true; });
  return set;
}

export function passagesTable(passages, cited, full) {
  // full: the preview's table (separate title/section/lang/text columns)
  var head = full
    ? [th(S.colRank), th(S.colDoc), th(S.colTitle), th(S.colSection), th(S.colLang), th(S.colFused), th(S.colDense), th(S.colLexical), th(S.colText)]
    : [th(S.colRank), th(S.colDoc), th(S.colTitleSection), th(S.colFused), th(S.colDense), th(S.colLexical)];
  var tbody = el('tbody');
  passages.forEach(function (p) {
    var isCited = !isBlank(p.doc_id) && cited[String(p.doc_id)] === true;
    var rankCell = el('td', { class: 'num' }, [str(p.rank)]);
    if (isCited) rankCell.appendChild(el('span', { class: 'badge badge-cited', text: S.cited }));
    var cells = [rankCell, el('td', { class: 'doc-id', text: str(p.doc_id) })];
    if (full) {
      cells.push(el('td', null, [isBlank(p.url) ? str(p.title) : externalLink(p.url, str(p.title))]));
      cells.push(el('td', { text: str(p.section) }));
      cells.push(el('td', { text: str(p.lang) }));
    } else {
      var ts = str(p.title) + (isBlank(p.section) ? '' : ' — ' + String(p.section));
      cells.push(el('td', { text: ts }));
    }
    cells.push(el('td', { class: 'num', text: fmtScore(p.score) }));
    cells.push(el('td', { class: 'num', text: scoreRank(p.dense_score, p.dense_rank) }));
    cells.push(el('td', { class: 'num', text: scoreRank(p.lexical_score, p.lexical_rank) }));
    if (full) {
      cells.push(el('td', { class: 'passage-text-cell' }, [
        isBlank(p.text) ? S.dash : el('details', null, [
          el('summary', { text: S.passageText }),
          el('div', { class: 'passage-text', text: String(p.text) })
        ])
      ]));
    }
    tbody.appendChild(el('tr', { class: 'passage' + (isCited ? ' cited' : ''), 'data-doc-id': isBlank(p.doc_id) ? null : String(p.doc_id) }, cells));
  });
  return el('table', { class: 'data passages' }, [
    el('caption', { class: 'sr-only', text: S.passagesCaption }),
    el('thead', null, [el('tr', null, head)]),
    tbody
  ]);
}

export function gateList(gate, skip) {
  var keys = gate && typeof gate === 'object' ? Object.keys(gate).filter(function (k) { return (skip || []).indexOf(k) === -1; }) : [];
  if (!keys.length) return para(S.noGate, 'muted');
  var dl = el('dl', { class: 'kv gate' });
  keys.forEach(function (k) {
    dl.appendChild(el('dt', null, [el('code', { text: k })]));
    dl.appendChild(el('dd', { text: k === 'reason' ? reasonText(gate[k]) : fmtValue(gate[k]) }));
  });
  return dl;
}

export function feedbackList(items) {
  if (!items.length) return para(S.noFeedback, 'muted');
  var ul = el('ul', { class: 'feedback' });
  items.forEach(function (f) {
    var rating = f.rating === 'up' ? S.ratingUp : f.rating === 'down' ? S.ratingDown : str(f.rating);
    ul.appendChild(el('li', { class: 'feedback-item rating-' + (f.rating === 'up' ? 'up' : f.rating === 'down' ? 'down' : 'other') }, [
      el('span', { class: 'rating', text: rating }),
      ' · ', timeEl(f.created_at),
      isBlank(f.comment) ? null : el('blockquote', { class: 'comment', text: String(f.comment) })
    ]));
  });
  return ul;
}
