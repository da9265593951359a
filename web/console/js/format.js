// Values made readable, and the checks every module leans on (URLs, blanks); no DOM here.

import { S } from './strings.js';

// Only absolute http(s) URLs become an href: no javascript:, data:, or relative tricks.
export function safeUrl(u) {
  if (typeof u !== 'string') return null;
  var s = u.trim();
  if (!/^https?:/i.test(s)) return null;
  try {
    var url = new URL(s);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch (e) {
    return null;
  }
}

export function parseJson(text) {
  try { return JSON.parse(text); } catch (e) { return null; }
}

export function isBlank(v) { return v === null || v === undefined || (typeof v === 'string' && v.trim() === ''); }

export function str(v) { return isBlank(v) ? S.dash : String(v); }

function pad(n) { return n < 10 ? '0' + n : String(n); }

// The store keeps UTC; an ISO timestamp without an offset is read as UTC.
export function parseDate(v) {
  if (isBlank(v)) return null;
  var s = String(v).trim();
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = s.replace(' ', 'T') + 'Z';
  else if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(s)) s = s.replace(' ', 'T');
  var d = new Date(s);
  return isNaN(d.getTime()) ? null : d;
}

export function fmtDate(v) {
  if (isBlank(v)) return S.dash;
  if (/^\d{4}-\d{2}-\d{2}$/.test(String(v).trim())) return String(v).trim();
  var d = parseDate(v);
  if (!d) return String(v);
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
    pad(d.getHours()) + ':' + pad(d.getMinutes());
}

export function fmtScore(v) {
  if (v === null || v === undefined || v === '') return S.dash;
  if (typeof v === 'number' && isFinite(v)) return Number.isInteger(v) ? String(v) : v.toFixed(3);
  return String(v);
}

export function fmtValue(v) {
  if (v === null || v === undefined) return S.dash;
  if (typeof v === 'boolean') return v ? S.yes : S.no;
  if (typeof v === 'number') return fmtScore(v);
  if (Array.isArray(v)) {
    if (!v.length) return '(' + S.none + ')';
    return v.map(function (x) { return typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x); }).join(', ');
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function fmtCounts(obj) {
  if (!obj || typeof obj !== 'object') return S.dash;
  var keys = Object.keys(obj);
  if (!keys.length) return S.dash;
  return keys.map(function (k) { return k + S.colon + fmtValue(obj[k]); }).join(', ');
}

export function reasonText(code) {
  if (isBlank(code)) return S.dash;
  var label = Object.prototype.hasOwnProperty.call(S.reasons, code) ? S.reasons[code] : null;
  return label ? label + ' (' + code + ')' : String(code);
}

export function debounce(fn, ms) {
  var t = null;
  return function () {
    var args = arguments, self = this;
    clearTimeout(t);
    t = setTimeout(function () { fn.apply(self, args); }, ms);
  };
}

export function has(obj, key) { return !!obj && Object.prototype.hasOwnProperty.call(obj, key); }
