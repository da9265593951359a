// The session (CSRF token, user, permissions) and the requests to /api/console, with their errors in words.

import { S } from './strings.js';
import { has, parseJson } from './format.js';
import { consoleLink, el, para } from './dom.js';

export var state = { csrf: null, user: null, perms: [], mode: 'app', maxQuestionChars: 0 };

export function errorCode(r) { return r && r.data && r.data.error && r.data.error.code ? String(r.data.error.code) : ''; }

function goLogin() {
  location.href = '/console/login?next=' + encodeURIComponent(location.pathname + location.search);
}

export function request(method, path, body, opts) {
  opts = opts || {};
  var headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf || '';
  var init = { method: method, headers: headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(path, init).then(function (res) {
    return res.text().then(function (t) {
      return { status: res.status, ok: res.ok, data: parseJson(t), headers: res.headers };
    });
  }, function () {
    return { status: 0, ok: false, data: null, headers: null };
  }).then(function (r) {
    if (r.status === 401 && state.mode === 'app' && !opts.noRedirect) {
      goLogin();
      return new Promise(function () {}); // the page is going away
    }
    // A stale CSRF token (e.g. a login in another tab): fetch the current one and retry once.
    if (r.status === 403 && method !== 'GET' && errorCode(r) === 'csrf_failed' && !opts.retried && state.mode === 'app') {
      return request('GET', '/api/console/me').then(function (me) {
        if (me.ok && me.data && me.data.csrf_token) {
          state.csrf = me.data.csrf_token;
          return request(method, path, body, { retried: true });
        }
        return r;
      });
    }
    return r;
  });
}

export function apiGet(path) { return request('GET', path); }
export function apiPost(path, body) { return request('POST', path, body); }
export function apiDelete(path) { return request('DELETE', path); }

// The server's own message is English, for developers: the adviser reads the console's sentence for its code
// (or for the finer "reason" some 422s carry).
export function errorReason(r) {
  var e = r && r.data && r.data.error;
  return e && typeof e.reason === 'string' ? e.reason : '';
}

export function errorText(r) {
  if (!r || r.status === 0) return S.errNetwork;
  var reason = errorReason(r), code = errorCode(r);
  if (reason && has(S.errors, reason)) return S.errors[reason];
  if (code && has(S.errors, code)) return S.errors[code];
  if (r.status === 403) return S.accessDenied;
  if (r.status === 404) return S.errNotFound;
  return S.errServer(r.status);
}

export function errorBox(r) {
  if (r && r.status === 403 && errorCode(r) !== 'csrf_failed') return deniedBox();
  return el('div', { class: 'alert error', role: 'alert' }, [errorText(r)]);
}

export function deniedBox() {
  return el('div', { class: 'alert denied', role: 'alert' }, [
    el('h1', { class: 'denied-title', text: S.accessDenied }),
    para(S.accessDeniedHelp),
    el('p', null, [consoleLink('/console', S.backToConsole, 'back-link')])
  ]);
}

export function qsFrom(params) {
  var q = params.toString();
  return q ? '?' + q : '';
}

export function can(p) { return state.perms.indexOf(p) !== -1; }
