// An adviser's review of an answer: the verdict shown, the form (one open at a time), the sources picker.

import { S } from './strings.js';
import { debounce, fmtDate, has, isBlank, str } from './format.js';
import { clear, defList, el, para } from './dom.js';
import { apiGet, apiPost, errorCode, errorReason, errorText } from './http.js';

// Titles of the served index's articles, fetched once per page (a review names its sources by id).
var documentTitles = null;
function loadDocumentTitles() {
  if (!documentTitles) {
    documentTitles = apiGet('/api/console/documents').then(function (r) {
      var titles = Object.create(null);
      (r.ok && r.data && Array.isArray(r.data.items) ? r.data.items : []).forEach(function (d) {
        if (!isBlank(d.doc_id)) titles[String(d.doc_id)] = { title: isBlank(d.title) ? String(d.doc_id) : String(d.title), lang: d.lang };
      });
      return titles;
    });
  }
  return documentTitles;
}

export function reviewView(review) {
  var box = el('div', { class: 'review-current' });
  if (!review) { box.appendChild(para(S.noReview, 'muted')); return box; }
  var v = has(S.verdicts, review.verdict) ? S.verdicts[review.verdict] : str(review.verdict);
  var docs = Array.isArray(review.expected_doc_ids) ? review.expected_doc_ids.map(String) : [];
  var docList = el('span', { class: 'expected-docs', text: docs.length ? docs.join(', ') : S.dash });
  if (docs.length) {
    loadDocumentTitles().then(function (titles) {
      docList.textContent = docs.map(function (d) { return titles[d] ? titles[d].title : d; }).join(', ');
    });
  }
  box.appendChild(el('p', { class: 'verdict verdict-' + String(review.verdict).replace(/[^a-z]/g, '') }, [
    el('strong', { text: S.verdict + S.colon }), v
  ]));
  box.appendChild(defList([
    [S.correctedAnswer, isBlank(review.corrected_answer) ? S.dash : el('div', { class: 'pre', text: String(review.corrected_answer) })],
    [S.expectedDocs, docList],
    [S.note, isBlank(review.note) ? S.dash : el('div', { class: 'pre', text: String(review.note) })]
  ]));
  box.appendChild(para(S.reviewedBy(isBlank(review.reviewer) ? '' : String(review.reviewer), fmtDate(review.created_at)), 'muted'));
  return box;
}

// One review form on the page at a time: opening one closes the other, and it sits under its own answer.
export var reviewOpeners = new WeakMap();
export function reviewPanel() {
  var openFor = null;
  function close() {
    if (!openFor) return;
    var ctx = reviewOpeners.get(openFor);
    clear(ctx.slot);
    openFor.setAttribute('aria-expanded', 'false');
    openFor.hidden = false;
    openFor = null;
  }
  return {
    open: function (opener, focus) {
      var ctx = reviewOpeners.get(opener);
      if (!ctx) return;
      if (openFor === opener) return;
      close();
      openFor = opener;
      opener.setAttribute('aria-expanded', 'true');
      opener.hidden = true;
      var form = reviewForm(ctx, function () { var back = opener; close(); back.focus(); });
      ctx.slot.appendChild(form);
      if (focus) form.querySelector('input[name="verdict"]').focus();
    },
    close: close
  };
}

function reviewForm(ctx, onCancel) {
  var m = ctx.message;
  var mid = String(m.id);
  var p = 'rv-' + ctx.index + '-';
  var form = el('form', { class: 'review', 'data-message-id': mid, 'aria-labelledby': p + 'title', novalidate: true });
  form.appendChild(el('h4', { id: p + 'title', text: S.reviewFormTitle }));

  var fs = el('fieldset', { class: 'verdicts' }, [el('legend', { text: S.verdict })]);
  ['correct', 'incorrect', 'incomplete'].forEach(function (v) {
    fs.appendChild(el('span', { class: 'radio' }, [
      el('input', { type: 'radio', name: 'verdict', value: v, id: p + v }),
      el('label', { for: p + v, text: S.verdicts[v] })
    ]));
  });
  form.appendChild(fs);

  var corrected = el('textarea', { id: p + 'corrected', name: 'corrected_answer', rows: '5' });
  form.appendChild(el('div', { class: 'field' }, [el('label', { for: p + 'corrected', text: S.correctedAnswer }), corrected]));

  var picker = docPicker(p);
  form.appendChild(picker.node);

  form.appendChild(el('div', { class: 'field' }, [
    el('label', { for: p + 'note', text: S.note }),
    el('textarea', { id: p + 'note', name: 'note', rows: '3' })
  ]));

  var saved = el('p', { class: 'review-saved', role: 'status' });
  var error = el('p', { class: 'review-error', role: 'alert', id: p + 'error' });
  var submit = el('button', { type: 'submit', class: 'primary', text: S.saveReview });
  var cancel = el('button', { type: 'button', class: 'secondary review-cancel', text: S.cancel });
  cancel.addEventListener('click', onCancel);
  form.appendChild(el('div', { class: 'form-actions' }, [submit, cancel]));
  form.appendChild(saved);
  form.appendChild(error);

  function prefill(review) {
    if (!review) return;
    Array.prototype.forEach.call(form.querySelectorAll('input[name="verdict"]'), function (r) { r.checked = r.value === review.verdict; });
    corrected.value = isBlank(review.corrected_answer) ? '' : String(review.corrected_answer);
    picker.set(Array.isArray(review.expected_doc_ids) ? review.expected_doc_ids.map(String) : []);
    form.elements.note.value = isBlank(review.note) ? '' : String(review.note);
  }
  prefill(m.review);

  function showError(r) {
    error.textContent = errorText(r);
    var code = errorCode(r), reason = errorReason(r);
    var field = code === 'corrected_answer_required' ? corrected : reason === 'unknown_documents' ? picker.input : null;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', p + 'error');
      field.focus();
    }
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    saved.textContent = '';
    error.textContent = '';
    [corrected, picker.input].forEach(function (f) { f.removeAttribute('aria-invalid'); });
    var checked = form.querySelector('input[name="verdict"]:checked');
    if (!checked) {
      error.textContent = S.chooseVerdict;
      form.querySelector('input[name="verdict"]').focus();
      return;
    }
    var note = form.elements.note.value;
    var body = {
      verdict: checked.value,
      corrected_answer: corrected.value.trim() ? corrected.value : null,
      expected_doc_ids: picker.value(),
      note: note.trim() ? note : null
    };
    submit.disabled = true;
    submit.textContent = S.saving;
    apiPost('/api/console/messages/' + encodeURIComponent(mid) + '/review', body).then(function (r) {
      submit.disabled = false;
      submit.textContent = S.saveReview;
      if (r.ok && r.data) {
        var fresh = reviewView(r.data);
        ctx.current.parentNode.replaceChild(fresh, ctx.current);
        ctx.current = fresh;
        m.review = r.data;
        ctx.opener.textContent = S.reviewChange;
        prefill(r.data);
        saved.textContent = S.reviewSaved;
      } else {
        showError(r);
      }
    });
  });
  return form;
}

// The sources an answer should cite, chosen by title: a search box over GET /api/console/documents?q=, the
// articles found as buttons, the chosen ones as a list with a remove button each.
function docPicker(p) {
  var chosen = [];
  var seq = 0;
  var input = el('input', {
    id: p + 'docs', name: 'expected_doc_ids', type: 'search', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': p + 'docs-help', 'aria-controls': p + 'docs-list'
  });
  var status = el('p', { class: 'sr-only', role: 'status', id: p + 'docs-status' });
  var list = el('ul', { class: 'doc-suggestions', id: p + 'docs-list', 'aria-label': S.suggestionsLabel });
  var picked = el('ul', { class: 'chosen-docs', 'aria-label': S.chosenDocs });
  var none = para(S.noChosenDocs, 'muted no-chosen');
  var node = el('div', { class: 'field doc-picker' }, [
    el('p', { class: 'field-title', text: S.expectedDocs }),
    picked, none,
    el('label', { for: p + 'docs', text: S.docSearch }),
    input,
    el('p', { class: 'help', id: p + 'docs-help', text: S.expectedDocsHelp }),
    list, status
  ]);

  function draw() {
    clear(picked);
    none.hidden = chosen.length > 0;
    loadDocumentTitles().then(function (titles) {
      clear(picked);
      chosen.forEach(function (docId) {
        var t = titles[docId] ? titles[docId].title : docId;
        var remove = el('button', { type: 'button', class: 'link-button remove-doc', 'aria-label': S.removeDoc(S.quoted(t)), text: '×' });
        remove.addEventListener('click', function () {
          chosen = chosen.filter(function (d) { return d !== docId; });
          draw();
          input.focus();
        });
        picked.appendChild(el('li', { class: 'chosen-doc', 'data-doc-id': docId }, [
          el('span', { class: 'chosen-title', text: t }),
          titles[docId] && !isBlank(titles[docId].lang) ? el('span', { class: 'muted', text: ' (' + String(titles[docId].lang) + ')' }) : null,
          ' ', remove
        ]));
      });
    });
  }

  function choose(docId) {
    if (chosen.indexOf(docId) === -1) chosen.push(docId);
    input.value = '';
    clear(list);
    status.textContent = '';
    draw();
    input.focus();
  }

  var lookup = debounce(function () {
    var q = input.value.trim();
    var mine = ++seq;
    if (q.length < 2) { clear(list); status.textContent = ''; return; }
    apiGet('/api/console/documents?q=' + encodeURIComponent(q)).then(function (r) {
      if (mine !== seq) return;
      clear(list);
      if (!r.ok || !r.data) { status.textContent = errorText(r); return; }
      var items = (Array.isArray(r.data.items) ? r.data.items : []).filter(function (d) { return !isBlank(d.doc_id); }).slice(0, 8);
      items.forEach(function (d) {
        var docId = String(d.doc_id);
        var title = isBlank(d.title) ? docId : String(d.title);
        var lang = isBlank(d.lang) ? '' : String(d.lang);
        var b = el('button', { type: 'button', class: 'doc-suggestion link-button', 'data-doc-id': docId, 'aria-label': S.addDoc(S.quoted(title), lang) }, [
          el('span', { class: 'doc-title', text: title }),
          lang ? el('span', { class: 'muted', text: ' (' + lang + (isBlank(d.source) ? '' : ', ' + String(d.source)) + ')' }) : null
        ]);
        b.addEventListener('click', function () { choose(docId); });
        list.appendChild(el('li', null, [b]));
      });
      status.textContent = S.suggestionsCount(items.length);
    });
  }, 250);
  input.addEventListener('input', lookup);
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') e.preventDefault(); // Enter in the search box does not send the review
    if (e.key === 'Escape') { clear(list); status.textContent = ''; }
    if (e.key === 'ArrowDown' && list.firstChild) { e.preventDefault(); list.querySelector('button').focus(); }
  });
  list.addEventListener('keydown', function (e) {
    var btns = Array.prototype.slice.call(list.querySelectorAll('button'));
    var idx = btns.indexOf(document.activeElement);
    if (idx === -1) return;
    if (e.key === 'ArrowDown' && idx < btns.length - 1) { e.preventDefault(); btns[idx + 1].focus(); }
    if (e.key === 'ArrowUp') { e.preventDefault(); (idx > 0 ? btns[idx - 1] : input).focus(); }
    if (e.key === 'Escape') { clear(list); input.focus(); }
  });
  draw();
  return {
    node: node,
    input: input,
    value: function () { return chosen.slice(); },
    set: function (ids) { chosen = ids.slice(); draw(); }
  };
}
