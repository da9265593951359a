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
 *   attributes we chose (href only after an http(s) check). No HTML string is ever parsed.
 * - The only global is window.GuidebotWidget, which also stops a second copy from starting.
 */
(function () {
  'use strict';

  if (window.GuidebotWidget || document.getElementById('guidebot-widget')) return;

  var MAX_CHARS = 2000;
  var MAX_STORED_MESSAGES = 40; // keeps sessionStorage well below its quota
  var DEFAULT_ADVISER_URL = 'https://www.smart.coop';

  // ---------------------------------------------------------------- strings
  var STRINGS = {
    fr: {
      title: 'Guide Smart', launcher: 'Ouvrir le Guide Smart',
      placeholder: 'Posez votre question…', inputLabel: 'Votre question', send: 'Envoyer',
      close: 'Fermer', newConversation: 'Nouvelle conversation', examples: 'Exemples de questions',
      sources: 'Sources', excerpt: 'Extrait', source: 'Source',
      sourceLabel: function (n, t) { return 'Source ' + n + ' : ' + t; },
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
      errTooLong: 'Votre question est trop longue (2000 caractères au maximum).',
      errServer: 'Une erreur est survenue de notre côté. Réessayez dans quelques instants.',
      disclaimer: 'Réponses tirées du guide de Smart, avec leurs sources.'
    },
    nl: {
      title: 'Smart-gids', launcher: 'Smart-gids openen',
      placeholder: 'Stel je vraag…', inputLabel: 'Je vraag', send: 'Versturen',
      close: 'Sluiten', newConversation: 'Nieuw gesprek', examples: 'Voorbeeldvragen',
      sources: 'Bronnen', excerpt: 'Fragment', source: 'Bron',
      sourceLabel: function (n, t) { return 'Bron ' + n + ': ' + t; },
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
      errTooLong: 'Je vraag is te lang (maximaal 2000 tekens).',
      errServer: 'Er ging bij ons iets mis. Probeer het zo meteen opnieuw.',
      disclaimer: 'Antwoorden uit de gids van Smart, met hun bronnen.'
    },
    en: {
      title: 'Smart guide', launcher: 'Open the Smart guide',
      placeholder: 'Ask your question…', inputLabel: 'Your question', send: 'Send',
      close: 'Close', newConversation: 'New conversation', examples: 'Example questions',
      sources: 'Sources', excerpt: 'Excerpt', source: 'Source',
      sourceLabel: function (n, t) { return 'Source ' + n + ': ' + t; },
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
      errTooLong: 'Your question is too long (2000 characters at most).',
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
  var lang = resolveLang();
  var T = STRINGS[lang];
  var STORAGE_KEY = 'guidebot:v1:' + apiBase;

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
  // A deliberately small Markdown subset, rendered with createElement/textContent only.
  var INLINE_RE = /\*\*(.+?)\*\*|\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]|\[([^\[\]\n]+)\]\((https?:\/\/[^\s()]+)\)|(https?:\/\/[^\s<>"'()\[\]]+)/gi;

  function appendInline(parent, text, citations) {
    var last = 0;
    // matchAll works on a copy of the regex, so the recursive call for bold text is safe.
    Array.from(text.matchAll(INLINE_RE)).forEach(function (m) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[1] !== undefined) {
        var strong = el('strong');
        appendInline(strong, m[1], citations);
        parent.appendChild(strong);
      } else if (m[2] !== undefined) {
        appendCitations(parent, m[2], citations);
      } else if (m[3] !== undefined) {
        parent.appendChild(externalLink('gb-link', m[4], m[3]));
      } else {
        // Sentence punctuation right after a URL belongs to the sentence, not the URL.
        var url = m[5];
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
  function appendCitations(parent, list, citations) {
    list.split(/[,;]/).forEach(function (part) {
      var n = parseInt(part, 10);
      var c = citations.get(n);
      if (!c) { parent.appendChild(document.createTextNode('[' + n + ']')); return; }
      var title = c.title || c.url || T.source + ' ' + n;
      var a = externalLink('gb-cite', c.url, String(n));
      a.setAttribute('aria-label', T.sourceLabel(n, title));
      a.setAttribute('title', title);
      parent.appendChild(a);
    });
  }

  function renderMarkdown(target, text, citations) {
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
        appendInline(item, ordered ? m[2] : m[1], citations);
        list.appendChild(item);
        para = null;
      } else if ((m = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line))) {
        var heading = el('p', { class: 'gb-heading' }, [el('strong')]);
        appendInline(heading.firstChild, m[1], citations);
        target.appendChild(heading);
        para = list = item = null;
      } else if (item && /^\s/.test(raw)) { // indented line continues the list item
        item.appendChild(document.createTextNode(' '));
        appendInline(item, line.trim(), citations);
      } else {
        if (!para) {
          para = el('p');
          target.appendChild(para);
          list = item = null;
        } else {
          para.appendChild(el('br'));
        }
        appendInline(para, line.trim(), citations);
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
    '.gb-streaming { white-space: pre-wrap; }',
    '.gb-answer ul, .gb-answer ol { margin: 0 0 8px; padding-left: 22px; }',
    '.gb-answer li { margin: 2px 0; }',
    '.gb-answer > :last-child { margin-bottom: 0; }',
    '.gb-link, .gb-source-link { color: #0b4f8a; text-decoration: underline; }',
    '.gb-cite { display: inline-block; min-width: 18px; margin: 0 1px; padding: 0 5px; border-radius: 9px;',
    '  background: #b0003a; color: #fff; font-size: 11px; font-weight: 700; line-height: 17px;',
    '  text-align: center; text-decoration: none; position: relative; top: -0.35em; }', // raised without growing the line
    '.gb-cite:hover { background: #8c002e; text-decoration: underline; }',
    '.gb-sources-title { margin: 10px 0 4px; font-size: 13px; font-weight: 700; color: #444; }',
    '.gb-sources { margin: 0; padding-left: 22px; font-size: 13px; }',
    '.gb-sources li { margin: 4px 0; }',
    '.gb-sources summary { cursor: pointer; color: #4a4a4a; font-size: 12px; }',
    '.gb-snippet { margin: 4px 0 0; padding-left: 8px; border-left: 3px solid #c4c4cc; color: #3d3d3d;',
    '  font-size: 12.5px; white-space: pre-wrap; }',
    '.gb-adviser-box { margin-top: 10px; padding: 10px; background: #fff; border: 1px solid #e0c2cc; border-radius: 10px; }',
    '.gb-adviser { display: inline-block; padding: 8px 14px; background: #b0003a; color: #fff; font-weight: 700;',
    '  text-decoration: none; border-radius: 8px; }',
    '.gb-adviser:hover { background: #8c002e; text-decoration: underline; }',
    '.gb-adviser-contact { margin: 8px 0 0; font-size: 13px; white-space: pre-wrap; }',
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
    adviserUrl: DEFAULT_ADVISER_URL,
    adviserContact: '',
    examples: BUILTIN_EXAMPLES[lang]
  };

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

  // Keep only the fields we render, with the types we expect.
  function cleanAnswer(a) {
    var str = function (v) { return typeof v === 'string' ? v : ''; };
    return {
      conversation_id: str(a.conversation_id) || null,
      message_id: str(a.message_id) || null,
      language: str(a.language),
      answer: str(a.answer),
      refused: a.refused === true,
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
    if (err.kind === 'too_long') return T.errTooLong;
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
      var ex = data.examples && data.examples[lang];
      if (Array.isArray(ex)) {
        ex = ex.filter(function (s) { return typeof s === 'string' && s.trim(); })
          .map(function (s) { return s.trim().slice(0, MAX_CHARS); }).slice(0, 6);
        if (ex.length) config.examples = ex;
      }
      ui.renderExamples();
      ui.refreshAdviserBoxes();
    } catch (e) { /* keep the built-in defaults */ }
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

  function dropConversation() {
    state.conversationId = null;
    save();
  }

  // ------------------------------------------------------------------- UI
  var ui = {};

  function buildUi(shadow) {
    var root = el('div', { class: 'gb-root' });
    shadow.appendChild(el('style', { text: CSS }));
    shadow.appendChild(root);

    var launcherIcon = el('span', null, [icon('chat')]);
    var launcher = el('button', {
      type: 'button', class: 'gb-launcher', 'aria-label': T.launcher, title: T.title,
      'aria-expanded': 'false', 'aria-controls': 'gb-panel'
    }, [launcherIcon]);

    var newBtn = el('button', { type: 'button', class: 'gb-new gb-icon-btn', 'aria-label': T.newConversation, title: T.newConversation }, [icon('newChat')]);
    var closeBtn = el('button', { type: 'button', class: 'gb-close gb-icon-btn', 'aria-label': T.close, title: T.close }, [icon('close')]);
    var header = el('div', { class: 'gb-header' }, [el('h2', { class: 'gb-title', text: T.title }), newBtn, closeBtn]);

    var examples = el('div', { class: 'gb-examples' });
    // role=log is implicitly polite; aria-live is stated for older screen readers. While an answer
    // streams its message is aria-busy, so the answer is read once, when complete.
    var log = el('div', { class: 'gb-log', role: 'log', 'aria-live': 'polite', 'aria-label': T.title });
    var body = el('div', { class: 'gb-body' }, [examples, log]);

    var input = el('textarea', {
      class: 'gb-input', id: 'gb-input', rows: '1', maxlength: String(MAX_CHARS),
      placeholder: T.placeholder, 'aria-label': T.inputLabel
    });
    var sendBtn = el('button', { type: 'submit', class: 'gb-send', 'aria-label': T.send, title: T.send, disabled: true }, [icon('send')]);
    var form = el('form', { class: 'gb-form', novalidate: true }, [input, sendBtn]);
    var formError = el('p', { class: 'gb-form-error', role: 'alert', hidden: true });
    var disclaimer = el('p', { class: 'gb-disclaimer', text: T.disclaimer });

    var panel = el('div', { class: 'gb-panel', id: 'gb-panel', role: 'dialog', 'aria-label': T.title, lang: lang, hidden: true },
      [header, body, form, formError, disclaimer]);
    // Launcher first: Tab from the launcher goes straight into the open panel.
    root.appendChild(launcher);
    root.appendChild(panel);

    function updateSend() {
      sendBtn.disabled = state.busy || !input.value.trim();
    }

    function autoGrow() {
      input.style.height = 'auto';
      input.style.height = Math.min(input.scrollHeight + 2, 140) + 'px';
    }

    function scrollToEnd(force) {
      var nearEnd = body.scrollHeight - body.scrollTop - body.clientHeight < 80;
      if (force || nearEnd) body.scrollTop = body.scrollHeight;
    }

    function setOpen(open, moveFocus) {
      state.open = open;
      panel.hidden = !open;
      root.classList.toggle('gb-open', open);
      launcher.setAttribute('aria-expanded', String(open));
      launcherIcon.replaceChild(icon(open ? 'chevron' : 'chat'), launcherIcon.firstChild);
      save();
      if (open) {
        scrollToEnd(true);
        if (moveFocus) input.focus();
      } else if (moveFocus) {
        launcher.focus();
      }
    }

    function showFormError(text) {
      formError.textContent = text || '';
      formError.hidden = !text;
    }

    ui.renderExamples = function () {
      examples.textContent = '';
      examples.appendChild(el('p', { class: 'gb-examples-title', id: 'gb-examples-title', text: T.examples }));
      var ul = el('ul', { 'aria-labelledby': 'gb-examples-title' });
      config.examples.forEach(function (q) {
        var b = el('button', { type: 'button', class: 'gb-example', text: q });
        b.addEventListener('click', function () { ask(q); });
        ul.appendChild(el('li', null, [b]));
      });
      examples.appendChild(ul);
      examples.hidden = log.childElementCount > 0;
    };

    function adviserBox() {
      var box = el('div', { class: 'gb-adviser-box' }, [externalLink('gb-adviser', config.adviserUrl, T.adviser)]);
      if (config.adviserContact) box.appendChild(el('p', { class: 'gb-adviser-contact', text: config.adviserContact }));
      return box;
    }

    ui.refreshAdviserBoxes = function () {
      Array.prototype.forEach.call(shadow.querySelectorAll('.gb-adviser-box'), function (old) {
        old.replaceWith(adviserBox());
      });
    };

    function addUserMessage(question) {
      var node = el('div', { class: 'gb-msg gb-user' }, [el('div', { class: 'gb-text', text: question })]);
      log.appendChild(node);
      return node;
    }

    // A bot message: streaming first, then finish() or fail().
    function addBotMessage() {
      var node = el('div', { class: 'gb-msg gb-bot', 'data-state': 'streaming', 'aria-busy': 'true' });
      var answer = el('div', { class: 'gb-answer' });
      var typing = el('div', { class: 'gb-typing' }, [
        el('span', { class: 'gb-dot', 'aria-hidden': 'true' }), el('span', { class: 'gb-dot', 'aria-hidden': 'true' }),
        el('span', { class: 'gb-dot', 'aria-hidden': 'true' }), el('span', { class: 'gb-sr', text: T.typing })
      ]);
      node.appendChild(answer);
      node.appendChild(typing);
      log.appendChild(node);

      // While streaming, tokens are appended as plain text (pre-wrap), so the text only ever grows;
      // Markdown is rendered once, from the final answer. Half-received "**" never flickers.
      var streamed = null;
      return {
        node: node,
        appendToken: function (t) {
          if (!streamed) {
            typing.remove();
            answer.classList.add('gb-streaming');
            streamed = document.createTextNode('');
            answer.appendChild(streamed);
          }
          streamed.appendData(t);
          scrollToEnd(false);
        },
        resetStream: function () {
          streamed = null;
          answer.textContent = '';
          answer.classList.remove('gb-streaming');
          node.appendChild(typing);
        },
        finish: function (record) {
          typing.remove();
          answer.classList.remove('gb-streaming');
          renderFinished(node, answer, record);
        },
        fail: function (err, retry) {
          typing.remove();
          // Streamed text that never got its final, checked version is not shown as an answer.
          answer.textContent = '';
          answer.classList.remove('gb-streaming');
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

    function renderFinished(node, answerEl, record) {
      var a = record.answer;
      node.setAttribute('data-state', 'done');
      node.setAttribute('data-refused', a.refused ? 'true' : 'false');
      if (a.message_id) node.setAttribute('data-message-id', a.message_id);
      node.removeAttribute('aria-busy');
      if (STRINGS.hasOwnProperty(a.language)) answerEl.setAttribute('lang', a.language);
      var byNumber = new Map();
      a.citations.forEach(function (c) { byNumber.set(c.n, c); });
      // The final text replaces the streamed one: the server's check may have removed sentences.
      renderMarkdown(answerEl, a.answer, byNumber);

      if (a.citations.length) {
        var ol = el('ol', { class: 'gb-sources' });
        a.citations.forEach(function (c) {
          var label = (c.title || c.url || T.source + ' ' + c.n) + (c.section ? ' — ' + c.section : '');
          var li = el('li', { value: String(c.n) }, [externalLink('gb-source-link', c.url, label)]);
          if (c.snippet) {
            li.appendChild(el('details', null, [el('summary', { text: T.excerpt }), el('p', { class: 'gb-snippet', text: c.snippet })]));
          }
          ol.appendChild(li);
        });
        node.appendChild(el('div', { class: 'gb-sources-wrap' }, [el('p', { class: 'gb-sources-title', text: T.sources }), ol]));
      }
      if (a.refused) node.appendChild(adviserBox());
      if (a.message_id) node.appendChild(feedbackBox(record));
    }

    function feedbackBox(record) {
      var box = el('div', { class: 'gb-feedback' });
      var question = el('span', { class: 'gb-feedback-q', text: T.feedbackQuestion });
      var up = el('button', { type: 'button', class: 'gb-up', 'aria-label': T.up, title: T.up, 'aria-pressed': 'false' }, [icon('thumb')]);
      var down = el('button', { type: 'button', class: 'gb-down', 'aria-label': T.down, title: T.down, 'aria-pressed': 'false' }, [icon('thumb', true)]);
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
        var thanks = el('p', { class: 'gb-thanks', tabindex: '-1', role: 'status', text: T.thanks });
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
          problem = el('p', { class: 'gb-feedback-error', role: 'alert', text: T.feedbackError });
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
        var ta = el('textarea', { class: 'gb-comment', rows: '3', maxlength: String(MAX_CHARS), 'aria-label': T.commentLabel, placeholder: T.commentPlaceholder });
        var send = el('button', { type: 'button', class: 'gb-comment-send gb-btn gb-btn-primary', text: T.sendComment });
        var skip = el('button', { type: 'button', class: 'gb-comment-skip gb-btn gb-btn-secondary', text: T.skip });
        send.addEventListener('click', function () { submit('down', ta.value.trim()); });
        skip.addEventListener('click', function () { submit('down'); });
        commentBox = el('div', { class: 'gb-comment-box' }, [ta, el('div', { class: 'gb-comment-actions' }, [send, skip])]);
        box.appendChild(commentBox);
        ta.focus();
        commentBox.scrollIntoView({ block: 'nearest' });
      });
      return box;
    }

    // --------------------------------------------------- conversation flow
    async function ask(question) {
      question = String(question || '').trim();
      if (!question || state.busy) return;
      if (question.length > MAX_CHARS) { showFormError(T.errTooLong); return; }
      showFormError('');
      state.busy = true;
      updateSend();
      var userNode = addUserMessage(question);
      examples.hidden = true;
      var view = addBotMessage();
      scrollToEnd(true);
      var controller = new AbortController();
      state.controller = controller;
      try {
        var final = await streamAnswer(question, view, controller.signal);
        if (controller.signal.aborted) return;
        var record = { question: question, answer: cleanAnswer(final), feedback: null };
        if (record.answer.conversation_id) state.conversationId = record.answer.conversation_id;
        state.messages.push(record);
        save();
        view.finish(record);
        scrollToEnd(false);
      } catch (err) {
        if (controller.signal.aborted || !(err instanceof WidgetError) || err.kind === 'abort') {
          if (!controller.signal.aborted) view.fail(new WidgetError('server'), function () {});
          return;
        }
        // Keep the question at hand: back in the empty input, and a retry button on the message.
        if (!input.value.trim()) { input.value = question; autoGrow(); }
        view.fail(err, function () {
          if (state.busy) return;
          if (input.value.trim() === question) { input.value = ''; autoGrow(); }
          userNode.remove();
          view.node.remove();
          ask(question);
        });
        scrollToEnd(false);
      } finally {
        if (state.controller === controller) {
          state.controller = null;
          state.busy = false;
          updateSend();
        }
      }
    }

    function newConversation() {
      if (state.controller) state.controller.abort();
      state.controller = null;
      state.busy = false;
      state.conversationId = null;
      state.messages = [];
      log.textContent = '';
      showFormError('');
      save();
      ui.renderExamples();
      updateSend();
      input.focus();
    }

    function submitForm() {
      var q = input.value.trim();
      if (state.busy || !q) return;
      input.value = '';
      autoGrow();
      ask(q);
    }

    // ---------------------------------------------------------- events
    launcher.addEventListener('click', function () { setOpen(!state.open, true); });
    closeBtn.addEventListener('click', function () { setOpen(false, true); });
    newBtn.addEventListener('click', newConversation);
    form.addEventListener('submit', function (e) { e.preventDefault(); submitForm(); });
    input.addEventListener('input', function () { updateSend(); autoGrow(); showFormError(''); });
    input.addEventListener('keydown', function (e) {
      // Enter sends; Shift+Enter is a newline; never interrupt an IME composition.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submitForm();
      }
    });
    shadow.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && state.open) {
        e.preventDefault();
        e.stopPropagation();
        setOpen(false, true);
      }
    });

    // ------------------------------------------------- restore session
    state.messages.forEach(function (record) {
      addUserMessage(record.question);
      var view = addBotMessage();
      view.finish(record);
    });
    ui.renderExamples();
    updateSend();
    if (state.open) setOpen(true, false); // reopened after a reload, without stealing the page's focus

    ui.open = function () { setOpen(true, true); };
    ui.close = function () { setOpen(false, true); };
    ui.reset = newConversation;
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

  function cleanStoredAnswers() {
    load();
    state.messages = state.messages.map(function (m) {
      var f = m.feedback === 'up' || m.feedback === 'down' ? m.feedback : null;
      return { question: m.question.slice(0, MAX_CHARS), answer: cleanAnswer(m.answer), feedback: f };
    });
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
