/*
 * guidebot adviser console: plain JavaScript, no build step, no dependencies.
 *
 * One script for every console page. <body data-mode="login"> (login.html) runs the login form;
 * any other page (index.html) is the app shell: the script asks GET /api/console/me, draws the
 * navigation the user's permissions allow, then fills <main> according to location.pathname.
 * The HTTP contract is docs/console-api.md.
 *
 * Safe rendering: member questions, answers, corpus passages, comments and audit details are
 * untrusted. They reach the DOM only through textContent / createTextNode, or setAttribute on
 * attributes chosen here (an href only after an http(s) check, or a /console path built here).
 * No HTML string is ever parsed.
 */
(function () {
  'use strict';

  // ================================================================ strings (French UI)
  var S = {
    product: 'guidebot — console',
    titleSuffix: ' — guidebot console',
    loading: 'Chargement…',
    dash: '—',
    yes: 'oui',
    no: 'non',
    none: 'aucun',
    navLabel: 'Navigation principale',
    nav: {
      view: 'Conversations',
      preview: 'Aperçu de la recherche',
      gaps: 'Lacunes du contenu',
      status: 'État du corpus',
      audit: 'Journal d\u2019audit'
    },
    roles: { adviser: 'conseiller', editor: 'éditeur', admin: 'administrateur' },
    logout: 'Se déconnecter',
    loggedInAs: 'Connecté : ',
    accessDenied: 'Accès refusé',
    accessDeniedHelp: 'Votre rôle ne permet pas d\u2019ouvrir cette page.',
    notFound: 'Page introuvable',
    notFoundHelp: 'Cette adresse ne correspond à aucune page de la console.',
    errNetwork: 'Connexion impossible au serveur. Vérifiez votre réseau et réessayez.',
    errServer: function (status) { return 'Une erreur est survenue (HTTP ' + status + '). Réessayez.'; },
    errCsrf: 'Votre session a changé. Rechargez la page puis réessayez.',
    errNotFound: 'Élément introuvable.',

    // login
    loginInvalid: 'E-mail ou mot de passe incorrect.',
    loginLocked: function (minutes) {
      return 'Trop de tentatives : connexion bloquée. Réessayez dans ' + minutes +
        (minutes > 1 ? ' minutes.' : ' minute.');
    },
    loginLockedNoDelay: 'Trop de tentatives : connexion bloquée. Réessayez plus tard.',
    loginMissing: 'Indiquez votre e-mail et votre mot de passe.',
    loginBusy: 'Connexion…',

    // shared widgets
    filter: 'Filtrer',
    reset: 'Réinitialiser',
    prev: 'Précédent',
    next: 'Suivant',
    pagerLabel: 'Pagination',
    pageInfo: function (page, pages, total, noun) { return 'page ' + page + ' / ' + pages + ' (' + total + ' ' + noun + ')'; },
    all: 'Tous',
    allF: 'Toutes',
    since: 'Depuis le',
    until: 'Jusqu\u2019au (inclus)',
    scrollRegion: function (name) { return name + ' (défilement horizontal)'; },

    // conversations list
    convTitle: 'Conversations',
    filtersLabel: 'Filtres des conversations',
    fRefused: 'Réponse',
    fRefusedOpts: [['', 'Tous'], ['true', 'Refusées'], ['false', 'Répondues']],
    fFeedback: 'Avis du membre',
    fFeedbackOpts: [['', 'Tous'], ['down', '👎 négatif'], ['up', '👍 positif']],
    fLanguage: 'Langue',
    fLanguageOpts: [['', 'Toutes'], ['fr', 'fr'], ['nl', 'nl'], ['en', 'en']],
    fTool: 'Outil',
    fToolOpts: [['', 'Tous'], ['3en1', '3en1'], ['activite', 'Activité']],
    fReviewed: 'Relue',
    fReviewedOpts: [['', 'Toutes'], ['true', 'Oui'], ['false', 'Non']],
    fQ: 'Texte (questions et réponses)',
    convCaption: 'Conversations, les plus récentes d\u2019abord',
    colDate: 'Date',
    colLanguage: 'Langue',
    colFirstQuestion: 'Première question',
    colMessages: 'Messages',
    colFlags: 'Indicateurs',
    colTools: 'Outils',
    convNoun: 'conversations',
    convEmpty: 'Aucune conversation ne correspond à ces filtres.',
    noQuestion: '(sans question)',
    badgeRefused: 'refusée',
    badgeDown: '👎',
    badgeDownLabel: 'avis négatif',
    badgeUp: '👍',
    badgeUpLabel: 'avis positif',
    badgeReviewed: 'relue',

    // conversation view
    back: '← Retour aux conversations',
    convViewTitle: 'Conversation',
    createdAt: 'Créée le',
    updatedAt: 'Dernière activité',
    messageHeading: function (i, n) { return 'Message ' + i + ' / ' + n; },
    question: 'Question',
    rewritten: 'Requête réécrite : ',
    mLanguage: 'Langue',
    mWriter: 'Rédacteur',
    mLatency: 'Latence',
    ms: function (v) { return v + ' ms'; },
    mTool: 'Outil',
    mRefused: 'Refusée',
    answer: 'Réponse',
    noAnswer: '(pas de réponse)',
    citations: 'Sources citées',
    noCitations: 'Aucune source citée.',
    passages: 'Passages retrouvés',
    noPassages: 'Aucun passage.',
    passagesCaption: 'Passages retrouvés ; les passages cités sont marqués « cité ».',
    colRank: 'Rang',
    colDoc: 'Document',
    colTitleSection: 'Titre / section',
    colTitle: 'Titre',
    colSection: 'Section',
    colLang: 'Langue',
    colFused: 'Score fusionné',
    colDense: 'Dense (score / rang)',
    colLexical: 'Lexical (score / rang)',
    colText: 'Texte',
    cited: 'cité',
    rankOf: function (r) { return 'rang ' + r; },
    gate: 'Filtre de refus (indicateurs)',
    noGate: 'Aucun indicateur.',
    feedback: 'Avis du membre',
    noFeedback: 'Aucun avis.',
    ratingUp: '👍 positif',
    ratingDown: '👎 négatif',
    review: 'Revue',
    noReview: 'Pas encore relue.',
    verdict: 'Verdict',
    verdicts: { correct: 'Correcte', incorrect: 'Incorrecte', incomplete: 'Incomplète' },
    correctedAnswer: 'Réponse corrigée',
    expectedDocs: 'Sources à citer',
    expectedDocsHelp: 'Identifiants de documents séparés par des virgules. Tapez quelques lettres pour des suggestions.',
    suggestionsLabel: 'Suggestions de documents',
    suggestionsCount: function (n) { return n ? n + ' suggestion' + (n > 1 ? 's' : '') + ' de documents' : 'Aucun document trouvé'; },
    addDoc: function (id, title) { return 'Ajouter ' + id + (title ? ' — ' + title : ''); },
    note: 'Note',
    reviewedBy: function (who, when) { return 'Relue par ' + (who || '?') + ' le ' + when; },
    saveReview: 'Enregistrer la revue',
    reviewFormTitle: 'Relire cette réponse',
    reviewSaved: 'Revue enregistrée',
    chooseVerdict: 'Choisissez un verdict.',
    saving: 'Enregistrement…',

    // preview
    previewTitle: 'Aperçu de la recherche',
    previewIntro: 'Teste une question contre l\u2019index servi, sans rien enregistrer.',
    previewQuestion: 'Question',
    previewLanguage: 'Langue',
    previewLangOpts: [['', 'auto'], ['fr', 'fr'], ['nl', 'nl'], ['en', 'en']],
    test: 'Tester',
    testing: 'Recherche…',
    decisionAnswer: 'Répondrait',
    decisionRefuse: function (reason) { return 'Refuserait : ' + reason; },
    decision: 'Décision',
    pQuery: 'Requête',
    pLanguage: 'Langue détectée',
    pRetrievalLang: 'Langue de recherche',
    pLatency: 'Latence',
    pBuild: 'Index',
    features: 'Indicateurs',
    thresholds: 'Seuils',
    gateCompare: 'Filtre de refus : indicateurs et seuils',
    passageText: 'Voir le passage',
    previewEmptyQuestion: 'Écrivez une question.',

    // gaps
    gapsTitle: 'Lacunes du contenu',
    gapsFilters: 'Période',
    gapsMinCount: 'Questions par groupe (minimum)',
    gapsCsv: 'Télécharger en CSV',
    gapsTotal: function (n, g) { return n + ' question' + (n > 1 ? 's' : '') + ' sans bonne réponse, en ' + g + ' groupe' + (g > 1 ? 's' : '') + '.'; },
    gapsEmpty: 'Aucune lacune sur cette période.',
    gapHeading: function (i, n) { return 'Groupe ' + i + ' — ' + n + ' question' + (n > 1 ? 's' : ''); },
    gapLanguages: 'Langues',
    gapReasons: 'Motifs',
    gapExamples: 'Exemples de questions',
    gapClosest: 'Passages les plus proches',
    gapClosestCaption: 'Passages les plus proches de ce groupe',
    colScore: 'Score',
    openConversation: 'ouvrir la conversation',

    // status
    statusTitle: 'État du corpus',
    sIndex: 'Index',
    sBuildId: 'Build',
    sServing: 'Build servi',
    sBuiltAt: 'Construit le',
    sEmbedder: 'Modèle d\u2019embedding',
    sDocuments: 'Documents',
    sChunks: 'Passages (chunks)',
    sByLang: 'Par langue',
    sBySource: 'Par source',
    sBuildSeconds: 'Durée de construction',
    seconds: function (v) { return v + ' s'; },
    sServingMismatch: 'Attention : le build servi diffère du dernier build construit.',
    sChanges: 'Dernière réindexation',
    sNoChanges: 'Aucune information de réindexation.',
    sAdded: 'Ajoutés',
    sChanged: 'Modifiés',
    sRemoved: 'Supprimés',
    sKept: 'Conservés après une erreur',
    sEmbedded: 'Passages calculés (embedded)',
    sReused: 'Passages réutilisés',
    sErrors: 'Erreurs',
    sNoErrors: 'Aucune erreur.',

    // audit
    auditTitle: 'Journal d\u2019audit',
    auditFilters: 'Filtre du journal',
    auditAction: 'Action',
    auditCaption: 'Journal d\u2019audit, le plus récent d\u2019abord',
    colUser: 'Utilisateur',
    colAction: 'Action',
    colTarget: 'Cible',
    colDetail: 'Détail',
    auditNoun: 'entrées',
    auditEmpty: 'Aucune entrée.',

    // reasons (gate and gaps)
    reasons: {
      answered: 'répondu',
      instruction: 'instruction injectée',
      account: 'question sur un compte personnel',
      no_passages: 'aucun passage trouvé',
      figure_not_found: 'chiffre absent des passages',
      terms_not_covered: 'termes clés non couverts',
      low_similarity: 'similarité trop faible',
      refused: 'refusée',
      thumbs_down: 'avis négatif 👎',
      low_confidence: 'faible confiance'
    }
  };

  // ================================================================ utilities
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

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  // Only absolute http(s) URLs become an href: no javascript:, data:, or relative tricks.
  function safeUrl(u) {
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

  function externalLink(url, text, className) {
    var href = safeUrl(url);
    if (!href) return el('span', { class: className, text: text });
    return el('a', { class: className, href: href, target: '_blank', rel: 'noopener noreferrer', text: text });
  }

  function consoleLink(path, text, className) {
    // path is always built here from constants and encodeURIComponent'd ids
    return el('a', { class: className, href: path, text: text });
  }

  function parseJson(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function isBlank(v) { return v === null || v === undefined || (typeof v === 'string' && v.trim() === ''); }

  function str(v) { return isBlank(v) ? S.dash : String(v); }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  // The store keeps UTC; an ISO timestamp without an offset is read as UTC.
  function parseDate(v) {
    if (isBlank(v)) return null;
    var s = String(v).trim();
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = s.replace(' ', 'T') + 'Z';
    else if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(s)) s = s.replace(' ', 'T');
    var d = new Date(s);
    return isNaN(d.getTime()) ? null : d;
  }

  function fmtDate(v) {
    if (isBlank(v)) return S.dash;
    if (/^\d{4}-\d{2}-\d{2}$/.test(String(v).trim())) return String(v).trim();
    var d = parseDate(v);
    if (!d) return String(v);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
      pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  function timeEl(v) {
    var d = parseDate(v);
    return el('time', { datetime: d ? d.toISOString() : null, text: fmtDate(v) });
  }

  function fmtScore(v) {
    if (v === null || v === undefined || v === '') return S.dash;
    if (typeof v === 'number' && isFinite(v)) return Number.isInteger(v) ? String(v) : v.toFixed(3);
    return String(v);
  }

  function fmtValue(v) {
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

  function fmtCounts(obj) {
    if (!obj || typeof obj !== 'object') return S.dash;
    var keys = Object.keys(obj);
    if (!keys.length) return S.dash;
    return keys.map(function (k) { return k + ' : ' + fmtValue(obj[k]); }).join(', ');
  }

  function reasonText(code) {
    if (isBlank(code)) return S.dash;
    var label = Object.prototype.hasOwnProperty.call(S.reasons, code) ? S.reasons[code] : null;
    return label ? label + ' (' + code + ')' : String(code);
  }

  // A definition list from [label, value-or-node] pairs.
  function defList(pairs, className) {
    var dl = el('dl', { class: className || 'kv' });
    pairs.forEach(function (p) {
      if (!p) return;
      var v = p[1];
      dl.appendChild(el('dt', { text: p[0] }));
      dl.appendChild(el('dd', null, [v instanceof Node ? v : str(v)]));
    });
    return dl;
  }

  function para(text, className, attrs) {
    var a = attrs || {};
    a.class = className;
    a.text = text;
    return el('p', a);
  }

  function th(text, scope) { return el('th', { scope: scope || 'col', text: text }); }

  function tableWrap(table, label) {
    // a focusable scroll container, so keyboard users can scroll wide tables
    return el('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': S.scrollRegion(label) }, [table]);
  }

  function selectField(name, label, options, id) {
    var sid = id || 'f-' + name;
    var select = el('select', { id: sid, name: name });
    options.forEach(function (o) { select.appendChild(el('option', { value: o[0], text: o[1] })); });
    return el('div', { class: 'field' }, [el('label', { for: sid, text: label }), select]);
  }

  function inputField(name, label, type, id, extra) {
    var iid = id || 'f-' + name;
    var attrs = { id: iid, name: name, type: type || 'text' };
    Object.keys(extra || {}).forEach(function (k) { attrs[k] = extra[k]; });
    return el('div', { class: 'field' }, [el('label', { for: iid, text: label }), el('input', attrs)]);
  }

  function setTitle(t) { document.title = t + S.titleSuffix; }

  function debounce(fn, ms) {
    var t = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(t);
      t = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  // ================================================================ HTTP
  var state = { csrf: null, user: null, perms: [], mode: 'app' };

  function errorCode(r) { return r && r.data && r.data.error && r.data.error.code ? String(r.data.error.code) : ''; }
  function errorMessage(r) { return r && r.data && r.data.error && r.data.error.message ? String(r.data.error.message) : ''; }

  function goLogin() {
    location.href = '/console/login?next=' + encodeURIComponent(location.pathname + location.search);
  }

  function request(method, path, body, opts) {
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

  function apiGet(path) { return request('GET', path); }
  function apiPost(path, body) { return request('POST', path, body); }

  function errorText(r) {
    if (!r || r.status === 0) return S.errNetwork;
    if (r.status === 403) return errorCode(r) === 'csrf_failed' ? S.errCsrf : S.accessDenied;
    if (r.status === 404) return errorMessage(r) || S.errNotFound;
    if (r.status >= 400 && r.status < 500 && errorMessage(r)) return errorMessage(r);
    return S.errServer(r.status);
  }

  function errorBox(r) {
    if (r && r.status === 403 && errorCode(r) !== 'csrf_failed') return deniedBox();
    return el('div', { class: 'alert error', role: 'alert' }, [errorText(r)]);
  }

  function deniedBox() {
    return el('div', { class: 'alert denied', role: 'alert' }, [
      el('h1', { class: 'denied-title', text: S.accessDenied }),
      para(S.accessDeniedHelp)
    ]);
  }

  function qsFrom(params) {
    var q = params.toString();
    return q ? '?' + q : '';
  }

  // ================================================================ login page
  function safeNext(raw) {
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

  function initLogin() {
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

  // ================================================================ app shell
  var PAGES = [
    { perm: 'view', path: '/console', label: S.nav.view },
    { perm: 'preview', path: '/console/preview', label: S.nav.preview },
    { perm: 'gaps', path: '/console/gaps', label: S.nav.gaps },
    { perm: 'status', path: '/console/status', label: S.nav.status },
    { perm: 'audit', path: '/console/audit', label: S.nav.audit }
  ];

  function can(p) { return state.perms.indexOf(p) !== -1; }

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

  function initApp() {
    var main = document.getElementById('main');
    if (!main) return;
    request('GET', '/api/console/me').then(function (r) {
      main.removeAttribute('aria-busy');
      if (r.status === 403) { clear(main).appendChild(deniedBox()); setTitle(S.accessDenied); return; }
      if (!r.ok || !r.data) { clear(main).appendChild(errorBox(r)); return; }
      state.user = r.data.user || {};
      state.csrf = r.data.csrf_token || null;
      state.perms = Array.isArray(r.data.permissions) ? r.data.permissions.map(String) : [];
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

  // Shared: a pager (#pager with button.prev, .page-info, button.next).
  function makePager(onPage) {
    var prev = el('button', { type: 'button', class: 'prev secondary', text: S.prev });
    var next = el('button', { type: 'button', class: 'next secondary', text: S.next });
    var info = el('span', { class: 'page-info', 'aria-live': 'polite', tabindex: '-1' });
    var nav = el('nav', { id: 'pager', class: 'pager', 'aria-label': S.pagerLabel }, [prev, info, next]);
    var cur = { page: 1, pages: 1 };
    function go(page, btn) {
      onPage(page);
      // keep focus in the pager when the pressed button becomes disabled
      setTimeout(function () { if (btn.disabled) info.focus(); }, 0);
    }
    prev.addEventListener('click', function () { if (cur.page > 1) go(cur.page - 1, prev); });
    next.addEventListener('click', function () { if (cur.page < cur.pages) go(cur.page + 1, next); });
    return {
      node: nav,
      update: function (data, noun) {
        var perPage = Math.max(1, parseInt(data.per_page, 10) || 25);
        var total = Math.max(0, parseInt(data.total, 10) || 0);
        var page = Math.max(1, parseInt(data.page, 10) || 1);
        var pages = Math.max(1, Math.ceil(total / perPage));
        cur.page = page;
        cur.pages = pages;
        info.textContent = S.pageInfo(page, pages, total, noun);
        prev.disabled = page <= 1;
        next.disabled = page >= pages;
      }
    };
  }

  // Reads named fields of a filter form into URLSearchParams (empty values left out).
  function formParams(form, names) {
    var p = new URLSearchParams();
    names.forEach(function (n) {
      var f = form.elements[n];
      if (!f) return;
      var v = String(f.value || '').trim();
      if (v) p.set(n, v);
    });
    return p;
  }

  function fillForm(form, params, names) {
    names.forEach(function (n) {
      var f = form.elements[n];
      if (!f) return;
      var v = params.get(n) || '';
      if (f.tagName === 'SELECT') {
        var ok = Array.prototype.some.call(f.options, function (o) { return o.value === v; });
        f.value = ok ? v : '';
      } else {
        f.value = v;
      }
    });
  }

  // Wires a filtered, paginated list: URL query = filter state; pushState + reload data.
  function listController(opts) {
    // opts: form, names, load(params), pagerNoun
    var seq = 0;
    function currentParams() { return new URLSearchParams(location.search); }
    function refresh() {
      var params = currentParams();
      fillForm(opts.form, params, opts.names);
      var mine = ++seq;
      opts.load(params, function () { return mine === seq; });
    }
    function navigate(params) {
      var url = location.pathname + qsFrom(params);
      if (url !== location.pathname + location.search) history.pushState(null, '', url);
      refresh();
    }
    opts.form.addEventListener('submit', function (e) {
      e.preventDefault();
      var p = formParams(opts.form, opts.names);
      var keep = currentParams().get('per_page');
      if (keep && opts.keepPerPage) p.set('per_page', keep);
      navigate(p);
    });
    var resetBtn = opts.form.querySelector('button.reset');
    if (resetBtn) {
      resetBtn.addEventListener('click', function () {
        opts.names.forEach(function (n) { if (opts.form.elements[n]) opts.form.elements[n].value = ''; });
        navigate(new URLSearchParams());
      });
    }
    window.addEventListener('popstate', refresh);
    return {
      refresh: refresh,
      goPage: function (page) {
        var p = currentParams();
        if (page > 1) p.set('page', String(page)); else p.delete('page');
        navigate(p);
      }
    };
  }

  function filterButtons() {
    return el('div', { class: 'form-actions' }, [
      el('button', { type: 'submit', class: 'primary', text: S.filter }),
      el('button', { type: 'button', class: 'reset secondary', text: S.reset })
    ]);
  }

  // ================================================================ 1. conversations
  var CONV_FILTERS = ['refused', 'feedback', 'language', 'since', 'until', 'tool', 'reviewed', 'q'];

  function renderConversations(main) {
    setTitle(S.convTitle);
    main.appendChild(el('h1', { text: S.convTitle }));

    var form = el('form', { id: 'filters', class: 'filters', role: 'search', 'aria-label': S.filtersLabel }, [
      el('div', { class: 'fields' }, [
        selectField('refused', S.fRefused, S.fRefusedOpts),
        selectField('feedback', S.fFeedback, S.fFeedbackOpts),
        selectField('language', S.fLanguage, S.fLanguageOpts),
        inputField('since', S.since, 'date'),
        inputField('until', S.until, 'date'),
        selectField('tool', S.fTool, S.fToolOpts),
        selectField('reviewed', S.fReviewed, S.fReviewedOpts),
        inputField('q', S.fQ, 'search', null, { class: 'wide' })
      ]),
      filterButtons()
    ]);
    main.appendChild(form);

    var status = el('div', { class: 'list-status', role: 'status' });
    var tbody = el('tbody');
    var table = el('table', { id: 'conversations', class: 'data' }, [
      el('caption', { class: 'sr-only', text: S.convCaption }),
      el('thead', null, [el('tr', null, [
        th(S.colDate), th(S.colLanguage), th(S.colFirstQuestion), th(S.colMessages), th(S.colFlags), th(S.colTools)
      ])]),
      tbody
    ]);
    var ctl;
    var pager = makePager(function (page) { ctl.goPage(page); });
    main.appendChild(status);
    main.appendChild(tableWrap(table, S.convTitle));
    main.appendChild(pager.node);

    ctl = listController({
      form: form,
      names: CONV_FILTERS,
      keepPerPage: true,
      load: function (params, current) {
        var api = new URLSearchParams();
        CONV_FILTERS.concat(['page', 'per_page']).forEach(function (k) {
          var v = params.get(k);
          if (v !== null && v.trim() !== '') api.set(k, v.trim());
        });
        table.setAttribute('aria-busy', 'true');
        status.textContent = S.loading;
        apiGet('/api/console/conversations' + qsFrom(api)).then(function (r) {
          if (!current()) return;
          table.removeAttribute('aria-busy');
          clear(tbody);
          status.textContent = '';
          if (!r.ok || !r.data) { status.appendChild(errorBox(r)); pager.update({ page: 1, per_page: 25, total: 0 }, S.convNoun); return; }
          var items = Array.isArray(r.data.items) ? r.data.items : [];
          items.forEach(function (c) { tbody.appendChild(conversationRow(c)); });
          if (!items.length) {
            tbody.appendChild(el('tr', { class: 'empty' }, [el('td', { colspan: '6', text: S.convEmpty })]));
          }
          pager.update(r.data, S.convNoun);
        });
      }
    });
    ctl.refresh();
  }

  function badge(text, cls, label) {
    var b = el('span', { class: 'badge ' + cls, text: text });
    if (label) {
      b.setAttribute('title', label);
      b.appendChild(el('span', { class: 'sr-only', text: ' (' + label + ')' }));
    }
    return b;
  }

  function countOf(v) {
    if (typeof v === 'number') return v;
    return v ? 1 : 0;
  }

  function conversationRow(c) {
    var id = String(c.id);
    var q = isBlank(c.first_question) ? S.noQuestion : String(c.first_question);
    var flags = el('td', { class: 'flags' });
    if (c.refused) flags.appendChild(badge(S.badgeRefused, 'badge-refused'));
    var down = countOf(c.thumbs_down), up = countOf(c.thumbs_up);
    if (down) flags.appendChild(badge(S.badgeDown + (down > 1 ? ' ' + down : ''), 'badge-down', S.badgeDownLabel));
    if (up) flags.appendChild(badge(S.badgeUp + (up > 1 ? ' ' + up : ''), 'badge-up', S.badgeUpLabel));
    if (c.reviewed) flags.appendChild(badge(S.badgeReviewed, 'badge-reviewed'));
    var tools = Array.isArray(c.tools) ? c.tools.filter(function (t) { return !isBlank(t); }).map(String) : [];
    return el('tr', { class: 'conversation', 'data-id': id }, [
      el('td', { class: 'nowrap' }, [timeEl(c.created_at)]),
      el('td', { text: str(c.language) }),
      el('td', { class: 'first-question' }, [
        consoleLink('/console/conversations/' + encodeURIComponent(id), q, 'conversation-link')
      ]),
      el('td', { class: 'num', text: str(c.messages) }),
      flags,
      el('td', { text: tools.length ? tools.join(', ') : S.dash })
    ]);
  }

  // ================================================================ 2. conversation view
  function renderConversation(main, id) {
    setTitle(S.convViewTitle);
    main.appendChild(el('p', { class: 'back' }, [consoleLink('/console', S.back)]));
    var holder = el('div', { 'aria-busy': 'true' }, [para(S.loading)]);
    main.appendChild(holder);
    apiGet('/api/console/conversations/' + encodeURIComponent(id)).then(function (r) {
      holder.removeAttribute('aria-busy');
      clear(holder);
      if (!r.ok || !r.data) {
        holder.appendChild(el('h1', { text: S.convViewTitle }));
        holder.appendChild(errorBox(r));
        return;
      }
      var c = r.data;
      var msgs = Array.isArray(c.messages) ? c.messages : [];
      holder.appendChild(el('h1', null, [S.convViewTitle + ' ', el('span', { class: 'muted id', text: String(c.id) })]));
      holder.appendChild(defList([
        [S.createdAt, timeEl(c.created_at)],
        [S.updatedAt, timeEl(c.updated_at)],
        [S.mLanguage, c.language],
        [S.colMessages, String(msgs.length)]
      ], 'kv inline conv-meta'));
      msgs.forEach(function (m, i) { holder.appendChild(messageSection(m, i, msgs.length)); });
      if (location.hash) {
        var frag = location.hash.slice(1);
        try { frag = decodeURIComponent(frag); } catch (e) { /* keep it raw */ }
        var target = document.getElementById(frag);
        if (target) { target.classList.add('targeted'); target.scrollIntoView(); }
      }
    });
  }

  function citationList(citations) {
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
      ol.appendChild(el('li', { class: 'citation', 'data-doc-id': isBlank(c.doc_id) ? null : String(c.doc_id) }, [
        head,
        isBlank(c.snippet) ? null : el('blockquote', { class: 'snippet', text: String(c.snippet) })
      ]));
    });
    return ol;
  }

  function citedDocIds(citations) {
    var set = Object.create(null);
    citations.forEach(function (c) { if (!isBlank(c.doc_id)) set[String(c.doc_id)] = true; });
    return set;
  }

  function scoreRank(score, rank) {
    var s = fmtScore(score);
    if (rank === null || rank === undefined || rank === '') return s;
    return s + ' / ' + String(rank);
  }

  function passagesTable(passages, cited, full) {
    // full: the preview's table (separate title/section/lang/text columns)
    var head = full
      ? [th(S.colRank), th(S.colDoc), th(S.colTitle), th(S.colSection), th(S.colLang), th(S.colFused), th(S.colDense), th(S.colLexical), th(S.colText)]
      : [th(S.colRank), th(S.colDoc), th(S.colTitleSection), th(S.colFused), th(S.colDense), th(S.colLexical)];
    var tbody = el('tbody');
    passages.forEach(function (p) {
      var isCited = !isBlank(p.doc_id) && cited[String(p.doc_id)] === true;
      var rankCell = el('td', { class: 'num' }, [str(p.rank)]);
      if (isCited) rankCell.appendChild(el('span', { class: 'badge badge-cited', text: S.cited }));
      var cells = [rankCell, el('td', { class: 'doc-id', text: str(p.doc_id) })];
      if (full) {
        cells.push(el('td', null, [isBlank(p.url) ? str(p.title) : externalLink(p.url, str(p.title))]));
        cells.push(el('td', { text: str(p.section) }));
        cells.push(el('td', { text: str(p.lang) }));
      } else {
        var ts = str(p.title) + (isBlank(p.section) ? '' : ' — ' + String(p.section));
        cells.push(el('td', { text: ts }));
      }
      cells.push(el('td', { class: 'num', text: fmtScore(p.score) }));
      cells.push(el('td', { class: 'num', text: scoreRank(p.dense_score, p.dense_rank) }));
      cells.push(el('td', { class: 'num', text: scoreRank(p.lexical_score, p.lexical_rank) }));
      if (full) {
        cells.push(el('td', { class: 'passage-text-cell' }, [
          isBlank(p.text) ? S.dash : el('details', null, [
            el('summary', { text: S.passageText }),
            el('div', { class: 'passage-text', text: String(p.text) })
          ])
        ]));
      }
      tbody.appendChild(el('tr', { class: 'passage' + (isCited ? ' cited' : ''), 'data-doc-id': isBlank(p.doc_id) ? null : String(p.doc_id) }, cells));
    });
    return el('table', { class: 'data passages' }, [
      el('caption', { class: 'sr-only', text: S.passagesCaption }),
      el('thead', null, [el('tr', null, head)]),
      tbody
    ]);
  }

  function gateList(gate, skip) {
    var keys = gate && typeof gate === 'object' ? Object.keys(gate).filter(function (k) { return (skip || []).indexOf(k) === -1; }) : [];
    if (!keys.length) return para(S.noGate, 'muted');
    var dl = el('dl', { class: 'kv gate' });
    keys.forEach(function (k) {
      dl.appendChild(el('dt', null, [el('code', { text: k })]));
      dl.appendChild(el('dd', { text: k === 'reason' ? reasonText(gate[k]) : fmtValue(gate[k]) }));
    });
    return dl;
  }

  function feedbackList(items) {
    if (!items.length) return para(S.noFeedback, 'muted');
    var ul = el('ul', { class: 'feedback' });
    items.forEach(function (f) {
      var rating = f.rating === 'up' ? S.ratingUp : f.rating === 'down' ? S.ratingDown : str(f.rating);
      ul.appendChild(el('li', { class: 'feedback-item rating-' + (f.rating === 'up' ? 'up' : f.rating === 'down' ? 'down' : 'other') }, [
        el('span', { class: 'rating', text: rating }),
        ' · ', timeEl(f.created_at),
        isBlank(f.comment) ? null : el('blockquote', { class: 'comment', text: String(f.comment) })
      ]));
    });
    return ul;
  }

  function reviewView(review) {
    var box = el('div', { class: 'review-current' });
    if (!review) { box.appendChild(para(S.noReview, 'muted')); return box; }
    var v = Object.prototype.hasOwnProperty.call(S.verdicts, review.verdict) ? S.verdicts[review.verdict] : str(review.verdict);
    var docs = Array.isArray(review.expected_doc_ids) ? review.expected_doc_ids.map(String) : [];
    box.appendChild(el('p', { class: 'verdict verdict-' + String(review.verdict).replace(/[^a-z]/g, '') }, [
      el('strong', { text: S.verdict + ' : ' }), v
    ]));
    box.appendChild(defList([
      [S.correctedAnswer, isBlank(review.corrected_answer) ? S.dash : el('div', { class: 'pre', text: String(review.corrected_answer) })],
      [S.expectedDocs, docs.length ? docs.join(', ') : S.dash],
      [S.note, isBlank(review.note) ? S.dash : el('div', { class: 'pre', text: String(review.note) })]
    ]));
    box.appendChild(para(S.reviewedBy(isBlank(review.reviewer) ? '' : String(review.reviewer), fmtDate(review.created_at)), 'muted'));
    return box;
  }

  function messageSection(m, i, n) {
    var mid = String(m.id);
    var hid = 'msg-h-' + i;
    var citations = Array.isArray(m.citations) ? m.citations : [];
    var passages = Array.isArray(m.passages) ? m.passages : [];
    var feedback = Array.isArray(m.feedback) ? m.feedback : [];
    var question = isBlank(m.question) ? '' : String(m.question);
    var sec = el('section', { class: 'message' + (m.refused ? ' refused' : ''), 'data-id': mid, id: 'message-' + mid, 'aria-labelledby': hid });

    sec.appendChild(el('h2', { id: hid }, [S.messageHeading(i + 1, n) + ' ', el('span', { class: 'muted' }, [timeEl(m.created_at)])]));
    sec.appendChild(el('h3', { text: S.question }));
    sec.appendChild(el('div', { class: 'question pre', text: question || S.dash }));
    if (!isBlank(m.query) && String(m.query).trim() !== question.trim()) {
      sec.appendChild(el('p', { class: 'query' }, [el('strong', { text: S.rewritten }), String(m.query)]));
    }
    var refusedVal = m.refused ? S.yes + (isBlank(m.reason) ? '' : ' — ' + reasonText(m.reason)) : S.no;
    sec.appendChild(defList([
      [S.mLanguage, m.language],
      [S.mWriter, m.writer],
      [S.mLatency, isBlank(m.latency_ms) ? S.dash : S.ms(m.latency_ms)],
      [S.mTool, m.tool],
      [S.mRefused, el('span', { class: m.refused ? 'refused-flag' : null, text: refusedVal })]
    ], 'kv inline message-meta'));

    sec.appendChild(el('h3', { text: S.answer }));
    sec.appendChild(el('div', { class: 'answer pre', text: isBlank(m.answer) ? S.noAnswer : String(m.answer) }));

    sec.appendChild(el('h3', { text: S.citations }));
    sec.appendChild(citationList(citations));

    sec.appendChild(el('h3', { text: S.passages }));
    sec.appendChild(passages.length ? tableWrap(passagesTable(passages, citedDocIds(citations), false), S.passages) : para(S.noPassages, 'muted'));

    sec.appendChild(el('h3', { text: S.gate }));
    sec.appendChild(gateList(m.gate));

    sec.appendChild(el('h3', { text: S.feedback }));
    sec.appendChild(feedbackList(feedback));

    sec.appendChild(el('h3', { text: S.review }));
    var current = reviewView(m.review);
    sec.appendChild(current);
    if (can('review')) sec.appendChild(reviewForm(m, i, current));
    return sec;
  }

  function splitDocIds(v) {
    var seen = Object.create(null), out = [];
    String(v || '').split(/[,;\n]/).forEach(function (s) {
      var t = s.trim();
      if (t && !seen[t]) { seen[t] = true; out.push(t); }
    });
    return out;
  }

  function reviewForm(m, i, currentBox) {
    var mid = String(m.id);
    var p = 'rv-' + i + '-';
    var form = el('form', { class: 'review', 'data-message-id': mid, 'aria-labelledby': p + 'title', novalidate: true });
    form.appendChild(el('h4', { id: p + 'title', text: S.reviewFormTitle }));

    var fs = el('fieldset', { class: 'verdicts' }, [el('legend', { text: S.verdict })]);
    ['correct', 'incorrect', 'incomplete'].forEach(function (v) {
      fs.appendChild(el('span', { class: 'radio' }, [
        el('input', { type: 'radio', name: 'verdict', value: v, id: p + v }),
        el('label', { for: p + v, text: S.verdicts[v] })
      ]));
    });
    form.appendChild(fs);

    form.appendChild(el('div', { class: 'field' }, [
      el('label', { for: p + 'corrected', text: S.correctedAnswer }),
      el('textarea', { id: p + 'corrected', name: 'corrected_answer', rows: '5' })
    ]));

    var docInput = el('input', {
      id: p + 'docs', name: 'expected_doc_ids', type: 'text', autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': p + 'docs-help'
    });
    var sugStatus = el('p', { class: 'sr-only', role: 'status', id: p + 'docs-status' });
    var sugList = el('ul', { class: 'doc-suggestions', id: p + 'docs-list', 'aria-label': S.suggestionsLabel });
    form.appendChild(el('div', { class: 'field' }, [
      el('label', { for: p + 'docs', text: S.expectedDocs }),
      docInput,
      el('p', { class: 'help', id: p + 'docs-help', text: S.expectedDocsHelp }),
      sugList, sugStatus
    ]));
    wireDocSuggestions(docInput, sugList, sugStatus);

    form.appendChild(el('div', { class: 'field' }, [
      el('label', { for: p + 'note', text: S.note }),
      el('textarea', { id: p + 'note', name: 'note', rows: '3' })
    ]));

    var saved = el('p', { class: 'review-saved', role: 'status' });
    var error = el('p', { class: 'review-error', role: 'alert' });
    var submit = el('button', { type: 'submit', class: 'primary', text: S.saveReview });
    form.appendChild(el('div', { class: 'form-actions' }, [submit]));
    form.appendChild(saved);
    form.appendChild(error);

    function prefill(review) {
      if (!review) return;
      Array.prototype.forEach.call(form.querySelectorAll('input[name="verdict"]'), function (r) { r.checked = r.value === review.verdict; });
      form.elements.corrected_answer.value = isBlank(review.corrected_answer) ? '' : String(review.corrected_answer);
      form.elements.expected_doc_ids.value = Array.isArray(review.expected_doc_ids) ? review.expected_doc_ids.map(String).join(', ') : '';
      form.elements.note.value = isBlank(review.note) ? '' : String(review.note);
    }
    prefill(m.review);

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      saved.textContent = '';
      error.textContent = '';
      var checked = form.querySelector('input[name="verdict"]:checked');
      if (!checked) {
        error.textContent = S.chooseVerdict;
        form.querySelector('input[name="verdict"]').focus();
        return;
      }
      var corrected = form.elements.corrected_answer.value;
      var note = form.elements.note.value;
      var body = {
        verdict: checked.value,
        corrected_answer: corrected.trim() ? corrected : null,
        expected_doc_ids: splitDocIds(form.elements.expected_doc_ids.value),
        note: note.trim() ? note : null
      };
      submit.disabled = true;
      submit.textContent = S.saving;
      apiPost('/api/console/messages/' + encodeURIComponent(mid) + '/review', body).then(function (r) {
        submit.disabled = false;
        submit.textContent = S.saveReview;
        if (r.ok && r.data) {
          var fresh = reviewView(r.data);
          currentBox.parentNode.replaceChild(fresh, currentBox);
          currentBox = fresh;
          prefill(r.data);
          clear(sugList);
          saved.textContent = S.reviewSaved;
        } else if (r.status === 422) {
          error.textContent = errorMessage(r) || S.errServer(422);
        } else {
          error.textContent = errorText(r);
        }
      });
    });
    return form;
  }

  // Suggestions for the last doc id being typed, from GET /api/console/documents?q=
  function wireDocSuggestions(input, list, status) {
    var seq = 0;
    function lastToken() {
      var v = input.value;
      var cut = Math.max(v.lastIndexOf(','), v.lastIndexOf(';'));
      return v.slice(cut + 1).trim();
    }
    function choose(docId) {
      var v = input.value;
      var cut = Math.max(v.lastIndexOf(','), v.lastIndexOf(';'));
      var before = cut === -1 ? [] : splitDocIds(v.slice(0, cut));
      if (before.indexOf(docId) === -1) before.push(docId);
      input.value = before.join(', ') + ', ';
      clear(list);
      status.textContent = '';
      input.focus();
    }
    var lookup = debounce(function () {
      var q = lastToken();
      var mine = ++seq;
      if (q.length < 2) { clear(list); status.textContent = ''; return; }
      apiGet('/api/console/documents?q=' + encodeURIComponent(q)).then(function (r) {
        if (mine !== seq) return;
        clear(list);
        if (!r.ok || !r.data) { status.textContent = errorText(r); return; }
        var items = (Array.isArray(r.data.items) ? r.data.items : []).filter(function (d) { return !isBlank(d.doc_id); }).slice(0, 8);
        items.forEach(function (d) {
          var docId = String(d.doc_id);
          var title = isBlank(d.title) ? '' : String(d.title);
          var b = el('button', { type: 'button', class: 'doc-suggestion link-button', 'data-doc-id': docId, 'aria-label': S.addDoc(docId, title) }, [
            el('span', { class: 'doc-id', text: docId }),
            title ? ' — ' + title : null,
            isBlank(d.lang) ? null : el('span', { class: 'muted', text: ' (' + String(d.lang) + ')' })
          ]);
          b.addEventListener('click', function () { choose(docId); });
          list.appendChild(el('li', null, [b]));
        });
        status.textContent = S.suggestionsCount(items.length);
      });
    }, 250);
    input.addEventListener('input', lookup);
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { clear(list); status.textContent = ''; }
      if (e.key === 'ArrowDown' && list.firstChild) { e.preventDefault(); list.querySelector('button').focus(); }
    });
    list.addEventListener('keydown', function (e) {
      var btns = Array.prototype.slice.call(list.querySelectorAll('button'));
      var idx = btns.indexOf(document.activeElement);
      if (idx === -1) return;
      if (e.key === 'ArrowDown' && idx < btns.length - 1) { e.preventDefault(); btns[idx + 1].focus(); }
      if (e.key === 'ArrowUp') { e.preventDefault(); (idx > 0 ? btns[idx - 1] : input).focus(); }
      if (e.key === 'Escape') { clear(list); input.focus(); }
    });
  }

  // ================================================================ 3. retrieval preview
  function renderPreview(main) {
    setTitle(S.previewTitle);
    main.appendChild(el('h1', { text: S.previewTitle }));
    main.appendChild(para(S.previewIntro, 'muted'));
    var button = el('button', { type: 'submit', class: 'primary', text: S.test });
    var form = el('form', { id: 'preview-form', class: 'filters', novalidate: true }, [
      el('div', { class: 'field wide' }, [
        el('label', { for: 'preview-question', text: S.previewQuestion }),
        el('textarea', { id: 'preview-question', name: 'question', rows: '3', maxlength: '2000' })
      ]),
      el('div', { class: 'fields' }, [selectField('language', S.previewLanguage, S.previewLangOpts, 'preview-language')]),
      el('div', { class: 'form-actions' }, [button])
    ]);
    var error = el('div', { class: 'form-error', role: 'alert' });
    var result = el('div', { id: 'preview-result', 'aria-live': 'polite' });
    main.appendChild(form);
    main.appendChild(error);
    main.appendChild(result);

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var q = form.elements.question.value;
      clear(error);
      if (!q.trim()) { error.textContent = S.previewEmptyQuestion; form.elements.question.focus(); return; }
      var lang = form.elements.language.value || null;
      button.disabled = true;
      button.textContent = S.testing;
      result.setAttribute('aria-busy', 'true');
      apiPost('/api/console/preview', { question: q, language: lang }).then(function (r) {
        button.disabled = false;
        button.textContent = S.test;
        result.removeAttribute('aria-busy');
        clear(result);
        if (!r.ok || !r.data) { error.appendChild(errorBox(r)); return; }
        drawPreview(result, r.data);
      });
    });
  }

  function drawPreview(box, d) {
    var gate = d.gate && typeof d.gate === 'object' ? d.gate : {};
    var refused = d.refused === true || gate.answer === false;
    var reason = !isBlank(d.reason) ? String(d.reason) : (!isBlank(gate.reason) ? String(gate.reason) : '?');
    box.appendChild(el('h2', { text: S.decision }));
    box.appendChild(el('p', {
      id: 'preview-decision', class: 'decision ' + (refused ? 'decision-refuse' : 'decision-answer'),
      'data-refused': refused ? 'true' : 'false',
      text: refused ? S.decisionRefuse(reason) : S.decisionAnswer
    }));
    if (refused && Object.prototype.hasOwnProperty.call(S.reasons, reason)) {
      box.appendChild(para(S.reasons[reason], 'muted', { id: 'preview-reason-help' }));
    }
    box.appendChild(defList([
      [S.pQuery, d.query],
      [S.pLanguage, d.language],
      [S.pRetrievalLang, d.retrieval_lang],
      [S.pLatency, isBlank(d.latency_ms) ? S.dash : S.ms(d.latency_ms)],
      [S.pBuild, d.index_build]
    ], 'kv inline'));

    box.appendChild(el('h2', { text: S.gateCompare }));
    var thresholds = gate.thresholds && typeof gate.thresholds === 'object' ? gate.thresholds : {};
    var feats = gateList(gate, ['thresholds', 'answer', 'reason']);
    feats.id = 'preview-features';
    var thr = gateList(thresholds);
    thr.id = 'preview-thresholds';
    box.appendChild(el('div', { class: 'side-by-side', id: 'preview-gate' }, [
      el('section', { class: 'panel', 'aria-labelledby': 'pg-f' }, [el('h3', { id: 'pg-f', text: S.features }), feats]),
      el('section', { class: 'panel', 'aria-labelledby': 'pg-t' }, [el('h3', { id: 'pg-t', text: S.thresholds }), thr])
    ]));

    var citations = Array.isArray(d.citations) ? d.citations : [];
    box.appendChild(el('h2', { text: S.answer }));
    box.appendChild(el('div', { id: 'preview-answer', class: 'answer pre', text: isBlank(d.answer) ? S.noAnswer : String(d.answer) }));
    box.appendChild(el('h3', { text: S.citations }));
    var cl = citationList(citations);
    cl.id = 'preview-citations';
    box.appendChild(cl);

    var passages = Array.isArray(d.passages) ? d.passages : [];
    box.appendChild(el('h2', { text: S.passages }));
    var table = passagesTable(passages, citedDocIds(citations), true);
    table.id = 'preview-passages';
    box.appendChild(tableWrap(table, S.passages));
    if (!passages.length) box.appendChild(para(S.noPassages, 'muted'));
  }

  // ================================================================ 4. content gaps
  var GAP_FILTERS = ['since', 'until', 'min_count'];

  function renderGaps(main) {
    setTitle(S.gapsTitle);
    main.appendChild(el('h1', { text: S.gapsTitle }));
    var form = el('form', { id: 'gaps-filters', class: 'filters', 'aria-label': S.gapsFilters }, [
      el('div', { class: 'fields' }, [
        inputField('since', S.since, 'date', 'g-since'),
        inputField('until', S.until, 'date', 'g-until'),
        inputField('min_count', S.gapsMinCount, 'number', 'g-min', { min: '1', step: '1', inputmode: 'numeric' })
      ]),
      filterButtons()
    ]);
    var csv = el('a', { id: 'gaps-csv', class: 'button secondary', href: '/api/console/gaps.csv', download: '', text: S.gapsCsv });
    var total = el('p', { id: 'gaps-total', role: 'status' });
    var groups = el('div', { id: 'gaps', class: 'gap-groups' });
    main.appendChild(form);
    main.appendChild(el('p', { class: 'toolbar' }, [csv]));
    main.appendChild(total);
    main.appendChild(groups);

    var ctl = listController({
      form: form,
      names: GAP_FILTERS,
      load: function (params, current) {
        var api = new URLSearchParams();
        GAP_FILTERS.forEach(function (k) {
          var v = params.get(k);
          if (v && v.trim()) api.set(k, v.trim());
        });
        csv.setAttribute('href', '/api/console/gaps.csv' + qsFrom(api));
        groups.setAttribute('aria-busy', 'true');
        total.textContent = S.loading;
        apiGet('/api/console/gaps' + qsFrom(api)).then(function (r) {
          if (!current()) return;
          groups.removeAttribute('aria-busy');
          clear(groups);
          total.textContent = '';
          if (!r.ok || !r.data) { groups.appendChild(errorBox(r)); return; }
          var list = Array.isArray(r.data.groups) ? r.data.groups : [];
          var n = parseInt(r.data.total_questions, 10) || 0;
          total.setAttribute('data-total', String(n));
          total.textContent = S.gapsTotal(n, list.length);
          if (!list.length) { groups.appendChild(para(S.gapsEmpty, 'muted')); return; }
          list.forEach(function (g, i) { groups.appendChild(gapGroup(g, i)); });
        });
      }
    });
    ctl.refresh();
  }

  function gapGroup(g, i) {
    var count = parseInt(g.count, 10) || 0;
    var hid = 'gap-h-' + i;
    var art = el('article', { class: 'gap-group', 'data-count': String(count), 'data-id': isBlank(g.id) ? null : String(g.id), 'aria-labelledby': hid });
    art.appendChild(el('h2', { id: hid, text: S.gapHeading(i + 1, count) }));

    var reasons = g.reasons && typeof g.reasons === 'object' ? g.reasons : {};
    var rl = el('ul', { class: 'reasons inline-list' });
    Object.keys(reasons).forEach(function (k) {
      rl.appendChild(el('li', { 'data-reason': k, text: (Object.prototype.hasOwnProperty.call(S.reasons, k) ? S.reasons[k] : k) + ' : ' + fmtValue(reasons[k]) }));
    });
    art.appendChild(defList([
      [S.gapLanguages, el('span', { class: 'languages', text: fmtCounts(g.languages) })],
      [S.gapReasons, Object.keys(reasons).length ? rl : S.dash]
    ], 'kv inline'));

    var examples = Array.isArray(g.examples) ? g.examples : [];
    art.appendChild(el('h3', { text: S.gapExamples }));
    var ul = el('ul', { class: 'examples' });
    examples.forEach(function (ex) {
      var li = el('li', { class: 'example' }, [el('span', { class: 'example-question pre', text: isBlank(ex.question) ? S.dash : String(ex.question) })]);
      var meta = el('span', { class: 'muted example-meta' }, [' · ', timeEl(ex.created_at)]);
      if (!isBlank(ex.reason)) meta.appendChild(document.createTextNode(' · ' + reasonText(ex.reason)));
      if (!isBlank(ex.conversation_id)) {
        var href = '/console/conversations/' + encodeURIComponent(String(ex.conversation_id)) +
          (isBlank(ex.message_id) ? '' : '#message-' + encodeURIComponent(String(ex.message_id)));
        meta.appendChild(document.createTextNode(' · '));
        meta.appendChild(consoleLink(href, S.openConversation, 'example-link'));
      }
      li.appendChild(meta);
      ul.appendChild(li);
    });
    art.appendChild(examples.length ? ul : para(S.dash));

    var closest = Array.isArray(g.closest_passages) ? g.closest_passages : [];
    art.appendChild(el('h3', { text: S.gapClosest }));
    if (!closest.length) {
      art.appendChild(para(S.noPassages, 'muted'));
    } else {
      var tbody = el('tbody');
      closest.forEach(function (p) {
        tbody.appendChild(el('tr', null, [
          el('td', { class: 'doc-id', text: str(p.doc_id) }),
          el('td', { text: str(p.title) }),
          el('td', { text: str(p.section) }),
          el('td', { class: 'num', text: fmtScore(p.score) })
        ]));
      });
      art.appendChild(tableWrap(el('table', { class: 'data closest' }, [
        el('caption', { class: 'sr-only', text: S.gapClosestCaption }),
        el('thead', null, [el('tr', null, [th(S.colDoc), th(S.colTitle), th(S.colSection), th(S.colScore)])]),
        tbody
      ]), S.gapClosest));
    }
    return art;
  }

  // ================================================================ 5. corpus status
  function renderStatus(main) {
    setTitle(S.statusTitle);
    main.appendChild(el('h1', { text: S.statusTitle }));
    var box = el('div', { id: 'status', 'aria-busy': 'true' }, [para(S.loading)]);
    main.appendChild(box);
    apiGet('/api/console/status').then(function (r) {
      box.removeAttribute('aria-busy');
      clear(box);
      if (!r.ok || !r.data) { box.appendChild(errorBox(r)); return; }
      var d = r.data;
      var ix = d.index && typeof d.index === 'object' ? d.index : {};
      box.appendChild(el('h2', { text: S.sIndex }));
      if (!isBlank(d.serving_build) && !isBlank(ix.build_id) && String(d.serving_build) !== String(ix.build_id)) {
        box.appendChild(el('p', { class: 'alert warning', role: 'note', text: S.sServingMismatch }));
      }
      box.appendChild(defList([
        [S.sBuildId, el('span', { id: 'status-build-id', text: str(ix.build_id) })],
        [S.sServing, el('span', { id: 'status-serving-build', text: str(d.serving_build) })],
        [S.sBuiltAt, timeEl(ix.built_at)],
        [S.sEmbedder, el('span', { id: 'status-embedder', text: str(ix.embedder) })],
        [S.sDocuments, el('span', { id: 'status-documents', text: str(ix.documents) })],
        [S.sChunks, el('span', { id: 'status-chunks', text: str(ix.chunks) })],
        [S.sByLang, el('span', { id: 'status-by-lang', text: fmtCounts(ix.by_lang) })],
        [S.sBySource, el('span', { id: 'status-by-source', text: fmtCounts(ix.by_source) })],
        [S.sBuildSeconds, isBlank(ix.build_seconds) ? S.dash : S.seconds(fmtScore(ix.build_seconds))]
      ], 'kv status-index'));

      box.appendChild(el('h2', { text: S.sChanges }));
      var ch = d.changes && typeof d.changes === 'object' ? d.changes : null;
      if (!ch) box.appendChild(para(S.sNoChanges, 'muted'));
      var grid = el('div', { class: 'changes' });
      [['added', S.sAdded, 'changes-added'], ['changed', S.sChanged, 'changes-changed'],
        ['removed', S.sRemoved, 'changes-removed'], ['kept_after_error', S.sKept, 'changes-kept']].forEach(function (c) {
        var v = ch ? ch[c[0]] : null;
        var ids = Array.isArray(v) ? v.map(String) : [];
        var ul = el('ul', { id: c[2], class: 'doc-list', 'data-count': String(Array.isArray(v) ? ids.length : (typeof v === 'number' ? v : 0)) });
        ids.forEach(function (x) { ul.appendChild(el('li', { text: x })); });
        var count = Array.isArray(v) ? ids.length : (typeof v === 'number' ? v : 0);
        grid.appendChild(el('section', { class: 'panel', 'aria-labelledby': c[2] + '-h' }, [
          el('h3', { id: c[2] + '-h', text: c[1] + ' (' + count + ')' }),
          ul,
          ids.length ? null : para(typeof v === 'number' ? String(v) : '(' + S.none + ')', 'muted')
        ]));
      });
      if (ch) {
        box.appendChild(grid);
        box.appendChild(defList([
          [S.sEmbedded, el('span', { id: 'changes-embedded', text: str(ch.embedded_chunks) })],
          [S.sReused, el('span', { id: 'changes-reused', text: str(ch.reused_chunks) })]
        ], 'kv inline'));
      }

      box.appendChild(el('h2', { text: S.sErrors }));
      var errs = Array.isArray(d.errors) ? d.errors : [];
      var eul = el('ul', { id: 'status-errors', class: 'errors' });
      errs.forEach(function (e) {
        eul.appendChild(el('li', null, [el('code', { text: str(e && e.path) }), ' : ', str(e && e.message)]));
      });
      box.appendChild(eul);
      if (!errs.length) box.appendChild(para(S.sNoErrors, 'muted'));
    });
  }

  // ================================================================ 6. audit log
  function renderAudit(main) {
    setTitle(S.auditTitle);
    main.appendChild(el('h1', { text: S.auditTitle }));
    var actions = el('datalist', { id: 'audit-actions' });
    var form = el('form', { id: 'audit-filters', class: 'filters', role: 'search', 'aria-label': S.auditFilters }, [
      el('div', { class: 'fields' }, [inputField('action', S.auditAction, 'text', 'a-action', { list: 'audit-actions', autocomplete: 'off' }), actions]),
      filterButtons()
    ]);
    var status = el('div', { class: 'list-status', role: 'status' });
    var tbody = el('tbody');
    var table = el('table', { id: 'audit', class: 'data' }, [
      el('caption', { class: 'sr-only', text: S.auditCaption }),
      el('thead', null, [el('tr', null, [th(S.colDate), th(S.colUser), th(S.colAction), th(S.colTarget), th(S.colDetail)])]),
      tbody
    ]);
    var ctl;
    var pager = makePager(function (page) { ctl.goPage(page); });
    main.appendChild(form);
    main.appendChild(status);
    main.appendChild(tableWrap(table, S.auditTitle));
    main.appendChild(pager.node);
    var known = Object.create(null);

    ctl = listController({
      form: form,
      names: ['action'],
      keepPerPage: true,
      load: function (params, current) {
        var api = new URLSearchParams();
        ['action', 'page', 'per_page'].forEach(function (k) {
          var v = params.get(k);
          if (v && v.trim()) api.set(k, v.trim());
        });
        table.setAttribute('aria-busy', 'true');
        status.textContent = S.loading;
        apiGet('/api/console/audit' + qsFrom(api)).then(function (r) {
          if (!current()) return;
          table.removeAttribute('aria-busy');
          clear(tbody);
          status.textContent = '';
          if (!r.ok || !r.data) { status.appendChild(errorBox(r)); pager.update({ page: 1, per_page: 25, total: 0 }, S.auditNoun); return; }
          var items = Array.isArray(r.data.items) ? r.data.items : [];
          items.forEach(function (a) {
            if (!isBlank(a.action) && !known[String(a.action)]) {
              known[String(a.action)] = true;
              actions.appendChild(el('option', { value: String(a.action) }));
            }
            tbody.appendChild(el('tr', { class: 'audit-entry', 'data-action': isBlank(a.action) ? null : String(a.action) }, [
              el('td', { class: 'nowrap' }, [timeEl(a.at)]),
              el('td', { text: str(a.user) }),
              el('td', null, [el('code', { text: str(a.action) })]),
              el('td', { class: 'target', text: a.target !== null && typeof a.target === 'object' ? JSON.stringify(a.target) : str(a.target) }),
              el('td', null, [el('code', { class: 'detail', text: detailText(a.detail) })])
            ]));
          });
          if (!items.length) tbody.appendChild(el('tr', { class: 'empty' }, [el('td', { colspan: '5', text: S.auditEmpty })]));
          pager.update(r.data, S.auditNoun);
        });
      }
    });
    ctl.refresh();
  }

  function detailText(v) {
    if (v === null || v === undefined) return S.dash;
    if (typeof v === 'string') return v;
    try { return JSON.stringify(v); } catch (e) { return String(v); }
  }

  // ================================================================ start
  function start() {
    var mode = document.body && document.body.getAttribute('data-mode');
    if (mode === 'login' || document.getElementById('login-form')) initLogin();
    else initApp();
  }

  // exposed for tests of the pure helpers only; nothing here touches the DOM
  window.GuidebotConsole = { safeNext: safeNext, fmtDate: fmtDate, safeUrl: safeUrl };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
