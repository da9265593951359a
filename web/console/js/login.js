// The login page: the form, its errors, the lockout, and the safe way back to where the adviser was.

import { S } from './strings.js';
import { errorCode, errorText, request, state } from './http.js';

export function safeNext(raw) {
  if (typeof raw !== 'string' || !raw) return '/console';
  // a path of this origin under /console only: never an absolute, "//host" or "/\host" URL
  if (!/^\/console(?:[/?#]|$)/.test(raw) || /[\\\u0000-\u001f]/.test(raw)) return '/console';
  try {
    var u = new URL(raw, location.origin);
    if (u.origin !== location.origin || !/^\/console(?:\/|$)/.test(u.pathname)) return '/console';
    if (/^\/console\/login\/?$/.test(u.pathname)) return '/console';
    return u.pathname + u.search + u.hash;
  } catch (e) {
    return '/console';
  }
}

function retryMinutes(r) {
  var h = r.headers ? r.headers.get('Retry-After') : null;
  if (!h) return null;
  var secs = /^\s*\d+\s*$/.test(h) ? parseInt(h, 10) : (Date.parse(h) - Date.now()) / 1000;
  if (!isFinite(secs) || secs <= 0) return null;
  return Math.max(1, Math.ceil(secs / 60));
}

export function initLogin() {
  state.mode = 'login';
  var form = document.getElementById('login-form');
  var errorArea = document.getElementById('login-error');
  if (!form) return;
  var button = form.querySelector('button[type="submit"]');
  var buttonText = button ? button.textContent : '';
  var tokenPromise = null;

  function fetchToken() {
    tokenPromise = request('GET', '/api/console/csrf', undefined, { noRedirect: true }).then(function (r) {
      if (r.ok && r.data && r.data.csrf_token) { state.csrf = r.data.csrf_token; return true; }
      tokenPromise = null;
      return false;
    });
    return tokenPromise;
  }

  function showError(text) { errorArea.textContent = text; }
  function busy(b) {
    if (!button) return;
    button.disabled = b;
    button.textContent = b ? S.loginBusy : buttonText;
  }

  fetchToken();

  function post(email, password, retried) {
    return (tokenPromise || fetchToken()).then(function () {
      return request('POST', '/api/console/login', { email: email, password: password }, { noRedirect: true });
    }).then(function (r) {
      if (r.status === 403 && errorCode(r) === 'csrf_failed' && !retried) {
        tokenPromise = null;
        return post(email, password, true);
      }
      return r;
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var email = form.elements.email.value.trim();
    var password = form.elements.password.value;
    if (!email || !password) { showError(S.loginMissing); return; }
    showError('');
    busy(true);
    post(email, password, false).then(function (r) {
      if (r.ok) {
        var next = new URLSearchParams(location.search).get('next');
        location.href = safeNext(next);
        return;
      }
      busy(false);
      if (r.status === 401) {
        showError(S.loginInvalid);
        form.elements.password.value = '';
        form.elements.password.focus();
      } else if (r.status === 429) {
        var m = retryMinutes(r);
        showError(m ? S.loginLocked(m) : S.loginLockedNoDelay);
      } else {
        showError(errorText(r));
      }
    });
  });
}
