// Elements built from text: the only way anything reaches the page (no HTML string is parsed).

import { S } from './strings.js';
import { fmtDate, parseDate, safeUrl, str } from './format.js';

export function el(tag, attrs, children) {
  var node = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = String(v);
      else node.setAttribute(k, v === true ? '' : String(v));
    });
  }
  appendAll(node, children);
  return node;
}

function appendAll(node, children) {
  (children || []).forEach(function (c) {
    if (c === null || c === undefined || c === false) return;
    node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  });
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function externalLink(url, text, className) {
  var href = safeUrl(url);
  if (!href) return el('span', { class: className, text: text });
  return el('a', { class: className, href: href, target: '_blank', rel: 'noopener noreferrer', text: text });
}

export function consoleLink(path, text, className) {
  // path is always built here from constants and encodeURIComponent'd ids
  return el('a', { class: className, href: path, text: text });
}

export function timeEl(v) {
  var d = parseDate(v);
  return el('time', { datetime: d ? d.toISOString() : null, text: fmtDate(v) });
}

// A definition list from [label, value-or-node] pairs.
export function defList(pairs, className) {
  var dl = el('dl', { class: className || 'kv' });
  pairs.forEach(function (p) {
    if (!p) return;
    var v = p[1];
    dl.appendChild(el('dt', { text: p[0] }));
    dl.appendChild(el('dd', null, [v instanceof Node ? v : str(v)]));
  });
  return dl;
}

export function para(text, className, attrs) {
  var a = attrs || {};
  a.class = className;
  a.text = text;
  return el('p', a);
}

export function th(text, scope) { return el('th', { scope: scope || 'col', text: text }); }

export function tableWrap(table, label) {
  // a focusable scroll container, so keyboard users can scroll wide tables
  return el('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': S.scrollRegion(label) }, [table]);
}

export function selectField(name, label, options, id) {
  var sid = id || 'f-' + name;
  var select = el('select', { id: sid, name: name });
  options.forEach(function (o) { select.appendChild(el('option', { value: o[0], text: o[1] })); });
  return el('div', { class: 'field' }, [el('label', { for: sid, text: label }), select]);
}

export function inputField(name, label, type, id, extra) {
  var iid = id || 'f-' + name;
  var attrs = { id: iid, name: name, type: type || 'text' };
  Object.keys(extra || {}).forEach(function (k) { attrs[k] = extra[k]; });
  return el('div', { class: 'field' }, [el('label', { for: iid, text: label }), el('input', attrs)]);
}

export function setTitle(t) { document.title = t + S.titleSuffix; }
