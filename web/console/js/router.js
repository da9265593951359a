// The app shell: which page a path is, the navigation the user's permissions allow, the user box.

import { S } from './strings.js';
import { clear, el, para, setTitle } from './dom.js';
import { apiPost, can, deniedBox, errorBox, request, state } from './http.js';
import { renderConversations } from './page-conversations.js';
import { renderConversation } from './page-conversation.js';
import { renderPreview } from './page-preview.js';
import { renderGaps } from './page-gaps.js';
import { renderStatus } from './page-status.js';
import { renderEvals } from './page-evals.js';
import { renderAudit } from './page-audit.js';

var PAGES = [
  { perm: 'view', path: '/console', label: S.nav.view },
  { perm: 'preview', path: '/console/preview', label: S.nav.preview },
  { perm: 'gaps', path: '/console/gaps', label: S.nav.gaps },
  { perm: 'status', path: '/console/status', label: S.nav.status },
  { perm: 'evals', path: '/console/evals', label: S.nav.evals },
  { perm: 'audit', path: '/console/audit', label: S.nav.audit }
];

function route() {
  var path = location.pathname.replace(/\/+$/, '') || '/';
  var m;
  if (path === '/console') return { perm: 'view', nav: '/console', render: renderConversations };
  if ((m = /^\/console\/conversations\/([^/]+)$/.exec(path))) {
    var id;
    try { id = decodeURIComponent(m[1]); } catch (e) { id = m[1]; }
    return { perm: 'view', nav: '/console', render: function (main) { renderConversation(main, id); } };
  }
  if (path === '/console/preview') return { perm: 'preview', nav: path, render: renderPreview };
  if (path === '/console/gaps') return { perm: 'gaps', nav: path, render: renderGaps };
  if (path === '/console/status') return { perm: 'status', nav: path, render: renderStatus };
  if (path === '/console/evals') return { perm: 'evals', nav: path, render: renderEvals };
  if (path === '/console/audit') return { perm: 'audit', nav: path, render: renderAudit };
  return null;
}

function drawHeader(current) {
  var list = document.getElementById('nav-list');
  if (list) {
    clear(list);
    PAGES.forEach(function (p) {
      if (!can(p.perm)) return;
      var a = el('a', { href: p.path, text: p.label, 'data-perm': p.perm });
      if (current === p.path) a.setAttribute('aria-current', 'page');
      list.appendChild(el('li', null, [a]));
    });
  }
  var email = document.getElementById('user-email');
  var role = document.getElementById('user-role');
  if (email) email.textContent = state.user && state.user.email ? String(state.user.email) : '';
  if (role) {
    var r = state.user && state.user.role ? String(state.user.role) : '';
    role.textContent = r ? (Object.prototype.hasOwnProperty.call(S.roles, r) ? S.roles[r] : r) : '';
    role.setAttribute('data-role', r);
  }
  var box = document.getElementById('user-box');
  if (box) box.hidden = false;
  var logout = document.getElementById('logout');
  if (logout && !logout.dataset.bound) {
    logout.dataset.bound = '1';
    logout.addEventListener('click', function () {
      logout.disabled = true;
      apiPost('/api/console/logout', {}).then(function () {
        location.href = '/console/login';
      });
    });
  }
}

export function initApp() {
  var main = document.getElementById('main');
  if (!main) return;
  request('GET', '/api/console/me').then(function (r) {
    main.removeAttribute('aria-busy');
    if (r.status === 403) { clear(main).appendChild(deniedBox()); setTitle(S.accessDenied); return; }
    if (!r.ok || !r.data) { clear(main).appendChild(errorBox(r)); return; }
    state.user = r.data.user || {};
    state.csrf = r.data.csrf_token || null;
    state.perms = Array.isArray(r.data.permissions) ? r.data.permissions.map(String) : [];
    state.maxQuestionChars = Number.isInteger(r.data.max_question_chars) ? r.data.max_question_chars : 0;
    var rt = route();
    drawHeader(rt ? rt.nav : null);
    clear(main);
    if (!rt) {
      setTitle(S.notFound);
      main.appendChild(el('h1', { text: S.notFound }));
      main.appendChild(para(S.notFoundHelp));
      return;
    }
    if (!can(rt.perm)) {
      setTitle(S.accessDenied);
      main.appendChild(deniedBox());
      return;
    }
    rt.render(main);
  });
}
