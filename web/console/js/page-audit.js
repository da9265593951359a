// Page /console/audit: who did what, filtered by action.

import { S } from './strings.js';
import { isBlank, str } from './format.js';
import { clear, el, inputField, setTitle, tableWrap, th, timeEl } from './dom.js';
import { errorBox } from './http.js';
import { apiParams, filterButtons, listController, loadList, makePager } from './lists.js';

export function renderAudit(main) {
  setTitle(S.auditTitle);
  main.appendChild(el('h1', { text: S.auditTitle }));
  var actions = el('datalist', { id: 'audit-actions' });
  var form = el('form', { id: 'audit-filters', class: 'filters', role: 'search', 'aria-label': S.auditFilters }, [
    el('div', { class: 'fields' }, [inputField('action', S.auditAction, 'text', 'a-action', { list: 'audit-actions', autocomplete: 'off' }), actions]),
    filterButtons()
  ]);
  var status = el('div', { class: 'list-status', role: 'status' });
  var tbody = el('tbody');
  var table = el('table', { id: 'audit', class: 'data' }, [
    el('caption', { class: 'sr-only', text: S.auditCaption }),
    el('thead', null, [el('tr', null, [th(S.colDate), th(S.colUser), th(S.colAction), th(S.colTarget), th(S.colDetail)])]),
    tbody
  ]);
  var ctl;
  var pager = makePager(function (page) { ctl.goPage(page); });
  main.appendChild(form);
  main.appendChild(status);
  main.appendChild(tableWrap(table, S.auditTitle));
  main.appendChild(pager.node);
  var known = Object.create(null);

  ctl = listController({
    form: form,
    names: ['action'],
    keepPerPage: true,
    load: function (params, current) {
      var api = apiParams(params, ['action', 'page', 'per_page']);
      status.textContent = S.loading;
      loadList(table, '/api/console/audit', api, current, function (r) {
        clear(tbody);
        status.textContent = '';
        if (!r.ok || !r.data) { status.appendChild(errorBox(r)); pager.update({ page: 1, per_page: 25, total: 0 }, S.auditNoun); return; }
        var items = Array.isArray(r.data.items) ? r.data.items : [];
        items.forEach(function (a) {
          if (!isBlank(a.action) && !known[String(a.action)]) {
            known[String(a.action)] = true;
            actions.appendChild(el('option', { value: String(a.action) }));
          }
          tbody.appendChild(el('tr', { class: 'audit-entry', 'data-action': isBlank(a.action) ? null : String(a.action) }, [
            el('td', { class: 'nowrap' }, [timeEl(a.at)]),
            el('td', { text: str(a.user) }),
            el('td', null, [el('code', { text: str(a.action) })]),
            el('td', { class: 'target', text: a.target !== null && typeof a.target === 'object' ? JSON.stringify(a.target) : str(a.target) }),
            el('td', null, [el('code', { class: 'detail', text: detailText(a.detail) })])
          ]));
        });
        if (!items.length) tbody.appendChild(el('tr', { class: 'empty' }, [el('td', { colspan: '5', text: S.auditEmpty })]));
        pager.update(r.data, S.auditNoun);
      });
    }
  });
  ctl.refresh();
}

function detailText(v) {
  if (v === null || v === undefined) return S.dash;
  if (typeof v === 'string') return v;
  try { return JSON.stringify(v); } catch (e) { return String(v); }
}
