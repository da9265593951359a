// The page in the console's language: the HTML files carry French, this puts the chosen language in.

import { LANG, LANG_KEY, LANG_NAMES, LANGS, S } from './strings.js';
import { el } from './dom.js';

function setText(selector, text) {
  var node = document.querySelector(selector);
  if (node) node.textContent = text;
}

// The HTML files carry French; the script puts the console's language in their place.
export function localisePage() {
  document.documentElement.setAttribute('lang', LANG);
  setText('.skip-link', S.skipLink);
  setText('#user-box .sr-only', S.loggedInAs);
  setText('#logout', S.logout);
  var nav = document.getElementById('nav');
  if (nav) nav.setAttribute('aria-label', S.navLabel);
  var main = document.getElementById('main');
  if (main && main.getAttribute('aria-busy') === 'true') setText('#main > p', S.loading);
  if (document.getElementById('login-form')) {
    document.title = S.loginTitle + S.titleSuffix;
    setText('.login-main h1', S.loginTitle);
    setText('label[for="email"]', S.loginEmail);
    setText('label[for="password"]', S.loginPassword);
    setText('#login-form button[type="submit"]', S.loginSubmit);
  }
  var host = document.querySelector('.site-header') || document.querySelector('.login-main');
  if (host && !document.getElementById('lang-select')) host.appendChild(languagePicker());
}

function languagePicker() {
  var select = el('select', { id: 'lang-select', name: 'lang' });
  LANGS.forEach(function (l) {
    var o = el('option', { value: l, lang: l, text: LANG_NAMES[l] });
    if (l === LANG) o.selected = true;
    select.appendChild(o);
  });
  select.addEventListener('change', function () {
    try { window.localStorage.setItem(LANG_KEY, select.value); } catch (e) { /* kept for this page only */ }
    location.reload();
  });
  return el('div', { class: 'lang-picker' }, [el('label', { for: 'lang-select', class: 'sr-only', text: S.langLabel }), select]);
}
