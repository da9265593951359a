/*
 * guidebot adviser console: plain JavaScript in native ES modules, no build step, no dependencies.
 *
 * This module starts every console page: index.html and login.html load it with <script type="module">, and it
 * imports the others by relative path (all served from /console/assets/). <body data-mode="login"> (login.html)
 * runs the login form (login.js); any other page (index.html) is the app shell (router.js): it asks
 * GET /api/console/me, draws the navigation the user's permissions allow, then fills <main> according to
 * location.pathname with one page-*.js module. The texts are in strings.js. The HTTP contract is
 * docs/console-api.md.
 *
 * Safe rendering: member questions, answers, corpus passages, comments and audit details are
 * untrusted. They reach the DOM only through textContent / createTextNode, or setAttribute on
 * attributes chosen here (an href only after an http(s) check, or a /console path built here).
 * No HTML string is ever parsed.
 */

import { LANG, missingStrings } from './strings.js';
import { fmtDate, safeUrl } from './format.js';
import { initLogin, safeNext } from './login.js';
import { localisePage } from './language.js';
import { initApp } from './router.js';

function start() {
  localisePage();
  var mode = document.body && document.body.getAttribute('data-mode');
  if (mode === 'login' || document.getElementById('login-form')) initLogin();
  else initApp();
}

// exposed for tests of the pure helpers only; nothing here touches the DOM
window.GuidebotConsole = {
  safeNext: safeNext, fmtDate: fmtDate, safeUrl: safeUrl, missingStrings: missingStrings, language: LANG
};

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
