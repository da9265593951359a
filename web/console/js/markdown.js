// The answer as the member saw it: the console's own Markdown renderer, its [n] markers and citations.

import { S } from './strings.js';
import { isBlank, safeUrl, str } from './format.js';
import { el, externalLink, para } from './dom.js';

// The answer's Markdown (paragraphs, - and 1. lists, **bold**, *italics*, [n] markers, [text](url), bare
// URLs) becomes elements; its text only ever reaches the page as text nodes.
var INLINE = /\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?])/g;

function appendInline(node, text, citations, mid) {
  var last = 0, m;
  var re = new RegExp(INLINE.source, 'g'); // its own position: bold and italics recurse into this function
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) node.appendChild(document.createTextNode(text.slice(last, m.index)));
    if (m[1] !== undefined) appendInline(node.appendChild(el('strong')), m[1], citations, mid);
    else if (m[2] !== undefined) appendInline(node.appendChild(el('em')), m[2], citations, mid);
    else if (m[3] !== undefined) {
      m[3].split(',').forEach(function (n, i) {
        if (i) node.appendChild(document.createTextNode(' '));
        node.appendChild(citeMarker(parseInt(n, 10), citations, mid));
      });
    } else if (m[4] !== undefined) node.appendChild(externalLink(m[5], m[4], 'answer-link'));
    else node.appendChild(externalLink(m[6], m[6], 'answer-link'));
    last = re.lastIndex;
  }
  if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
}

// [n] opens the source it names, as in the member's widget; its title says which one
function citeMarker(n, citations, mid) {
  var c = citations.filter(function (x) { return parseInt(x.n, 10) === n; })[0];
  var title = c && !isBlank(c.title) ? String(c.title) : '';
  var href = c ? safeUrl(c.url) : null;
  var a = el('a', {
    class: 'cite-marker', 'data-n': String(n), title: S.citeMarker(n, title), 'aria-label': S.citeMarker(n, title),
    href: href || '#' + citationAnchor(mid, n), target: href ? '_blank' : null, rel: href ? 'noopener noreferrer' : null
  }, ['[' + n + ']']);
  return a;
}

function citationAnchor(mid, n) { return 'cite-' + mid + '-' + n; }

export function renderAnswer(text, citations, mid) {
  var box = el('div', { class: 'answer markdown' });
  var block = null, list = null, item = null;
  String(text || '').replace(/\r\n?/g, '\n').split('\n').forEach(function (raw) {
    var line = raw.replace(/\s+$/, ''), m;
    if (!line.trim()) { block = list = item = null; return; }
    if ((m = /^\s*[-*•]\s+(.*)$/.exec(line)) || (m = /^\s*(\d{1,3})[.)]\s+(.*)$/.exec(line))) {
      var ordered = m.length === 3;
      var tag = ordered ? 'ol' : 'ul';
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = box.appendChild(el(tag));
        if (ordered && m[1] !== '1') list.setAttribute('start', m[1]);
      }
      item = list.appendChild(el('li'));
      appendInline(item, ordered ? m[2] : m[1], citations, mid);
      block = null;
    } else if ((m = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line))) {
      appendInline(box.appendChild(el('p', { class: 'answer-heading' }, [el('strong')])).firstChild, m[1], citations, mid);
      block = list = item = null;
    } else if (item && /^\s/.test(raw)) {
      item.appendChild(document.createTextNode(' '));
      appendInline(item, line.trim(), citations, mid);
    } else {
      if (!block) { block = box.appendChild(el('p')); list = item = null; } else block.appendChild(el('br'));
      appendInline(block, line.trim(), citations, mid);
    }
  });
  if (!box.firstChild) box.appendChild(para(S.noAnswer, 'muted'));
  return box;
}

export function citationList(citations, mid) {
  if (!citations.length) return para(S.noCitations, 'muted');
  var ol = el('ol', { class: 'citations' });
  citations.forEach(function (c) {
    var title = !isBlank(c.title) ? String(c.title) : (!isBlank(c.doc_id) ? String(c.doc_id) : '?');
    var head = el('div', { class: 'citation-head' }, [
      el('span', { class: 'cite-n', text: '[' + str(c.n) + '] ' }),
      externalLink(c.url, title, 'citation-title'),
      isBlank(c.section) ? null : el('span', { class: 'citation-section', text: ' — ' + String(c.section) }),
      isBlank(c.doc_id) ? null : el('span', { class: 'muted doc-id', text: ' (' + String(c.doc_id) + ')' })
    ]);
    ol.appendChild(el('li', {
      class: 'citation', id: mid && !isBlank(c.n) ? citationAnchor(mid, c.n) : null,
      'data-doc-id': isBlank(c.doc_id) ? null : String(c.doc_id)
    }, [head, isBlank(c.snippet) ? null : el('blockquote', { class: 'snippet', text: String(c.snippet) })]));
  });
  return ol;
}
