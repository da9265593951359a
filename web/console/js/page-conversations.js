// Page /console: the conversations, filtered and paginated.

import { S } from './strings.js';
import { isBlank, str } from './format.js';
import { clear, consoleLink, el, inputField, selectField, setTitle, tableWrap, th, timeEl } from './dom.js';
import { errorBox } from './http.js';
import { apiParams, filterButtons, listController, loadList, makePager } from './lists.js';

var CONV_FILTERS = ['refused', 'feedback', 'language', 'since', 'until', 'tool', 'reviewed', 'q'];

export function renderConversations(main) {
  setTitle(S.convTitle);
  main.appendChild(el('h1', { text: S.convTitle }));

  var form = el('form', { id: 'filters', class: 'filters', role: 'search', 'aria-label': S.filtersLabel }, [
    el('div', { class: 'fields' }, [
      selectField('refused', S.fRefused, S.fRefusedOpts),
      selectField('feedback', S.fFeedback, S.fFeedbackOpts),
      selectField('language', S.fLanguage, S.fLanguageOpts),
      inputField('since', S.since, 'date'),
      inputField('until', S.until, 'date'),
      selectField('tool', S.fTool, S.fToolOpts),
      selectField('reviewed', S.fReviewed, S.fReviewedOpts),
      inputField('q', S.fQ, 'search', null, { class: 'wide' })
    ]),
    filterButtons()
  ]);
  main.appendChild(form);

  var status = el('div', { class: 'list-status', role: 'status' });
  var tbody = el('tbody');
  var table = el('table', { id: 'conversations', class: 'data' }, [
    el('caption', { class: 'sr-only', text: S.convCaption }),
    el('thead', null, [el('tr', null, [
      th(S.colDate), th(S.colLanguage), th(S.colFirstQuestion), th(S.colMessages), th(S.colFlags), th(S.colTools)
    ])]),
    tbody
  ]);
  var ctl;
  var pager = makePager(function (page) { ctl.goPage(page); });
  main.appendChild(status);
  main.appendChild(tableWrap(table, S.convTitle));
  main.appendChild(pager.node);

  ctl = listController({
    form: form,
    names: CONV_FILTERS,
    keepPerPage: true,
    load: function (params, current) {
      var api = apiParams(params, CONV_FILTERS.concat(['page', 'per_page']));
      status.textContent = S.loading;
      loadList(table, '/api/console/conversations', api, current, function (r) {
        clear(tbody);
        status.textContent = '';
        if (!r.ok || !r.data) { status.appendChild(errorBox(r)); pager.update({ page: 1, per_page: 25, total: 0 }, S.convNoun); return; }
        var items = Array.isArray(r.data.items) ? r.data.items : [];
        items.forEach(function (c) { tbody.appendChild(conversationRow(c)); });
        if (!items.length) {
          tbody.appendChild(el('tr', { class: 'empty' }, [el('td', { colspan: '6', text: S.convEmpty })]));
        }
        pager.update(r.data, S.convNoun);
      });
    }
  });
  ctl.refresh();
}

function badge(text, cls, label) {
  var b = el('span', { class: 'badge ' + cls, text: text });
  if (label) {
    b.setAttribute('title', label);
    b.appendChild(el('span', { class: 'sr-only', text: ' (' + label + ')' }));
  }
  return b;
}

function countOf(v) {
  if (typeof v === 'number') return v;
  return v ? 1 : 0;
}

function conversationRow(c) {
  var id = String(c.id);
  var q = isBlank(c.first_question) ? S.noQuestion : String(c.first_question);
  var flags = el('td', { class: 'flags' });
  if (c.refused) flags.appendChild(badge(S.badgeRefused, 'badge-refused'));
  var down = countOf(c.thumbs_down), up = countOf(c.thumbs_up);
  if (down) flags.appendChild(badge(S.badgeDown + (down > 1 ? ' ' + down : ''), 'badge-down', S.badgeDownLabel));
  if (up) flags.appendChild(badge(S.badgeUp + (up > 1 ? ' ' + up : ''), 'badge-up', S.badgeUpLabel));
  if (c.reviewed) flags.appendChild(badge(S.badgeReviewed, 'badge-reviewed'));
  var tools = Array.isArray(c.tools) ? c.tools.filter(function (t) { return !isBlank(t); }).map(String) : [];
  return el('tr', { class: 'conversation', 'data-id': id }, [
    el('td', { class: 'nowrap' }, [timeEl(c.created_at)]),
    el('td', { text: str(c.language) }),
    el('td', { class: 'first-question' }, [
      consoleLink('/console/conversations/' + encodeURIComponent(id), q, 'conversation-link')
    ]),
    el('td', { class: 'num', text: str(c.messages) }),
    flags,
    el('td', { text: tools.length ? tools.join(', ') : S.dash })
  ]);
}
