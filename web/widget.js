/*
 * guidebot chat widget: plain JavaScript, no build step, no dependencies.
 *
 * Embed with one tag:
 *   <script src="https://HOST/widget.js" data-guidebot-url="https://HOST" data-lang="fr" defer></script>
 *
 * Design rules:
 * - Everything lives in an open Shadow DOM under <div id="guidebot-widget">, so the host page's CSS
 *   cannot restyle the widget and the widget adds no global CSS.
 * - Text from the server or the user reaches the DOM only through textContent, or setAttribute on
 *   attributes we chose (href only after an http(s) check, or tel:/mailto: built from a phone number or an
 *   e-mail address that passed a strict pattern). No HTML string is ever parsed.
 * - The only global is window.GuidebotWidget, which also stops a second copy from starting.
 */
(function () {
  'use strict';

  if (window.GuidebotWidget || document.getElementById('guidebot-widget')) return;

  var MAX_STORED_MESSAGES = 40; // keeps sessionStorage well below its quota
  var DEFAULT_ADVISER_URL = 'https://www.smart.coop';

  // ---------------------------------------------------------------- strings
  var STRINGS = {
    fr: {
      title: 'Guide Smart', launcher: 'Ouvrir le Guide Smart', launcherClose: 'Fermer le Guide Smart',
      placeholder: 'Posez votre question…', inputLabel: 'Votre question', send: 'Envoyer',
      close: 'Fermer', newConversation: 'Nouvelle conversation', examples: 'Exemples de questions',
      sources: 'Sources', excerpt: 'Extrait', excerpts: 'Extraits', source: 'Source',
      sourceLabel: function (n, t) { return 'Source ' + n + ' : ' + t; },
      newTab: 's’ouvre dans un nouvel onglet',
      offices: 'Nos bureaux', phone: 'Téléphone', email: 'E-mail', hours: 'Heures d’ouverture', colon: ' : ',
      feedbackQuestion: 'Cette réponse vous a-t-elle aidé ?',
      up: 'Réponse utile', down: 'Réponse pas utile',
      commentLabel: 'Votre commentaire', commentPlaceholder: 'Qu’est-ce qui manquait ? (facultatif)',
      sendComment: 'Envoyer le commentaire', skip: 'Passer', thanks: 'Merci pour votre retour !',
      feedbackError: 'Votre avis n’a pas pu être envoyé. Réessayez.',
      adviser: 'Contacter un conseiller', retry: 'Réessayer', typing: 'Rédaction de la réponse…',
      errNetwork: 'Connexion impossible au guide. Vérifiez votre réseau et réessayez.',
      errRate: function (s) {
        return s ? 'Trop de questions en peu de temps. Réessayez dans ' + s + ' s.'
          : 'Trop de questions en peu de temps. Réessayez dans un instant.';
      },
      errTooLong: function (n) { return 'Votre question est trop longue' + (n ? ' (' + n + ' caractères au maximum).' : '.'); },
      errServer: 'Une erreur est survenue de notre côté. Réessayez dans quelques instants.',
      disclaimer: 'Réponses tirées du guide de Smart, avec leurs sources.'
    },
    nl: {
      title: 'Smart-gids', launcher: 'Smart-gids openen', launcherClose: 'Smart-gids sluiten',
      placeholder: 'Stel je vraag…', inputLabel: 'Je vraag', send: 'Versturen',
      close: 'Sluiten', newConversation: 'Nieuw gesprek', examples: 'Voorbeeldvragen',
      sources: 'Bronnen', excerpt: 'Fragment', excerpts: 'Fragmenten', source: 'Bron',
      sourceLabel: function (n, t) { return 'Bron ' + n + ': ' + t; },
      newTab: 'opent in een nieuw tabblad',
      offices: 'Onze kantoren', phone: 'Telefoon', email: 'E-mail', hours: 'Openingsuren', colon: ': ',
      feedbackQuestion: 'Had je iets aan dit antwoord?',
      up: 'Nuttig antwoord', down: 'Niet nuttig antwoord',
      commentLabel: 'Je opmerking', commentPlaceholder: 'Wat ontbrak er? (optioneel)',
      sendComment: 'Opmerking versturen', skip: 'Overslaan', thanks: 'Bedankt voor je feedback!',
      feedbackError: 'Je feedback kon niet worden verstuurd. Probeer opnieuw.',
      adviser: 'Contact een adviseur', retry: 'Opnieuw proberen', typing: 'Antwoord wordt geschreven…',
      errNetwork: 'Geen verbinding met de gids. Controleer je netwerk en probeer opnieuw.',
      errRate: function (s) {
        return s ? 'Te veel vragen in korte tijd. Probeer het over ' + s + ' s opnieuw.'
          : 'Te veel vragen in korte tijd. Probeer het zo meteen opnieuw.';
      },
      errTooLong: function (n) { return 'Je vraag is te lang' + (n ? ' (maximaal ' + n + ' tekens).' : '.'); },
      errServer: 'Er ging bij ons iets mis. Probeer het zo meteen opnieuw.',
      disclaimer: 'Antwoorden uit de gids van Smart, met hun bronnen.'
    },
    en: {
      title: 'Smart guide', launcher: 'Open the Smart guide', launcherClose: 'Close the Smart guide',
      placeholder: 'Ask your question…', inputLabel: 'Your question', send: 'Send',
      close: 'Close', newConversation: 'New conversation', examples: 'Example questions',
      sources: 'Sources', excerpt: 'Excerpt', excerpts: 'Excerpts', source: 'Source',
      sourceLabel: function (n, t) { return 'Source ' + n + ': ' + t; },
      newTab: 'opens in a new tab',
      offices: 'Our offices', phone: 'Phone', email: 'Email', hours: 'Opening hours', colon: ': ',
      feedbackQuestion: 'Was this answer helpful?',
      up: 'Helpful answer', down: 'Unhelpful answer',
      commentLabel: 'Your comment', commentPlaceholder: 'What was missing? (optional)',
      sendComment: 'Send comment', skip: 'Skip', thanks: 'Thank you for your feedback!',
      feedbackError: 'Your feedback could not be sent. Please try again.',
      adviser: 'Contact an adviser', retry: 'Try again', typing: 'Writing the answer…',
      errNetwork: 'Could not reach the guide. Check your connection and try again.',
      errRate: function (s) {
        return s ? 'Too many questions in a short time. Please try again in ' + s + ' s.'
          : 'Too many questions in a short time. Please try again in a moment.';
      },
      errTooLong: function (n) { return 'Your question is too long' + (n ? ' (' + n + ' characters at most).' : '.'); },
      errServer: 'Something went wrong on our side. Please try again in a moment.',
      disclaimer: 'Answers drawn from the Smart guide, with their sources.'
    }
  };

  // Used when /api/widget/config cannot be reached.
  var BUILTIN_EXAMPLES = {
    fr: ['Combien coûte une part de Smart ?', 'Quand mon salaire est-il versé ?',
      'Comment facturer un client dans l\'outil Activité ?'],
    nl: ['Hoeveel kost een aandeel van Smart?', 'Wanneer wordt mijn loon betaald?'],
    en: ['How much does a Smart share cost?', 'When is my salary paid?']
  };

  // ------------------------------------------------------- script settings
  // currentScript is only set while the script first runs, so read everything now.
  var scriptEl = document.currentScript || document.querySelector('script[src*="widget.js"]');

  function resolveApiBase() {
    var attr = scriptEl ? (scriptEl.getAttribute('data-guidebot-url') || '').trim() : '';
    if (attr) return attr.replace(/\/+$/, '');
    try {
      var origin = new URL(scriptEl ? scriptEl.src : '', location.href).origin;
      return origin && origin !== 'null' ? origin : ''; // file:// pages: fall back to relative URLs
    } catch (e) {
      return '';
    }
  }

  // The first language source that says anything decides; an unsupported value means French.
  function resolveLang() {
    var candidates = [
      scriptEl && scriptEl.getAttribute('data-lang'),
      document.documentElement.getAttribute('lang'),
      navigator.language
    ];
    for (var i = 0; i < candidates.length; i++) {
      var c = (candidates[i] || '').trim().toLowerCase();
      if (c) {
        var prefix = c.split(/[-_]/)[0];
        return STRINGS.hasOwnProperty(prefix) ? prefix : 'fr';
      }
    }
    return 'fr';
  }

  var apiBase = resolveApiBase();
  // The interface speaks the page's language until an answer comes in another one: from then on it follows
  // the language of the latest answer (a Dutch question on a French page gets a Dutch panel).
  var pageLang = resolveLang();
  var lang = pageLang;
  var T = STRINGS[lang];
  var STORAGE_KEY = 'guidebot:v1:' + apiBase;

  function stringsFor(l) {
    return STRINGS.hasOwnProperty(l) ? STRINGS[l] : T;
  }

  // ------------------------------------------------------------- utilities
  function el(tag, attrs, children) {
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
    (children || []).forEach(function (c) {
      if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  // Only absolute http(s) URLs ever become an href: no javascript:, data:, or relative tricks.
  function safeUrl(u) {
    if (typeof u !== 'string') return null;
    var s = u.trim();
    if (!/^https?:/i.test(s)) return null;
    try { return new URL(s).href; } catch (e) { return null; }
  }

  function externalLink(className, url, text) {
    var href = safeUrl(url);
    return el('a', {
      class: className, text: text, href: href,
      target: href ? '_blank' : null, rel: href ? 'noopener noreferrer' : null
    });
  }

  function parseJson(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  // Icons are drawn here rather than loaded, since the widget may not fetch anything but the API.
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var ICONS = {
    chat: ['M5 4h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-7l-5 4v-4H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z', 'M8 9.5h8', 'M8 12.5h5'],
    chevron: ['M6 9l6 6 6-6'],
    close: ['M6 6l12 12', 'M18 6L6 18'],
    newChat: ['M12 20h9', 'M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z'],
    send: ['M4 12l16-8-5 16-3-6.5z', 'M12 13.5L20 4'],
    thumb: ['M3 10h4v10H3z', 'M7 10l4-7c1.4 0 2.4 1.1 2.1 2.5L12.5 9H19a2 2 0 0 1 2 2.3l-1.2 6.9a2 2 0 0 1-2 1.8H7']
  };
  function icon(name, flip) {
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var g = document.createElementNS(SVG_NS, 'g');
    g.setAttribute('fill', 'none');
    g.setAttribute('stroke', 'currentColor');
    g.setAttribute('stroke-width', '2');
    g.setAttribute('stroke-linecap', 'round');
    g.setAttribute('stroke-linejoin', 'round');
    if (flip) g.setAttribute('transform', 'rotate(180 12 12)');
    ICONS[name].forEach(function (d) {
      var p = document.createElementNS(SVG_NS, 'path');
      p.setAttribute('d', d);
      g.appendChild(p);
    });
    svg.appendChild(g);
    return svg;
  }

  // ------------------------------------------------------------ SSE parser
  // Incremental text/event-stream parser (the HTML spec's rules, minus id/retry which we ignore).
  // feed() accepts decoded text split anywhere, even between "\r" and "\n"; end() flushes.
  function createSseParser(onEvent) {
    var buffer = '';
    var eventName = '';
    var dataLines = [];

    function dispatch() {
      if (dataLines.length) onEvent(eventName || 'message', dataLines.join('\n'));
      eventName = '';
      dataLines = [];
    }

    function processLine(line) {
      if (line === '') { dispatch(); return; }
      if (line.charAt(0) === ':') return; // comment / keep-alive
      var colon = line.indexOf(':');
      var field = colon === -1 ? line : line.slice(0, colon);
      var value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charAt(0) === ' ') value = value.slice(1);
      if (field === 'event') eventName = value;
      else if (field === 'data') dataLines.push(value);
    }

    return {
      feed: function (text) {
        buffer += text;
        var pos = 0;
        while (pos < buffer.length) {
          var cr = buffer.indexOf('\r', pos);
          var lf = buffer.indexOf('\n', pos);
          var end, next;
          if (cr !== -1 && (lf === -1 || cr < lf)) {
            if (cr === buffer.length - 1) break; // a "\n" may still arrive in the next chunk
            end = cr;
            next = buffer.charAt(cr + 1) === '\n' ? cr + 2 : cr + 1;
          } else if (lf !== -1) {
            end = lf;
            next = lf + 1;
          } else {
            break;
          }
          processLine(buffer.slice(pos, end));
          pos = next;
        }
        buffer = buffer.slice(pos);
      },
      // Lenient at end of stream: a last event without its blank line is still delivered.
      end: function () {
        if (buffer) processLine(buffer.replace(/\r$/, ''));
        buffer = '';
        dispatch();
      }
    };
  }

  // -------------------------------------------------------------- Markdown
  // A deliberately small Markdown subset, rendered with createElement/textContent only: paragraphs, lists,
  // headings, **bold**/__bold__, *italics*/_italics_, [n] citation markers, [text](url) and bare URLs.
  // The same renderer draws the answer while it streams and once it is done, so nothing moves at the end.
  var INLINE_RE = new RegExp([
    '\\*\\*(?<b1>\\S(?:.*?\\S)?)\\*\\*',
    '(?<![\\p{L}\\p{N}_])__(?<b2>\\S(?:.*?\\S)?)__(?![\\p{L}\\p{N}_])',
    '\\*(?<i1>[^\\s*](?:[^*\\n]*?[^\\s*])?)\\*',
    '(?<![\\p{L}\\p{N}_])_(?<i2>[^\\s_](?:[^_\\n]*?[^\\s_])?)_(?![\\p{L}\\p{N}_])',
    '\\[(?<cite>\\d{1,3}(?:\\s*[,;]\\s*\\d{1,3})*)\\]',
    '\\[(?<ltext>[^\\[\\]\\n]+)\\]\\((?<lurl>https?:\\/\\/[^\\s()]+)\\)',
    '(?<url>https?:\\/\\/[^\\s<>"\'()\\[\\]]+)'
  ].join('|'), 'giu');
  // While streaming: an emphasis marker that may still open bold or italics, and a bracket that may still
  // become a citation or a link. What follows them waits until the construct is complete.
  var OPEN_EMPHASIS_RE = /\*+(?![\s*])|(?<![\p{L}\p{N}_])_+(?![\s_])/u;
  var OPEN_BRACKET_RE = /\[[^\[\]\n]*(?:\](?:\([^\s()]*)?)?$/;
  // A last line that is only a list, heading or rule marker so far.
  var MARKER_ONLY_RE = /^\s*(?:[-*•_]+|\d{1,3}[.)]?|#{1,6})?\s*$/;

  // cite(n) returns the element for marker n, or null to keep "[n]" as text.
  function appendInline(parent, text, cite) {
    var last = 0;
    // matchAll works on a copy of the regex, so the recursive calls for bold and italics are safe.
    Array.from(text.matchAll(INLINE_RE)).forEach(function (m) {
      var g = m.groups;
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (g.b1 !== undefined || g.b2 !== undefined) {
        var strong = el('strong');
        appendInline(strong, g.b1 !== undefined ? g.b1 : g.b2, cite);
        parent.appendChild(strong);
      } else if (g.i1 !== undefined || g.i2 !== undefined) {
        var em = el('em');
        appendInline(em, g.i1 !== undefined ? g.i1 : g.i2, cite);
        parent.appendChild(em);
      } else if (g.cite !== undefined) {
        appendCitations(parent, g.cite, cite);
      } else if (g.ltext !== undefined) {
        parent.appendChild(externalLink('gb-link', g.lurl, g.ltext));
      } else {
        // Sentence punctuation right after a URL belongs to the sentence, not the URL.
        var url = g.url;
        var trail = (/[.,;:!?]+$/.exec(url) || [''])[0];
        url = url.slice(0, url.length - trail.length);
        parent.appendChild(externalLink('gb-link', url, url));
        if (trail) parent.appendChild(document.createTextNode(trail));
      }
      last = m.index + m[0].length;
    });
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // "[1]" or "[1, 2]": one badge per number; a number without a citation stays plain text.
  function appendCitations(parent, list, cite) {
    list.split(/[,;]/).forEach(function (part) {
      var n = parseInt(part, 10);
      parent.appendChild(cite(n) || document.createTextNode('[' + n + ']'));
    });
  }

  // A marker seen while streaming: the badge it will be, without its link until the sources arrive.
  function pendingCite(n) {
    return el('a', { class: 'gb-cite', text: String(n) });
  }

  // The part of a streaming answer that will not change: complete lines, and the last line up to the first
  // construct that is still open (a half-received "**", "[1" or "- ").
  function settledMarkdown(text) {
    text = String(text || '').replace(/\r\n?/g, '\n');
    var cut = text.lastIndexOf('\n') + 1;
    var line = text.slice(cut);
    if (MARKER_ONLY_RE.test(line)) return text.slice(0, cut);
    var last = 0, open = line.length;
    var matches = Array.from(line.matchAll(INLINE_RE));
    for (var i = 0; i <= matches.length; i++) {
      var end = i < matches.length ? matches[i].index : line.length;
      var gap = line.slice(last, end);
      var e = OPEN_EMPHASIS_RE.exec(gap);
      var b = i === matches.length ? OPEN_BRACKET_RE.exec(gap) : null;
      var at = Math.min(e ? e.index : Infinity, b ? b.index : Infinity);
      if (at !== Infinity) { open = last + at; break; }
      if (i < matches.length) last = matches[i].index + matches[i][0].length;
    }
    return text.slice(0, cut) + line.slice(0, open);
  }

  function renderMarkdown(target, text, cite) {
    target.textContent = '';
    var para = null, list = null, item = null;
    String(text || '').replace(/\r\n?/g, '\n').split('\n').forEach(function (raw) {
      var line = raw.replace(/\s+$/, '');
      var m;
      if (!line.trim() || /^\s*([-*_])(\s*\1){2,}$/.test(line)) { // blank line or horizontal rule
        para = list = item = null;
      } else if ((m = /^\s*(?:[-*•])\s+(.*)$/.exec(line)) || (m = /^\s*(\d{1,3})[.)]\s+(.*)$/.exec(line))) {
        var ordered = m.length === 3;
        var tag = ordered ? 'ol' : 'ul';
        if (!list || list.tagName.toLowerCase() !== tag) {
          list = el(tag);
          if (ordered && m[1] !== '1') list.setAttribute('start', m[1]);
          target.appendChild(list);
        }
        item = el('li');
        appendInline(item, ordered ? m[2] : m[1], cite);
        list.appendChild(item);
        para = null;
      } else if ((m = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line))) {
        var heading = el('p', { class: 'gb-heading' }, [el('strong')]);
        appendInline(heading.firstChild, m[1], cite);
        target.appendChild(heading);
        para = list = item = null;
      } else if (item && /^\s/.test(raw)) { // indented line continues the list item
        item.appendChild(document.createTextNode(' '));
        appendInline(item, line.trim(), cite);
      } else {
        if (!para) {
          para = el('p');
          target.appendChild(para);
          list = item = null;
        } else {
          para.appendChild(el('br'));
        }
        appendInline(para, line.trim(), cite);
      }
    });
  }

  // ------------------------------------------------------------------ CSS
  var CSS = [
    ':host { all: initial; }',
    '*, *::before, *::after { box-sizing: border-box; }',
    '[hidden] { display: none !important; }',
    '.gb-root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;',
    '  font-size: 15px; line-height: 1.45; color: #1a1a1a; text-align: left; }',
    'button, textarea { font: inherit; color: inherit; letter-spacing: normal; text-transform: none; margin: 0; }',
    'button { cursor: pointer; }',
    'button:disabled { cursor: not-allowed; }',
    'svg { display: block; }',
    ':focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }',
    '.gb-launcher { position: fixed; right: 20px; bottom: 20px; width: 58px; height: 58px; padding: 0;',
    '  border: 0; border-radius: 50%; background: #b0003a; color: #fff; display: flex; align-items: center;',
    '  justify-content: center; box-shadow: 0 4px 14px rgba(0,0,0,.3); transition: transform .15s ease; }',
    '.gb-launcher:hover { background: #8c002e; transform: scale(1.05); }',
    '.gb-launcher:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 3px; box-shadow: 0 0 0 3px #fff; }',
    '.gb-launcher svg { width: 28px; height: 28px; }',
    '.gb-panel { position: fixed; right: 20px; bottom: 90px; width: 380px; height: 600px;',
    '  max-width: calc(100vw - 40px); max-height: calc(100vh - 110px); display: flex; flex-direction: column;',
    '  background: #fff; color: #1a1a1a; border: 1px solid #cfcfd6; border-radius: 14px; overflow: hidden;',
    '  box-shadow: 0 12px 40px rgba(0,0,0,.28); animation: gb-in .18s ease-out; }',
    '@keyframes gb-in { from { opacity: 0; transform: translateY(10px); } to { opacity: 1; transform: none; } }',
    '.gb-header { display: flex; align-items: center; gap: 2px; padding: 8px 8px 8px 16px; background: #b0003a; color: #fff; }',
    '.gb-title { flex: 1; margin: 0; font-size: 17px; font-weight: 700; line-height: 1.2; color: #fff; }',
    '.gb-icon-btn { width: 40px; height: 40px; padding: 0; border: 0; border-radius: 8px; background: transparent;',
    '  color: #fff; display: inline-flex; align-items: center; justify-content: center; }',
    '.gb-icon-btn:hover { background: rgba(255,255,255,.18); }',
    '.gb-icon-btn:focus-visible { outline: 3px solid #fff; outline-offset: -4px; }',
    '.gb-icon-btn svg { width: 22px; height: 22px; }',
    '.gb-body { flex: 1; overflow-y: auto; padding: 14px; overscroll-behavior: contain; }',
    '.gb-examples { margin-bottom: 12px; }',
    '.gb-examples-title { margin: 0 0 8px; font-size: 14px; font-weight: 600; color: #444; }',
    '.gb-examples ul { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }',
    '.gb-example { display: block; width: 100%; padding: 9px 12px; text-align: left; line-height: 1.35;',
    '  background: #fff; color: #8a002d; border: 1px solid #b0003a; border-radius: 10px; }',
    '.gb-example:hover { background: #fbeef2; }',
    '.gb-log { display: flex; flex-direction: column; gap: 12px; }',
    '.gb-msg { max-width: 92%; overflow-wrap: anywhere; }',
    '.gb-user { align-self: flex-end; padding: 8px 12px; background: #b0003a; color: #fff; border-radius: 14px 14px 4px 14px; }',
    '.gb-user .gb-text { white-space: pre-wrap; }',
    '.gb-bot { align-self: flex-start; padding: 10px 12px; background: #f2f2f4; color: #1a1a1a; border-radius: 14px 14px 14px 4px; }',
    '.gb-answer p { margin: 0 0 8px; }',
    '.gb-answer ul, .gb-answer ol { margin: 0 0 8px; padding-left: 22px; }',
    '.gb-answer li { margin: 2px 0; }',
    '.gb-answer > :last-child { margin-bottom: 0; }',
    '.gb-link, .gb-source-link { color: #0b4f8a; text-decoration: underline; }',
    '.gb-cite { display: inline-block; min-width: 18px; margin: 0 1px; padding: 0 5px; border-radius: 9px;',
    '  background: #b0003a; color: #fff; font-size: 11px; font-weight: 700; line-height: 17px;',
    '  text-align: center; text-decoration: none; position: relative; top: -0.35em; }', // raised without growing the line
    '.gb-cite:hover { background: #8c002e; text-decoration: underline; }',
    '.gb-sources-title { margin: 10px 0 4px; font-size: 13px; font-weight: 700; color: #444; }',
    '.gb-sources { margin: 0; padding: 0; list-style: none; font-size: 13px; }',
    '.gb-sources li { display: flex; gap: 6px; align-items: flex-start; margin: 6px 0; }',
    '.gb-source-nums { flex: none; display: inline-flex; gap: 2px; }',
    '.gb-source-nums .gb-cite { top: 0; }',
    '.gb-source-main { min-width: 0; }',
    '.gb-source-link { display: block; }',
    '.gb-source-site { display: block; color: #4a4a4a; font-size: 12px; text-decoration: none; }',
    '.gb-sources summary { cursor: pointer; color: #4a4a4a; font-size: 12px; }',
    '.gb-snippet { margin: 4px 0 0; padding-left: 8px; border-left: 3px solid #c4c4cc; color: #3d3d3d;',
    '  font-size: 12.5px; white-space: pre-wrap; }',
    '.gb-adviser-box { margin-top: 10px; padding: 10px; background: #fff; border: 1px solid #e0c2cc; border-radius: 10px; }',
    '.gb-adviser { display: inline-block; padding: 8px 14px; background: #b0003a; color: #fff; font-weight: 700;',
    '  text-decoration: none; border-radius: 8px; }',
    '.gb-adviser:hover { background: #8c002e; text-decoration: underline; }',
    '.gb-adviser-contact { margin: 8px 0 0; font-size: 13px; white-space: pre-wrap; }',
    '.gb-offices { margin: 8px 0 0; padding: 0; list-style: none; font-size: 13px; }',
    '.gb-office { margin: 6px 0 0; }',
    '.gb-office-name { display: block; font-weight: 700; }',
    '.gb-office-line { display: block; }',
    '.gb-office a { color: #0b4f8a; }',
    '.gb-feedback { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 10px; font-size: 13px; color: #444; }',
    '.gb-feedback-q { margin-right: 2px; }',
    '.gb-up, .gb-down { width: 34px; height: 34px; padding: 0; display: inline-flex; align-items: center;',
    '  justify-content: center; background: #fff; color: #444; border: 1px solid #8a8a93; border-radius: 8px; }',
    '.gb-up svg, .gb-down svg { width: 18px; height: 18px; }',
    '.gb-feedback-buttons { display: inline-flex; gap: 6px; }',
    '.gb-up:hover:enabled:not([aria-pressed="true"]), .gb-down:hover:enabled:not([aria-pressed="true"]) { background: #e8e8ec; }',
    '.gb-up[aria-pressed="true"], .gb-down[aria-pressed="true"] { background: #1a1a1a; color: #fff; border-color: #1a1a1a; }',
    '.gb-up:disabled:not([aria-pressed="true"]), .gb-down:disabled:not([aria-pressed="true"]) { opacity: .5; }',
    '.gb-comment-box { flex-basis: 100%; display: flex; flex-direction: column; gap: 6px; }',
    '.gb-comment { width: 100%; min-height: 60px; padding: 6px 8px; resize: vertical; font-size: 14px;',
    '  background: #fff; color: #1a1a1a; border: 1px solid #8a8a93; border-radius: 8px; }',
    '.gb-comment-actions { display: flex; gap: 6px; }',
    '.gb-btn { padding: 6px 12px; font-size: 13px; font-weight: 600; border: 1px solid #b0003a; border-radius: 8px; }',
    '.gb-btn-primary { background: #b0003a; color: #fff; }',
    '.gb-btn-secondary { background: #fff; color: #8a002d; }',
    '.gb-thanks { margin: 0; color: #1d6b35; font-weight: 600; }',
    '.gb-feedback-error { flex-basis: 100%; margin: 0; color: #a00020; }',
    '.gb-error { margin: 6px 0 0; color: #a00020; font-weight: 600; }',
    '.gb-retry { margin-top: 8px; }',
    '.gb-typing { display: flex; gap: 5px; padding: 6px 2px; }',
    '.gb-dot { width: 7px; height: 7px; border-radius: 50%; background: #666; animation: gb-blink 1.2s infinite ease-in-out; }',
    '.gb-dot:nth-child(2) { animation-delay: .2s; } .gb-dot:nth-child(3) { animation-delay: .4s; }',
    '@keyframes gb-blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }',
    '.gb-sr { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;',
    '  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }',
    '.gb-form { display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px 6px; border-top: 1px solid #e1e1e6; }',
    '.gb-input { flex: 1; min-height: 44px; max-height: 140px; padding: 10px 12px; resize: none; font-size: 16px;',
    '  line-height: 1.35; background: #fff; color: #1a1a1a; border: 1px solid #8a8a93; border-radius: 10px; }',
    '.gb-input::placeholder { color: #6b6b73; opacity: 1; }',
    '.gb-send { flex: none; width: 44px; height: 44px; padding: 0; display: inline-flex; align-items: center;',
    '  justify-content: center; background: #b0003a; color: #fff; border: 0; border-radius: 10px; }',
    '.gb-send:hover:enabled { background: #8c002e; }',
    '.gb-send:disabled { background: #d4d4da; color: #4a4a4a; }',
    '.gb-send svg { width: 22px; height: 22px; }',
    '.gb-form-error { margin: 0 12px 4px; color: #a00020; font-size: 13px; }',
    '.gb-disclaimer { margin: 0; padding: 0 12px 10px; color: #555; font-size: 12px; }',
    '@media (max-width: 480px) {',
    '  .gb-panel { top: 0; left: 0; right: 0; bottom: 0; width: 100%; height: 100%; max-width: none;',
    '    max-height: none; border: 0; border-radius: 0; }',
    '  .gb-open .gb-launcher { display: none; }',
    '}',
    '@media (prefers-reduced-motion: reduce) {',
    '  *, *::before, *::after { animation: none !important; transition: none !important; }',
    '  .gb-launcher:hover { transform: none; }',
    '}',
    '@media (forced-colors: active) {',
    '  .gb-launcher, .gb-send, .gb-cite, .gb-adviser, .gb-user, .gb-bot { border: 1px solid CanvasText; }',
    '}'
  ].join('\n');

  // ----------------------------------------------------------------- state
  var state = {
    conversationId: null,
    messages: [],   // [{question, answer: final answer object, feedback: null|"up"|"down"}]
    open: false,
    busy: false,
    controller: null
  };
  var config = {
    adviserUrl: safeUrl(DEFAULT_ADVISER_URL),
    adviserContact: '',
    offices: [],   // [{name: {fr, nl, en}, phone, email, hours: {fr, nl, en} | {}}]
    examples: {},  // by language; BUILTIN_EXAMPLES fill the gaps
    maxChars: 0    // the server's limit on a question or comment, from its config (0 until it is known: the
                   // server's own 422 then says a question is too long)
  };
  function clip(text) { return config.maxChars ? text.slice(0, config.maxChars) : text; }
  function limited(attrs) {
    if (config.maxChars) attrs.maxlength = String(config.maxChars);
    return attrs;
  }
  var REFUSAL_KINDS = ['off_topic', 'not_in_guide', 'account', 'instruction'];
  // The patterns and limits of the server's settings (config.py), checked again: the widget trusts no input.
  var PHONE_RE = /^\+?[0-9][0-9 .\/-]{5,24}$/;
  var EMAIL_RE = /^[^@\s<>()\[\]]+@[^@\s<>()\[\]]+\.[A-Za-z]{2,}$/;
  var MAX_OFFICES = 12;
  var MAX_OFFICE_TEXT = 120;

  // ------------------------------------------------- conversation store
  // The conversation lives in sessionStorage, one key per API, so it follows the member from page to page.
  function save() {
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify({
        conversation_id: state.conversationId,
        open: state.open,
        open_page: state.open ? location.pathname + location.search : null,
        messages: state.messages.slice(-MAX_STORED_MESSAGES)
      }));
    } catch (e) { /* storage full or blocked (sandboxed iframe): the widget still works */ }
  }

  function load() {
    try {
      var data = parseJson(sessionStorage.getItem(STORAGE_KEY) || 'null');
      if (!data || typeof data !== 'object') return;
      state.conversationId = typeof data.conversation_id === 'string' ? data.conversation_id : null;
      // The panel reopens after a reload of the same page; on another page it starts closed
      // (the conversation itself is kept), so it does not cover every page the member visits.
      state.open = data.open === true && data.open_page === location.pathname + location.search;
      state.messages = (Array.isArray(data.messages) ? data.messages : []).filter(function (m) {
        return m && typeof m.question === 'string' && m.answer && typeof m.answer.answer === 'string';
      });
    } catch (e) { /* unreadable: start fresh */ }
  }

  // What was stored by an older widget, or tampered with, is reduced to what the widget renders.
  function cleanStoredAnswers() {
    load();
    state.messages = state.messages.map(function (m) {
      var f = m.feedback === 'up' || m.feedback === 'down' ? m.feedback : null;
      return { question: clip(m.question), answer: cleanAnswer(m.answer), feedback: f };
    });
  }

  function dropConversation() {
    state.conversationId = null;
    save();
  }

  // Keep only the fields we render, with the types we expect.
  function cleanAnswer(a) {
    var str = function (v) { return typeof v === 'string' ? v : ''; };
    return {
      conversation_id: str(a.conversation_id) || null,
      message_id: str(a.message_id) || null,
      language: str(a.language),
      answer: str(a.answer),
      refused: a.refused === true,
      // null on an answer; on a refusal stored before the field existed, too (shown with an adviser)
      refusal: a.refused === true && REFUSAL_KINDS.indexOf(a.refusal) !== -1 ? a.refusal : null,
      citations: (Array.isArray(a.citations) ? a.citations : []).filter(function (c) {
        return c && typeof c === 'object' && isFinite(parseInt(c.n, 10));
      }).map(function (c) {
        return { n: parseInt(c.n, 10), doc_id: str(c.doc_id), title: str(c.title), url: str(c.url),
          section: str(c.section), snippet: str(c.snippet) };
      })
    };
  }

  // -------------------------------------------------------------- errors
  function WidgetError(kind, retryAfter) {
    this.kind = kind; // network | rate | too_long | server | abort
    this.retryAfter = retryAfter || null;
  }

  function errorFromCode(code, status, retryAfter, message) {
    code = String(code || '');
    if (status === 429 || code === 'rate_limited') return new WidgetError('rate', retryAfter);
    // 413 body_too_large, or 422 invalid_request "the message is longer than 2,000 characters"
    if (status === 413 || /too_l(ong|arge)/.test(code) || /longer than/i.test(String(message || ''))) {
      return new WidgetError('too_long');
    }
    return new WidgetError('server');
  }

  // Retry-After is either delta-seconds or an HTTP date.
  function parseRetryAfter(value) {
    if (!value) return null;
    var s = String(value).trim();
    if (/^\d+$/.test(s)) return Math.max(1, parseInt(s, 10));
    var when = Date.parse(s);
    return isNaN(when) ? null : Math.max(1, Math.ceil((when - Date.now()) / 1000));
  }

  function errorMessage(err) {
    if (err.kind === 'rate') return T.errRate(err.retryAfter);
    if (err.kind === 'too_long') return T.errTooLong(config.maxChars);
    if (err.kind === 'network') return T.errNetwork;
    return T.errServer;
  }

  async function readErrorBody(res) {
    try {
      var body = await res.json();
      return (body && body.error) || {};
    } catch (e) {
      return {};
    }
  }

  // ------------------------------------------------------------- network
  var JSON_HEADERS = { 'Content-Type': 'application/json' };

  async function loadConfig() {
    try {
      var res = await fetch(apiBase + '/api/widget/config', { headers: { Accept: 'application/json' } });
      if (!res.ok) return;
      var data = await res.json();
      if (!data || typeof data !== 'object') return;
      if (safeUrl(data.adviser_url)) config.adviserUrl = safeUrl(data.adviser_url);
      if (typeof data.adviser_contact === 'string') config.adviserContact = data.adviser_contact.trim();
      config.offices = cleanOffices(data.adviser_offices);
      if (Number.isInteger(data.max_message_chars) && data.max_message_chars > 0) {
        config.maxChars = data.max_message_chars;
        ui.setMaxChars(config.maxChars);
      }
      Object.keys(STRINGS).forEach(function (l) {
        var ex = data.examples && data.examples[l];
        if (!Array.isArray(ex)) return;
        ex = ex.filter(function (s) { return typeof s === 'string' && s.trim(); })
          .map(function (s) { return clip(s.trim()); }).slice(0, 6);
        if (ex.length) config.examples[l] = ex;
      });
      ui.renderExamples();
      ui.refreshRefusals();
    } catch (e) { /* keep the built-in defaults */ }
  }

  // Offices as the widget shows them: a name and hours per language, a phone number and an e-mail address
  // that pass the same patterns as the server's settings (anything else is dropped, never shown half-checked).
  function cleanOffices(list) {
    if (!Array.isArray(list)) return [];
    var perLanguage = function (v) {
      var out = {};
      Object.keys(STRINGS).forEach(function (l) {
        var t = v && typeof v === 'object' && typeof v[l] === 'string' ? v[l].trim() : '';
        if (t) out[l] = t.slice(0, MAX_OFFICE_TEXT);
      });
      return out;
    };
    return list.slice(0, MAX_OFFICES).map(function (o) {
      if (!o || typeof o !== 'object') return null;
      var phone = typeof o.phone === 'string' && PHONE_RE.test(o.phone.trim()) ? o.phone.trim() : '';
      var email = typeof o.email === 'string' && EMAIL_RE.test(o.email.trim()) ? o.email.trim() : '';
      var name = perLanguage(o.name);
      if (!Object.keys(name).length || !(phone || email)) return null;
      return { name: name, phone: phone, email: email, hours: perLanguage(o.hours) };
    }).filter(Boolean);
  }

  // Sends one question; returns the final answer object or throws a WidgetError.
  async function streamAnswer(question, view, signal) {
    for (var attempt = 0; ; attempt++) {
      var res;
      try {
        res = await fetch(apiBase + '/api/chat/stream', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
          body: JSON.stringify({ message: question, conversation_id: state.conversationId, language: null }),
          signal: signal
        });
      } catch (e) {
        throw new WidgetError(signal.aborted ? 'abort' : 'network');
      }
      if (!res.ok) {
        var info = await readErrorBody(res);
        // The stored conversation expired on the server: start a new one, once.
        if (res.status === 404 && info.code === 'conversation_not_found' && attempt === 0 && state.conversationId) {
          dropConversation();
          continue;
        }
        throw errorFromCode(info.code, res.status,
          parseRetryAfter(res.headers.get('Retry-After')) || parseRetryAfter(info.retry_after), info.message);
      }
      // A server that answers with plain JSON instead of a stream is accepted too.
      if (/application\/json/i.test(res.headers.get('Content-Type') || '')) {
        var whole = parseJson(await res.text());
        if (whole && typeof whole.answer === 'string') return whole;
        throw new WidgetError('server');
      }
      var outcome = await readEventStream(res, view, signal);
      if (outcome.retryAsNew && attempt === 0 && state.conversationId) {
        dropConversation();
        view.resetStream();
        continue;
      }
      if (outcome.error) throw outcome.error;
      return outcome.final;
    }
  }

  async function readEventStream(res, view, signal) {
    var final = null, failure = null, errorCode = '', gotToken = false;
    var parser = createSseParser(function (type, data) {
      if (final || failure) return;
      var payload = parseJson(data);
      if (type === 'token') {
        if (payload && typeof payload.text === 'string') {
          gotToken = true;
          view.appendToken(payload.text);
        }
      } else if (type === 'done') {
        if (payload && typeof payload === 'object' && typeof payload.answer === 'string') final = payload;
        else failure = new WidgetError('server');
      } else if (type === 'error') {
        var e = (payload && payload.error) || {};
        errorCode = String(e.code || '');
        failure = errorFromCode(errorCode, 0, parseRetryAfter(e.retry_after));
      }
    });

    var reader = res.body && res.body.getReader ? res.body.getReader() : null;
    try {
      if (!reader) { // no streaming support: read it all at once
        parser.feed(await res.text());
        parser.end();
      } else {
        var decoder = new TextDecoder('utf-8'); // {stream: true} keeps multi-byte characters split across chunks intact
        while (!final && !failure) {
          var chunk = await reader.read();
          if (chunk.done) {
            parser.feed(decoder.decode());
            parser.end();
            break;
          }
          parser.feed(decoder.decode(chunk.value, { stream: true }));
        }
      }
    } catch (e) {
      return { error: new WidgetError(signal.aborted ? 'abort' : 'network') };
    }
    // Stop reading once we have what we need, in case the server keeps the connection open.
    if (reader && (final || failure)) reader.cancel().catch(function () {});
    if (failure && errorCode === 'conversation_not_found' && !gotToken) return { retryAsNew: true };
    if (failure) return { error: failure };
    if (!final) return { error: new WidgetError(gotToken ? 'network' : 'server') }; // stream cut short
    return { final: final };
  }

  async function sendFeedback(messageId, rating, comment) {
    var body = { message_id: messageId, rating: rating };
    if (comment) body.comment = comment;
    var res = await fetch(apiBase + '/api/feedback', {
      method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body)
    });
    if (!res.ok) throw new Error('feedback ' + res.status);
  }

  // ------------------------------------------------------------------- UI
  var ui = {};
  var TURN_MARGIN = 8; // px kept above a question brought to the top of the log

  // The panel's own strings (header, composer, disclaimer...), re-applied when the interface language changes.
  // A message keeps the strings of its own answer's language.
  var translated = []; // [[node, {attribute or 'text': key}]]
  function translate(node, keys) {
    translated.push([node, keys]);
    applyStrings(node, keys);
    return node;
  }
  function applyStrings(node, keys) {
    Object.keys(keys).forEach(function (attr) {
      if (attr === 'text') node.textContent = T[keys[attr]];
      else node.setAttribute(attr, T[keys[attr]]);
    });
  }

  // --- the panel's parts
  function buildLauncher() {
    var iconBox = el('span', null, [icon('chat')]);
    var button = el('button', {
      type: 'button', class: 'gb-launcher', 'aria-expanded': 'false', 'aria-controls': 'gb-panel'
    }, [iconBox]);
    return { button: button, icon: iconBox };
  }

  function buildHeader() {
    var newBtn = translate(el('button', { type: 'button', class: 'gb-new gb-icon-btn' }, [icon('newChat')]),
      { 'aria-label': 'newConversation', title: 'newConversation' });
    var closeBtn = translate(el('button', { type: 'button', class: 'gb-close gb-icon-btn' }, [icon('close')]),
      { 'aria-label': 'close', title: 'close' });
    var title = translate(el('h2', { class: 'gb-title', id: 'gb-title' }), { text: 'title' });
    return { header: el('div', { class: 'gb-header' }, [title, newBtn, closeBtn]), newBtn: newBtn, closeBtn: closeBtn };
  }

  function buildLog() {
    var examples = el('div', { class: 'gb-examples' });
    // role=log is implicitly polite; aria-live is stated for older screen readers. While an answer
    // streams its message is aria-busy, so the answer is read once, when complete.
    var log = translate(el('div', { class: 'gb-log', role: 'log', 'aria-live': 'polite' }), { 'aria-label': 'title' });
    return { body: el('div', { class: 'gb-body' }, [examples, log]), examples: examples, log: log };
  }

  function buildComposer() {
    var input = translate(el('textarea', limited({ class: 'gb-input', id: 'gb-input', rows: '1' })),
      { placeholder: 'placeholder', 'aria-label': 'inputLabel' });
    var sendBtn = translate(el('button', { type: 'submit', class: 'gb-send', disabled: true }, [icon('send')]),
      { 'aria-label': 'send', title: 'send' });
    return {
      form: el('form', { class: 'gb-form', novalidate: true }, [input, sendBtn]),
      input: input, sendBtn: sendBtn,
      formError: el('p', { class: 'gb-form-error', role: 'alert', hidden: true })
    };
  }

  function buildDisclaimer() {
    return translate(el('p', { class: 'gb-disclaimer' }), { text: 'disclaimer' });
  }

  function buildTyping() {
    return el('div', { class: 'gb-typing' }, [
      el('span', { class: 'gb-dot', 'aria-hidden': 'true' }), el('span', { class: 'gb-dot', 'aria-hidden': 'true' }),
      el('span', { class: 'gb-dot', 'aria-hidden': 'true' }), el('span', { class: 'gb-sr', text: T.typing })
    ]);
  }

  // --- sources: one entry per page, whatever the number of markers that cite it
  function pageOf(href) {
    return href ? href.replace(/#.*$/, '') : null;
  }

  function hostOf(href) {
    try { return href ? new URL(href).hostname : ''; } catch (e) { return ''; }
  }

  function unique(values) {
    return values.filter(function (v, i) { return v && values.indexOf(v) === i; });
  }

  // Citations of one page (the same url without its #fragment, or the same document) form one group.
  function groupSources(citations) {
    var groups = [], byKey = new Map();
    citations.forEach(function (c) {
      var href = safeUrl(c.url);
      var page = pageOf(href);
      var g = (page && byKey.get('u:' + page)) || (c.doc_id && byKey.get('d:' + c.doc_id));
      if (!g) {
        g = { href: href, numbers: [], items: [] };
        groups.push(g);
      }
      g.numbers.push(c.n);
      g.items.push(c);
      if (page) byKey.set('u:' + page, g);
      if (c.doc_id) byKey.set('d:' + c.doc_id, g);
    });
    return groups;
  }

  function sourceLabel(group, S) {
    var titles = unique(group.items.map(function (c) { return c.title; }));
    var sections = unique(group.items.map(function (c) { return c.section; }));
    var label = titles.join(' · ') || group.href || S.source + ' ' + group.numbers[0];
    if (sections.length === 1 && titles.length <= 1 && sections[0] !== titles[0]) label += ' — ' + sections[0];
    return label;
  }

  // The function renderMarkdown calls for a finished answer's [n]: a badge that opens the page it cites.
  function citeLinker(groups, S) {
    var byNumber = new Map();
    groups.forEach(function (g) { g.numbers.forEach(function (n) { byNumber.set(n, g); }); });
    return function (n) {
      var g = byNumber.get(n);
      if (!g) return null;
      var label = sourceLabel(g, S), host = hostOf(g.href);
      var a = externalLink('gb-cite', g.href, String(n));
      a.setAttribute('aria-label', S.sourceLabel(n, host ? label + ', ' + host : label));
      a.setAttribute('title', host ? label + ' — ' + host : label);
      return a;
    };
  }

  function buildSources(groups, S) {
    if (!groups.length) return null;
    var ol = el('ol', { class: 'gb-sources' });
    groups.forEach(function (g) {
      var host = hostOf(g.href);
      var link = el('a', {
        class: 'gb-source-link', href: g.href, target: g.href ? '_blank' : null, rel: g.href ? 'noopener noreferrer' : null
      }, [
        el('span', { class: 'gb-source-title', text: sourceLabel(g, S) }),
        host ? el('span', { class: 'gb-source-site', text: host }) : null,
        g.href ? el('span', { class: 'gb-sr', text: ' (' + S.newTab + ')' }) : null
      ]);
      var main = el('div', { class: 'gb-source-main' }, [link]);
      var snippets = unique(g.items.map(function (c) { return c.snippet; }));
      if (snippets.length) {
        main.appendChild(el('details', null, [el('summary', { text: snippets.length > 1 ? S.excerpts : S.excerpt })]
          .concat(snippets.map(function (t) { return el('p', { class: 'gb-snippet', text: t }); }))));
      }
      var numbers = el('span', { class: 'gb-source-nums' }, g.numbers.map(function (n) {
        return el('span', { class: 'gb-cite', text: String(n) });
      }));
      ol.appendChild(el('li', null, [numbers, main]));
    });
    return el('div', { class: 'gb-sources-wrap' }, [el('p', { class: 'gb-sources-title', text: S.sources }), ol]);
  }

  // --- the adviser, with a refusal that is not off-topic
  function offersAdviser(a) {
    return a.refused && a.refusal !== 'off_topic';
  }

  // A refusal's last paragraph names the adviser page and the contact lines (the server's contract): the
  // adviser box below says the same, so the paragraph is not shown twice.
  function dropAdviserParagraph(answerEl) {
    var last = answerEl.lastElementChild;
    if (!last || last.tagName !== 'P' || last === answerEl.firstElementChild) return;
    var links = Array.from(last.querySelectorAll('a[href]'));
    if (links.some(function (a) { return a.getAttribute('href') === config.adviserUrl; })) last.remove();
  }

  function officeLine(className, label, S, value) {
    return el('span', { class: 'gb-office-line ' + className }, [label + S.colon].concat(value));
  }

  function buildOffice(o, S, l) {
    var li = el('li', { class: 'gb-office' }, [el('span', { class: 'gb-office-name', text: o.name[l] || o.name.fr || Object.values(o.name)[0] })]);
    if (o.phone) {
      li.appendChild(officeLine('gb-office-phone', S.phone, S,
        [el('a', { href: 'tel:' + o.phone.replace(/[^\d+]/g, ''), text: o.phone })]));
    }
    if (o.email) {
      li.appendChild(officeLine('gb-office-email', S.email, S, [el('a', { href: 'mailto:' + o.email, text: o.email })]));
    }
    var hours = o.hours[l] || o.hours.fr;
    if (hours) li.appendChild(officeLine('gb-office-hours', S.hours, S, [hours]));
    return li;
  }

  function buildAdviser(S, l) {
    var box = el('div', { class: 'gb-adviser-box' }, [externalLink('gb-adviser', config.adviserUrl, S.adviser)]);
    if (config.offices.length) {
      box.appendChild(el('ul', { class: 'gb-offices', 'aria-label': S.offices },
        config.offices.map(function (o) { return buildOffice(o, S, l); })));
    } else if (config.adviserContact) {
      box.appendChild(el('p', { class: 'gb-adviser-contact', text: config.adviserContact }));
    }
    return box;
  }

  // --- feedback on one answer
  function buildFeedback(record, S, shadow) {
    var box = el('div', { class: 'gb-feedback' });
    var question = el('span', { class: 'gb-feedback-q', text: S.feedbackQuestion });
    var up = el('button', { type: 'button', class: 'gb-up', 'aria-label': S.up, title: S.up, 'aria-pressed': 'false' }, [icon('thumb')]);
    var down = el('button', { type: 'button', class: 'gb-down', 'aria-label': S.down, title: S.down, 'aria-pressed': 'false' }, [icon('thumb', true)]);
    var commentBox = null;
    var problem = null;
    box.appendChild(question);
    box.appendChild(el('span', { class: 'gb-feedback-buttons' }, [up, down])); // kept together when wrapping

    function press(rating) {
      up.setAttribute('aria-pressed', String(rating === 'up'));
      down.setAttribute('aria-pressed', String(rating === 'down'));
    }
    function thank(moveFocus) {
      up.disabled = down.disabled = true;
      question.remove();
      var thanks = el('p', { class: 'gb-thanks', tabindex: '-1', role: 'status', text: S.thanks });
      box.appendChild(thanks);
      if (moveFocus) thanks.focus();
    }
    async function submit(rating, comment) {
      var hadFocus = box.contains(shadow.activeElement);
      var controls = [up, down].concat(commentBox ? Array.from(commentBox.querySelectorAll('button, textarea')) : []);
      controls.forEach(function (c) { c.disabled = true; });
      if (problem) { problem.remove(); problem = null; }
      try {
        await sendFeedback(record.answer.message_id, rating, comment);
      } catch (e) {
        controls.forEach(function (c) { c.disabled = false; });
        press(commentBox ? 'down' : null);
        problem = el('p', { class: 'gb-feedback-error', role: 'alert', text: S.feedbackError });
        box.appendChild(problem);
        return;
      }
      record.feedback = rating;
      save();
      if (commentBox) { commentBox.remove(); commentBox = null; }
      press(rating);
      thank(hadFocus);
    }

    if (record.feedback === 'up' || record.feedback === 'down') {
      press(record.feedback);
      thank(false);
      return box;
    }
    up.addEventListener('click', function () {
      press('up');
      submit('up');
    });
    down.addEventListener('click', function () {
      press('down');
      if (commentBox) { commentBox.querySelector('textarea').focus(); return; }
      var ta = el('textarea', limited({ class: 'gb-comment', rows: '3', 'aria-label': S.commentLabel, placeholder: S.commentPlaceholder }));
      var send = el('button', { type: 'button', class: 'gb-comment-send gb-btn gb-btn-primary', text: S.sendComment });
      var skip = el('button', { type: 'button', class: 'gb-comment-skip gb-btn gb-btn-secondary', text: S.skip });
      send.addEventListener('click', function () { submit('down', ta.value.trim()); });
      skip.addEventListener('click', function () { submit('down'); });
      commentBox = el('div', { class: 'gb-comment-box' }, [ta, el('div', { class: 'gb-comment-actions' }, [send, skip])]);
      box.appendChild(commentBox);
      ta.focus();
      commentBox.scrollIntoView({ block: 'nearest' });
    });
    return box;
  }

  // --- a finished answer: its text, sources, adviser and feedback, in the answer's language
  function renderFinished(node, answerEl, record, shadow) {
    var a = record.answer;
    var l = STRINGS.hasOwnProperty(a.language) ? a.language : lang;
    var S = stringsFor(l);
    node.setAttribute('data-state', 'done');
    node.setAttribute('data-refused', a.refused ? 'true' : 'false');
    if (a.refusal) node.setAttribute('data-refusal', a.refusal);
    if (a.message_id) node.setAttribute('data-message-id', a.message_id);
    node.setAttribute('lang', l);
    node.removeAttribute('aria-busy');
    var groups = groupSources(a.citations);
    // The final text replaces the streamed one; for the same text the two renders are the same.
    renderMarkdown(answerEl, a.answer, citeLinker(groups, S));
    if (offersAdviser(a) && a.refusal) dropAdviserParagraph(answerEl);
    var sources = buildSources(groups, S);
    if (sources) node.appendChild(sources);
    if (offersAdviser(a)) node.appendChild(buildAdviser(S, l));
    if (a.message_id) node.appendChild(buildFeedback(record, S, shadow));
  }

  // --- the panel: its parts put together in the shadow root
  function buildPanel(shadow) {
    var root = el('div', { class: 'gb-root' });
    shadow.appendChild(el('style', { text: CSS }));
    shadow.appendChild(root);

    var launcher = buildLauncher();
    var header = buildHeader();
    var logParts = buildLog();
    var composer = buildComposer();
    var panel = el('div', {
      class: 'gb-panel', id: 'gb-panel', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'gb-title',
      lang: lang, hidden: true
    }, [header.header, logParts.body, composer.form, composer.formError, buildDisclaimer()]);
    translate(panel, { 'aria-label': 'title' });
    // Launcher first: Tab from the launcher goes straight into the open panel.
    root.appendChild(launcher.button);
    root.appendChild(panel);
    var parts = {
      root: root, panel: panel, launcher: launcher.button, launcherIcon: launcher.icon,
      newBtn: header.newBtn, closeBtn: header.closeBtn,
      body: logParts.body, examples: logParts.examples, log: logParts.log,
      form: composer.form, input: composer.input, sendBtn: composer.sendBtn, formError: composer.formError
    };
    updateLauncher(parts);
    return parts;
  }

  function updateLauncher(parts) {
    var label = state.open ? T.launcherClose : T.launcher;
    parts.launcher.setAttribute('aria-label', label);
    parts.launcher.setAttribute('title', label);
  }

  // The panel's strings follow the language of the latest answer.
  function setLanguage(l, parts) {
    if (!STRINGS.hasOwnProperty(l) || l === lang) return;
    lang = l;
    T = STRINGS[l];
    translated.forEach(function (t) { applyStrings(t[0], t[1]); });
    parts.panel.setAttribute('lang', l);
    updateLauncher(parts);
    ui.renderExamples();
  }

  // --- the composer: the question box, its send button and its error line
  function createComposer(parts) {
    var input = parts.input;
    function question() { return input.value.trim(); }
    function autoGrow() {
      input.style.height = 'auto';
      input.style.height = Math.min(input.scrollHeight + 2, 140) + 'px';
    }
    return {
      question: question,
      setText: function (text) {
        input.value = text;
        autoGrow();
      },
      autoGrow: autoGrow,
      updateSend: function () { parts.sendBtn.disabled = state.busy || !question(); },
      showError: function (text) {
        parts.formError.textContent = text || '';
        parts.formError.hidden = !text;
      },
      focus: function () { input.focus(); }
    };
  }

  // --- scrolling: a new turn is followed until its question reaches the top of the log, then the member
  // reads on at their own pace (the start of the answer stays in view, not its end).
  function createScroller(body, log) {
    var follow = null, expectedTop = -1;
    function scrollBodyTo(top) {
      body.scrollTop = top;
      expectedTop = body.scrollTop;
    }
    function showTurn(userNode, exact) {
      var offset = userNode.getBoundingClientRect().top - body.getBoundingClientRect().top;
      var target = Math.min(body.scrollTop + offset - TURN_MARGIN, body.scrollHeight - body.clientHeight);
      target = Math.max(0, target);
      if (exact || target > body.scrollTop) scrollBodyTo(target);
    }
    return {
      follow: function (userNode) {
        follow = userNode;
        showTurn(userNode, true);
      },
      release: function (userNode) { if (follow === userNode) follow = null; },
      stop: function () { follow = null; },
      keepTurnInView: function () {
        if (!follow) return;
        // Moved since we last scrolled it (content only grows meanwhile): the member scrolled, leave it there.
        if (Math.abs(body.scrollTop - expectedTop) > 2) { follow = null; return; }
        showTurn(follow, false);
      },
      showLastTurn: function () {
        var users = log.querySelectorAll('.gb-user');
        if (users.length) showTurn(users[users.length - 1], true);
        else scrollBodyTo(0);
      }
    };
  }

  // --- the dialog: the launcher and the close button open and close it, Escape closes it, and Tab and
  // Shift+Tab cycle through what can be focused inside it
  function createDialog(shadow, parts, scroller, composer) {
    var panel = parts.panel;
    function focusables() {
      return Array.from(panel.querySelectorAll('button, textarea, a[href], summary, [tabindex]')).filter(function (n) {
        return !n.disabled && n.tabIndex >= 0 && n.getClientRects().length > 0;
      });
    }
    function trapTab(e) {
      var items = focusables();
      if (!items.length) return;
      var first = items[0], last = items[items.length - 1], active = shadow.activeElement;
      var target = !panel.contains(active) ? (e.shiftKey ? last : first)
        : e.shiftKey && active === first ? last
          : !e.shiftKey && active === last ? first : null;
      if (target) {
        e.preventDefault();
        target.focus();
      }
    }
    function setOpen(open, moveFocus) {
      state.open = open;
      panel.hidden = !open;
      parts.root.classList.toggle('gb-open', open);
      parts.launcher.setAttribute('aria-expanded', String(open));
      parts.launcherIcon.replaceChild(icon(open ? 'chevron' : 'chat'), parts.launcherIcon.firstChild);
      updateLauncher(parts);
      save();
      if (open) {
        scroller.showLastTurn();
        if (moveFocus) composer.focus();
      } else if (moveFocus) {
        parts.launcher.focus();
      }
    }

    parts.launcher.addEventListener('click', function () { setOpen(!state.open, true); });
    parts.closeBtn.addEventListener('click', function () { setOpen(false, true); });
    shadow.addEventListener('keydown', function (e) {
      if (!state.open) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setOpen(false, true);
      } else if (e.key === 'Tab') {
        trapTab(e);
      }
    });
    return { setOpen: setOpen };
  }

  // --- the message log: the member's questions and the guide's answers
  function createMessageLog(log, shadow, scroller) {
    var rendered = []; // finished bot messages: {record, redraw}
    return {
      addUser: function (question) {
        var node = el('div', { class: 'gb-msg gb-user' }, [el('div', { class: 'gb-text', text: question })]);
        log.appendChild(node);
        return node;
      },
      addBot: function () {
        return addBotMessage(log, shadow, scroller, function (entry) { rendered.push(entry); });
      },
      // The adviser's page and offices came with the config: redraw the refusals drawn before it arrived.
      refreshRefusals: function () {
        rendered.forEach(function (r) {
          if (offersAdviser(r.record.answer)) r.redraw();
        });
      },
      clear: function () {
        rendered = [];
        log.textContent = '';
      }
    };
  }

  // A bot message: streaming first, then finish() or fail(). onFinished gets {record, redraw} once it is done.
  function addBotMessage(log, shadow, scroller, onFinished) {
    var node = el('div', { class: 'gb-msg gb-bot', 'data-state': 'streaming', 'aria-busy': 'true' });
    var answer = el('div', { class: 'gb-answer' });
    var typing = buildTyping();
    node.appendChild(answer);
    node.appendChild(typing);
    log.appendChild(node);

    // The Markdown is rendered as it arrives, up to what can no longer change (settledMarkdown), so the
    // text only ever grows and the finished answer looks exactly like the streamed one.
    var streamed = '';
    return {
      node: node,
      appendToken: function (t) {
        typing.remove();
        streamed += t;
        renderMarkdown(answer, settledMarkdown(streamed), pendingCite);
        scroller.keepTurnInView();
      },
      resetStream: function () {
        streamed = '';
        answer.textContent = '';
        node.appendChild(typing);
      },
      finish: function (record) {
        typing.remove();
        var redraw = function () {
          node.textContent = '';
          node.appendChild(answer);
          renderFinished(node, answer, record, shadow);
        };
        renderFinished(node, answer, record, shadow);
        onFinished({ record: record, redraw: redraw });
      },
      fail: function (err, retry) {
        typing.remove();
        // Streamed text that never got its final, checked version is not shown as an answer.
        answer.textContent = '';
        node.setAttribute('data-state', 'error');
        node.removeAttribute('aria-busy');
        node.appendChild(el('p', { class: 'gb-error', role: 'alert', text: errorMessage(err) }));
        if (err.kind !== 'too_long') {
          var b = el('button', { type: 'button', class: 'gb-retry gb-btn gb-btn-secondary', text: T.retry });
          b.addEventListener('click', retry);
          node.appendChild(b);
        }
      }
    };
  }

  // --- the examples above an empty log, in the panel's language
  function renderExamples(widget) {
    var examples = widget.parts.examples;
    examples.textContent = '';
    examples.appendChild(el('p', { class: 'gb-examples-title', id: 'gb-examples-title', text: T.examples }));
    var ul = el('ul', { 'aria-labelledby': 'gb-examples-title' });
    (config.examples[lang] || BUILTIN_EXAMPLES[lang]).forEach(function (q) {
      var b = el('button', { type: 'button', class: 'gb-example', text: q });
      b.addEventListener('click', function () { ask(widget, q); });
      ul.appendChild(el('li', null, [b]));
    });
    examples.appendChild(ul);
    examples.hidden = widget.parts.log.childElementCount > 0;
  }

  // The server's limit came with the config: the text boxes drawn before it take it too.
  function applyMaxChars(shadow, n) {
    Array.prototype.forEach.call(shadow.querySelectorAll('.gb-input, .gb-comment'), function (ta) {
      ta.maxLength = n;
    });
  }

  // --------------------------------------------------- conversation flow
  // One question at a time: its turn is drawn, its answer streamed into it, then kept in the conversation.
  async function ask(widget, question) {
    question = String(question || '').trim();
    if (!question || state.busy) return;
    var composer = widget.composer;
    if (config.maxChars && question.length > config.maxChars) { composer.showError(T.errTooLong(config.maxChars)); return; }
    composer.showError('');
    state.busy = true;
    composer.updateSend();
    var userNode = widget.messages.addUser(question);
    widget.parts.examples.hidden = true;
    var view = widget.messages.addBot();
    widget.scroller.follow(userNode);
    var controller = new AbortController();
    state.controller = controller;
    try {
      var final = await streamAnswer(question, view, controller.signal);
      if (controller.signal.aborted) return;
      var record = { question: question, answer: cleanAnswer(final), feedback: null };
      if (record.answer.conversation_id) state.conversationId = record.answer.conversation_id;
      state.messages.push(record);
      save();
      setLanguage(record.answer.language, widget.parts);
      view.finish(record);
      widget.scroller.keepTurnInView();
    } catch (err) {
      if (controller.signal.aborted || !(err instanceof WidgetError) || err.kind === 'abort') {
        if (!controller.signal.aborted) view.fail(new WidgetError('server'), function () {});
        return;
      }
      showAskFailure(widget, err, question, userNode, view);
    } finally {
      widget.scroller.release(userNode);
      if (state.controller === controller) {
        state.controller = null;
        state.busy = false;
        composer.updateSend();
      }
    }
  }

  // Keep the question at hand: back in the empty input, and a retry button on the message.
  function showAskFailure(widget, err, question, userNode, view) {
    var composer = widget.composer;
    if (!composer.question()) composer.setText(question);
    view.fail(err, function () {
      if (state.busy) return;
      if (composer.question() === question) composer.setText('');
      userNode.remove();
      view.node.remove();
      ask(widget, question);
    });
    widget.scroller.keepTurnInView();
  }

  function newConversation(widget) {
    if (state.controller) state.controller.abort();
    state.controller = null;
    state.busy = false;
    state.conversationId = null;
    state.messages = [];
    widget.messages.clear();
    widget.scroller.stop();
    widget.composer.showError('');
    save();
    ui.renderExamples();
    widget.composer.updateSend();
    widget.composer.focus();
  }

  function submitForm(widget) {
    var q = widget.composer.question();
    if (state.busy || !q) return;
    widget.composer.setText('');
    ask(widget, q);
  }

  // The composer's and the header's events (the dialog wires its own).
  function wireConversation(widget) {
    var parts = widget.parts, composer = widget.composer;
    parts.newBtn.addEventListener('click', function () { newConversation(widget); });
    parts.form.addEventListener('submit', function (e) { e.preventDefault(); submitForm(widget); });
    parts.input.addEventListener('input', function () { composer.updateSend(); composer.autoGrow(); composer.showError(''); });
    parts.input.addEventListener('keydown', function (e) {
      // Enter sends; Shift+Enter is a newline; never interrupt an IME composition.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submitForm(widget);
      }
    });
  }

  // The conversation kept in sessionStorage is drawn again after a reload or on another page.
  function restoreConversation(widget) {
    state.messages.forEach(function (record) {
      widget.messages.addUser(record.question);
      widget.messages.addBot().finish(record);
    });
    if (state.messages.length) setLanguage(state.messages[state.messages.length - 1].answer.language, widget.parts);
    ui.renderExamples();
    widget.composer.updateSend();
    if (state.open) widget.dialog.setOpen(true, false); // reopened after a reload, without stealing the page's focus
  }

  function buildUi(shadow) {
    var parts = buildPanel(shadow);
    var scroller = createScroller(parts.body, parts.log);
    var composer = createComposer(parts);
    var widget = {
      parts: parts, scroller: scroller, composer: composer,
      messages: createMessageLog(parts.log, shadow, scroller),
      dialog: createDialog(shadow, parts, scroller, composer)
    };
    wireConversation(widget);
    ui.renderExamples = function () { renderExamples(widget); };
    ui.setMaxChars = function (n) { applyMaxChars(shadow, n); };
    ui.refreshRefusals = widget.messages.refreshRefusals;
    restoreConversation(widget);
    ui.open = function () { widget.dialog.setOpen(true, true); };
    ui.close = function () { widget.dialog.setOpen(false, true); };
    ui.reset = function () { newConversation(widget); };
  }

  // ------------------------------------------------------------------ start
  function start() {
    if (document.getElementById('guidebot-widget')) return;
    var host = document.createElement('div');
    host.id = 'guidebot-widget';
    // Inline !important beats any page rule, so the page cannot move, hide or restyle the host.
    var hostStyle = [
      ['all', 'initial'], ['display', 'block'], ['position', 'fixed'], ['right', '0'], ['bottom', '0'],
      ['width', '0'], ['height', '0'], ['overflow', 'visible'], ['z-index', '2147483000']
    ];
    hostStyle.forEach(function (p) { host.style.setProperty(p[0], p[1], 'important'); });
    document.body.appendChild(host);
    var shadow = host.attachShadow({ mode: 'open' });
    cleanStoredAnswers();
    buildUi(shadow);
    loadConfig();
  }

  window.GuidebotWidget = {
    version: '1',
    open: function () { if (ui.open) ui.open(); },
    close: function () { if (ui.close) ui.close(); },
    reset: function () { if (ui.reset) ui.reset(); }
  };

  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
