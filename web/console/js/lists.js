// Filtered, paginated lists: the pager, the filter form read from and written to the URL.

import { S } from './strings.js';
import { el } from './dom.js';
import { apiGet, qsFrom } from './http.js';

// Shared: a pager (#pager with button.prev, .page-info, button.next).
export function makePager(onPage) {
  var prev = el('button', { type: 'button', class: 'prev secondary', text: S.prev });
  var next = el('button', { type: 'button', class: 'next secondary', text: S.next });
  var info = el('span', { class: 'page-info', 'aria-live': 'polite', tabindex: '-1' });
  var nav = el('nav', { id: 'pager', class: 'pager', 'aria-label': S.pagerLabel }, [prev, info, next]);
  var cur = { page: 1, pages: 1 };
  function go(page, btn) {
    onPage(page);
    // keep focus in the pager when the pressed button becomes disabled
    setTimeout(function () { if (btn.disabled) info.focus(); }, 0);
  }
  prev.addEventListener('click', function () { if (cur.page > 1) go(cur.page - 1, prev); });
  next.addEventListener('click', function () { if (cur.page < cur.pages) go(cur.page + 1, next); });
  return {
    node: nav,
    update: function (data, noun) {
      var perPage = Math.max(1, parseInt(data.per_page, 10) || 25);
      var total = Math.max(0, parseInt(data.total, 10) || 0);
      var page = Math.max(1, parseInt(data.page, 10) || 1);
      var pages = Math.max(1, Math.ceil(total / perPage));
      cur.page = page;
      cur.pages = pages;
      info.textContent = S.pageInfo(page, pages, total, noun);
      prev.disabled = page <= 1;
      next.disabled = page >= pages;
    }
  };
}

// Reads named fields of a filter form into URLSearchParams (empty values left out).
function formParams(form, names) {
  var p = new URLSearchParams();
  names.forEach(function (n) {
    var f = form.elements[n];
    if (!f) return;
    var v = String(f.value || '').trim();
    if (v) p.set(n, v);
  });
  return p;
}

function fillForm(form, params, names) {
  names.forEach(function (n) {
    var f = form.elements[n];
    if (!f) return;
    var v = params.get(n) || '';
    if (f.tagName === 'SELECT') {
      var ok = Array.prototype.some.call(f.options, function (o) { return o.value === v; });
      f.value = ok ? v : '';
    } else {
      f.value = v;
    }
  });
}

// The API query for a list: the page's own query, only the names the API takes, trimmed, empty ones left out.
export function apiParams(params, names) {
  var api = new URLSearchParams();
  names.forEach(function (k) {
    var v = params.get(k);
    if (v && v.trim()) api.set(k, v.trim());
  });
  return api;
}

// Wires a filtered, paginated list: URL query = filter state; pushState + reload data.
export function listController(opts) {
  // opts: form, names, load(params), pagerNoun
  var seq = 0;
  function currentParams() { return new URLSearchParams(location.search); }
  function refresh() {
    var params = currentParams();
    fillForm(opts.form, params, opts.names);
    var mine = ++seq;
    opts.load(params, function () { return mine === seq; });
  }
  function navigate(params) {
    var url = location.pathname + qsFrom(params);
    if (url !== location.pathname + location.search) history.pushState(null, '', url);
    refresh();
  }
  opts.form.addEventListener('submit', function (e) {
    e.preventDefault();
    var p = formParams(opts.form, opts.names);
    var keep = currentParams().get('per_page');
    if (keep && opts.keepPerPage) p.set('per_page', keep);
    navigate(p);
  });
  var resetBtn = opts.form.querySelector('button.reset');
  if (resetBtn) {
    resetBtn.addEventListener('click', function () {
      opts.names.forEach(function (n) { if (opts.form.elements[n]) opts.form.elements[n].value = ''; });
      navigate(new URLSearchParams());
    });
  }
  window.addEventListener('popstate', refresh);
  return {
    refresh: refresh,
    goPage: function (page) {
      var p = currentParams();
      if (page > 1) p.set('page', String(page)); else p.delete('page');
      navigate(p);
    }
  };
}

// A list page's fetch: its region is busy until the answer comes, and an answer that a newer load overtook is
// dropped (``current`` is the one listController passes to ``load``).
export function loadList(region, path, api, current, then) {
  region.setAttribute('aria-busy', 'true');
  apiGet(path + qsFrom(api)).then(function (r) {
    if (!current()) return;
    region.removeAttribute('aria-busy');
    then(r);
  });
}

export function filterButtons() {
  return el('div', { class: 'form-actions' }, [
    el('button', { type: 'submit', class: 'primary', text: S.filter }),
    el('button', { type: 'button', class: 'reset secondary', text: S.reset })
  ]);
}
