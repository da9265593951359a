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

  // ================================================================ strings (fr, nl, en)
  // Every text an adviser reads, in the three languages of the console. Keys are the same in each language
  // (GuidebotConsole.missingStrings() lists any that is not, and a test checks it).
  var LANGS = ['fr', 'nl', 'en'];
  var LANG_KEY = 'guidebot-console-lang';
  var STRINGS = {};

  STRINGS.fr = {
    product: 'guidebot — console',
    titleSuffix: ' — guidebot console',
    loading: 'Chargement…',
    dash: '—',
    colon: ' : ',
    yes: 'oui',
    no: 'non',
    none: 'aucun',
    skipLink: 'Aller au contenu',
    navLabel: 'Navigation principale',
    nav: {
      view: 'Conversations',
      preview: 'Aperçu de la recherche',
      gaps: 'Lacunes du contenu',
      status: 'État du corpus',
      evals: 'Évaluations',
      audit: 'Journal d\u2019audit'
    },
    roles: { adviser: 'conseiller', editor: 'éditeur', admin: 'administrateur' },
    logout: 'Se déconnecter',
    loggedInAs: 'Connecté : ',
    langLabel: 'Langue de la console',
    accessDenied: 'Accès refusé',
    accessDeniedHelp: 'Votre rôle ne permet pas d\u2019ouvrir cette page.',
    backToConsole: 'Retour aux conversations',
    notFound: 'Page introuvable',
    notFoundHelp: 'Cette adresse ne correspond à aucune page de la console.',
    errNetwork: 'Connexion impossible au serveur. Vérifiez votre réseau et réessayez.',
    errServer: function (status) { return 'Une erreur est survenue (HTTP ' + status + '). Réessayez.'; },
    errNotFound: 'Élément introuvable.',
    errors: {
      unauthorized: 'Votre session a expiré. Reconnectez-vous.',
      forbidden: 'Votre rôle ne permet pas cette action.',
      csrf_failed: 'Votre session a changé. Rechargez la page puis réessayez.',
      not_found: 'Élément introuvable.',
      conversation_not_found: 'Cette conversation n\u2019existe pas (ou plus).',
      message_not_found: 'Ce message n\u2019existe pas (ou plus).',
      mark_not_found: 'Cette marque a déjà été retirée.',
      run_not_found: 'Ce passage d\u2019évaluation n\u2019a pas de rapport.',
      invalid_request: 'Une valeur du formulaire n\u2019est pas valable. Vérifiez-la et réessayez.',
      invalid_json: 'La demande envoyée n\u2019est pas lisible. Rechargez la page puis réessayez.',
      empty_body: 'La demande envoyée est vide. Rechargez la page puis réessayez.',
      unknown_documents: 'Un des articles choisis n\u2019est plus dans l\u2019index. Retirez-le et choisissez-en un autre.',
      review_needs_detail: 'Dites ce qui ne va pas : une réponse corrigée, les bonnes sources ou une note.',
      corrected_answer_required: 'Une réponse incomplète demande la réponse corrigée, complète : écrivez-la.',
      eval_running: 'Une évaluation est déjà en cours. Attendez qu\u2019elle se termine.',
      rate_limited: 'Trop de demandes en peu de temps. Patientez un instant.',
      login_locked: 'Trop de tentatives : connexion bloquée. Réessayez plus tard.',
      store_unavailable: 'La base de données ne répond pas. Réessayez dans un instant.',
      not_ready: 'guidebot démarre. Réessayez dans un instant.',
      body_too_large: 'Le texte envoyé est trop long.',
      internal_error: 'Une erreur est survenue de notre côté. Réessayez.'
    },

    // login
    loginTitle: 'Connexion',
    loginEmail: 'Adresse e-mail',
    loginPassword: 'Mot de passe',
    loginSubmit: 'Se connecter',
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
    quoted: function (t) { return '« ' + t + ' »'; },

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
    answer: 'Réponse, telle que le membre l\u2019a lue',
    noAnswer: '(pas de réponse)',
    citeMarker: function (n, title) { return 'Source ' + n + (title ? ' : ' + title : ''); },
    citations: 'Sources citées',
    noCitations: 'Aucune source citée.',
    evidence: 'Ce qui a décidé',
    closestArticle: 'Article le plus proche',
    noClosest: 'Aucun article retrouvé.',
    why: 'Pourquoi',
    whyAnswered: function (title, found, total, agree) {
      var s = 'guidebot a répondu : l\u2019article le plus proche, ' + title + ', ';
      s += total && found !== null ? 'contient ' + found + ' des ' + total + ' mots clés de la question'
        : 'est proche de la question par le sens';
      return s + (agree ? ', et les deux recherches (par le sens et par les mots) l\u2019ont placé en tête.' : '.');
    },
    whyRefused: {
      low_similarity: function (e, title) { return 'guidebot a refusé : aucun article n\u2019est assez proche de la question par le sens (le plus proche est ' + title + ').'; },
      terms_not_covered: function (e, title) {
        return 'guidebot a refusé : les articles les plus proches ne contiennent ' +
          (e.key_terms && e.terms_found !== null ? 'que ' + e.terms_found + ' des ' + e.key_terms + ' mots clés' : 'pas les mots clés') +
          ' de la question (le plus proche est ' + title + ').';
      },
      figure_not_found: function (e) {
        return e.missing_figures.length
          ? 'guidebot a refusé : la question cite ' + e.missing_figures.join(', ') + ', et aucun article retrouvé ne le donne.'
          : 'guidebot a refusé : la question demande un chiffre ou une année qu\u2019aucun article retrouvé ne donne.';
      },
      type_not_found: function () { return 'guidebot a refusé : la question demande un contact (téléphone, e-mail, horaires) et aucun article retrouvé n\u2019en donne.'; },
      off_topic: function () { return 'guidebot a refusé : la question sort de ce que couvre le guide ; elle ressemble plus aux questions hors sujet qu\u2019à celles auxquelles le guide répond.'; },
      instruction: function () { return 'guidebot a refusé : le message demande à l\u2019assistant de changer ses consignes, sans autre question.'; },
      account: function () { return 'guidebot a refusé : la question porte sur le dossier personnel du membre, que le guide ne peut pas voir.'; },
      no_passages: function () { return 'guidebot a refusé : la recherche n\u2019a retrouvé aucun article.'; },
      unsupported: function () { return 'guidebot a refusé : aucune phrase de la réponse rédigée n\u2019était appuyée par les passages cités.'; },
      no_information: function () { return 'guidebot a refusé : les passages les plus proches de la question disent que le guide n\u2019a pas d\u2019information à ce sujet.'; },
      foreign_rule: function () { return 'guidebot a refusé : la meilleure réponse trouvée était la règle d\u2019un autre pays, que le membre n\u2019a pas demandée.'; }
    },
    whyOther: function (code) { return 'guidebot a refusé (motif : ' + code + ').'; },
    details: 'Détails : passages, scores, rangs et indicateurs',
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
    docSearch: 'Chercher un article par son titre',
    expectedDocsHelp: 'Tapez quelques lettres du titre, puis choisissez l\u2019article dans la liste.',
    chosenDocs: 'Articles choisis',
    noChosenDocs: 'Aucun article choisi.',
    removeDoc: function (title) { return 'Retirer ' + title; },
    suggestionsLabel: 'Articles trouvés',
    suggestionsCount: function (n) { return n ? n + ' article' + (n > 1 ? 's' : '') + ' trouvé' + (n > 1 ? 's' : '') : 'Aucun article trouvé'; },
    addDoc: function (title, lang) { return 'Choisir ' + title + (lang ? ' (' + lang + ')' : ''); },
    note: 'Note',
    reviewedBy: function (who, when) { return 'Relue par ' + (who || '?') + ' le ' + when; },
    reviewOpen: 'Relire cette réponse',
    reviewChange: 'Modifier la revue',
    cancel: 'Annuler',
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
    gapsView: 'Groupes affichés',
    gapsViewOpts: [['', 'À traiter'], ['marked', 'Marqués'], ['out_of_scope', 'Hors sujet'], ['article_planned', 'Article prévu'], ['all', 'Tous']],
    gapsCsv: 'Télécharger en CSV',
    gapsTotal: function (n, g) { return n + ' question' + (n > 1 ? 's' : '') + ' sans bonne réponse, en ' + g + ' groupe' + (g > 1 ? 's' : '') + '.'; },
    gapsEmpty: 'Aucune lacune sur cette période.',
    gapHeading: function (i, n) { return 'Groupe ' + i + ' — ' + n + ' question' + (n > 1 ? 's' : ''); },
    gapLanguages: 'Langues',
    gapReasons: 'Motifs',
    gapTrend: 'Tendance',
    trendLabel: function (counts) { return 'Questions par semaine, de la plus ancienne à la plus récente : ' + counts.join(', '); },
    trendWeek: function (i, n) { return 'Semaine ' + i + ' : ' + n + ' question' + (n > 1 ? 's' : ''); },
    gapExamples: 'Exemples de questions',
    gapComments: 'Commentaires des membres (👎)',
    gapClosest: 'Passages les plus proches',
    gapClosestCaption: 'Passages les plus proches de ce groupe',
    colScore: 'Score',
    openConversation: 'ouvrir la conversation',
    markLabel: 'Marquer ce groupe comme',
    markStatus: { out_of_scope: 'Hors sujet', article_planned: 'Article prévu' },
    markButton: 'Marquer',
    markedBy: function (status, who, when) { return status + ' — marqué par ' + who + ' le ' + when; },
    unmark: 'Retirer la marque',
    markSaved: 'Groupe marqué : il quitte la vue « À traiter ».',
    unmarkSaved: 'Marque retirée.',

    // status
    statusTitle: 'État du corpus',
    sPeriod: 'Période',
    sStale: function (days) { return 'Articles non mis à jour depuis plus de ' + days + ' jours'; },
    sStaleNone: 'Aucun article ancien.',
    colUpdated: 'Mis à jour le',
    colAge: 'Âge',
    days: function (n) { return n + ' jour' + (n > 1 ? 's' : ''); },
    colSource: 'Source',
    sNeverCited: 'Articles jamais cités sur la période',
    sNeverCitedNone: 'Chaque article a été cité au moins une fois.',
    sThumbsDown: 'Articles les plus cités dans des réponses 👎',
    sThumbsDownNone: 'Aucune réponse citée n\u2019a reçu d\u2019avis négatif.',
    colThumbsDown: 'Réponses 👎',
    colCited: 'Réponses qui le citent',
    sBuildDetails: 'Détails du build : ',
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

    // evals
    evalsTitle: 'Évaluations',
    evalsIntro: 'Lance guidebot eval sur les questions de test (jamais vues pendant les réglages) et compare chaque passage avec le précédent.',
    evalStart: 'Lancer l\u2019évaluation (questions de test)',
    evalStarting: 'Démarrage…',
    evalJobRunning: function (who, when) { return 'Évaluation en cours, lancée par ' + who + ' le ' + when + '.'; },
    evalJobSucceeded: function (when) { return 'Dernière évaluation terminée le ' + when + '.'; },
    evalJobFailed: function (code) { return 'La dernière évaluation a échoué (code ' + code + ').'; },
    evalRuns: 'Derniers passages',
    evalNoRuns: 'Aucun passage d\u2019évaluation pour l\u2019instant.',
    evalRunsCaption: 'Passages d\u2019évaluation, le plus récent d\u2019abord',
    colRun: 'Passage',
    colVariant: 'Variante',
    colReport: 'Rapport',
    evalReport: 'ouvrir le rapport',
    metrics: {
      questions: 'Questions',
      'recall@1': 'Bon article en 1re position',
      'recall@5': 'Bon article dans les 5 premiers',
      'mrr@10': 'Rang moyen réciproque (MRR@10)',
      fact_accuracy: 'Faits justes',
      citation_validity: 'Citations valables',
      refusal_recall: 'Refus attendus obtenus',
      false_refusals: 'Refus à tort',
      latency_p95_ms: 'Latence p95 (ms)'
    },
    evalCompare: function (prev) { return 'Comparaison avec le passage précédent (' + prev + ')'; },
    evalNoCompare: 'Pas de passage précédent à comparer.',
    colMetric: 'Mesure',
    colBefore: 'Avant',
    colAfter: 'Après',
    colDelta: 'Écart',
    evalBetter: function (n) { return n + ' question' + (n > 1 ? 's' : '') + ' mieux traitée' + (n > 1 ? 's' : ''); },
    evalWorse: function (n) { return n + ' question' + (n > 1 ? 's' : '') + ' moins bien traitée' + (n > 1 ? 's' : ''); },

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
      type_not_found: 'contact absent des passages',
      off_topic: 'hors sujet',
      unsupported: 'réponse non appuyée par les sources',
      no_information: 'le guide dit n\u2019avoir aucune information',
      foreign_rule: 'règle d\u2019un autre pays',
      refused: 'refusée',
      thumbs_down: 'avis négatif 👎',
      low_confidence: 'faible confiance',
      incorrect: 'relue : incorrecte',
      incomplete: 'relue : incomplète'
    }
  };

  STRINGS.nl = {
    product: 'guidebot — console',
    titleSuffix: ' — guidebot console',
    loading: 'Laden…',
    dash: '—',
    colon: ': ',
    yes: 'ja',
    no: 'nee',
    none: 'geen',
    skipLink: 'Naar de inhoud',
    navLabel: 'Hoofdnavigatie',
    nav: {
      view: 'Gesprekken',
      preview: 'Zoekvoorbeeld',
      gaps: 'Hiaten in de inhoud',
      status: 'Stand van het corpus',
      evals: 'Evaluaties',
      audit: 'Auditlogboek'
    },
    roles: { adviser: 'adviseur', editor: 'redacteur', admin: 'beheerder' },
    logout: 'Afmelden',
    loggedInAs: 'Aangemeld: ',
    langLabel: 'Taal van de console',
    accessDenied: 'Toegang geweigerd',
    accessDeniedHelp: 'Met uw rol kunt u deze pagina niet openen.',
    backToConsole: 'Terug naar de gesprekken',
    notFound: 'Pagina niet gevonden',
    notFoundHelp: 'Dit adres hoort bij geen enkele pagina van de console.',
    errNetwork: 'Geen verbinding met de server. Controleer uw netwerk en probeer opnieuw.',
    errServer: function (status) { return 'Er ging iets mis (HTTP ' + status + '). Probeer opnieuw.'; },
    errNotFound: 'Niet gevonden.',
    errors: {
      unauthorized: 'Uw sessie is verlopen. Meld u opnieuw aan.',
      forbidden: 'Met uw rol kunt u dit niet doen.',
      csrf_failed: 'Uw sessie is gewijzigd. Laad de pagina opnieuw en probeer nog eens.',
      not_found: 'Niet gevonden.',
      conversation_not_found: 'Dit gesprek bestaat niet (meer).',
      message_not_found: 'Dit bericht bestaat niet (meer).',
      mark_not_found: 'Deze markering is al verwijderd.',
      run_not_found: 'Deze evaluatierun heeft geen rapport.',
      invalid_request: 'Een waarde in het formulier is niet geldig. Controleer ze en probeer opnieuw.',
      invalid_json: 'Het verzoek is onleesbaar. Laad de pagina opnieuw en probeer nog eens.',
      empty_body: 'Het verzoek is leeg. Laad de pagina opnieuw en probeer nog eens.',
      unknown_documents: 'Een van de gekozen artikels staat niet meer in de index. Verwijder het en kies een ander.',
      review_needs_detail: 'Zeg wat er mis is: een verbeterd antwoord, de juiste bronnen of een notitie.',
      corrected_answer_required: 'Een onvolledig antwoord vraagt om het verbeterde, volledige antwoord: schrijf het.',
      eval_running: 'Er loopt al een evaluatie. Wacht tot ze klaar is.',
      rate_limited: 'Te veel verzoeken in korte tijd. Wacht even.',
      login_locked: 'Te veel pogingen: aanmelden geblokkeerd. Probeer later opnieuw.',
      store_unavailable: 'De database antwoordt niet. Probeer zo meteen opnieuw.',
      not_ready: 'guidebot start op. Probeer zo meteen opnieuw.',
      body_too_large: 'De verzonden tekst is te lang.',
      internal_error: 'Er ging bij ons iets mis. Probeer opnieuw.'
    },

    loginTitle: 'Aanmelden',
    loginEmail: 'E-mailadres',
    loginPassword: 'Wachtwoord',
    loginSubmit: 'Aanmelden',
    loginInvalid: 'E-mail of wachtwoord onjuist.',
    loginLocked: function (minutes) {
      return 'Te veel pogingen: aanmelden geblokkeerd. Probeer opnieuw over ' + minutes +
        (minutes > 1 ? ' minuten.' : ' minuut.');
    },
    loginLockedNoDelay: 'Te veel pogingen: aanmelden geblokkeerd. Probeer later opnieuw.',
    loginMissing: 'Vul uw e-mailadres en wachtwoord in.',
    loginBusy: 'Aanmelden…',

    filter: 'Filteren',
    reset: 'Wissen',
    prev: 'Vorige',
    next: 'Volgende',
    pagerLabel: 'Paginering',
    pageInfo: function (page, pages, total, noun) { return 'pagina ' + page + ' / ' + pages + ' (' + total + ' ' + noun + ')'; },
    all: 'Alle',
    allF: 'Alle',
    since: 'Vanaf',
    until: 'Tot en met',
    scrollRegion: function (name) { return name + ' (horizontaal scrollen)'; },
    quoted: function (t) { return '‘' + t + '’'; },

    convTitle: 'Gesprekken',
    filtersLabel: 'Filters voor de gesprekken',
    fRefused: 'Antwoord',
    fRefusedOpts: [['', 'Alle'], ['true', 'Geweigerd'], ['false', 'Beantwoord']],
    fFeedback: 'Oordeel van het lid',
    fFeedbackOpts: [['', 'Alle'], ['down', '👎 negatief'], ['up', '👍 positief']],
    fLanguage: 'Taal',
    fLanguageOpts: [['', 'Alle'], ['fr', 'fr'], ['nl', 'nl'], ['en', 'en']],
    fTool: 'Tool',
    fToolOpts: [['', 'Alle'], ['3en1', '3en1'], ['activite', 'Activité']],
    fReviewed: 'Nagekeken',
    fReviewedOpts: [['', 'Alle'], ['true', 'Ja'], ['false', 'Nee']],
    fQ: 'Tekst (vragen en antwoorden)',
    convCaption: 'Gesprekken, de recentste eerst',
    colDate: 'Datum',
    colLanguage: 'Taal',
    colFirstQuestion: 'Eerste vraag',
    colMessages: 'Berichten',
    colFlags: 'Kenmerken',
    colTools: 'Tools',
    convNoun: 'gesprekken',
    convEmpty: 'Geen gesprek past bij deze filters.',
    noQuestion: '(zonder vraag)',
    badgeRefused: 'geweigerd',
    badgeDown: '👎',
    badgeDownLabel: 'negatief oordeel',
    badgeUp: '👍',
    badgeUpLabel: 'positief oordeel',
    badgeReviewed: 'nagekeken',

    back: '← Terug naar de gesprekken',
    convViewTitle: 'Gesprek',
    createdAt: 'Gestart op',
    updatedAt: 'Laatste activiteit',
    messageHeading: function (i, n) { return 'Bericht ' + i + ' / ' + n; },
    question: 'Vraag',
    rewritten: 'Herschreven zoekvraag: ',
    mLanguage: 'Taal',
    mWriter: 'Schrijver',
    mLatency: 'Wachttijd',
    ms: function (v) { return v + ' ms'; },
    mTool: 'Tool',
    mRefused: 'Geweigerd',
    answer: 'Antwoord, zoals het lid het las',
    noAnswer: '(geen antwoord)',
    citeMarker: function (n, title) { return 'Bron ' + n + (title ? ': ' + title : ''); },
    citations: 'Geciteerde bronnen',
    noCitations: 'Geen bron geciteerd.',
    evidence: 'Wat de doorslag gaf',
    closestArticle: 'Dichtstbijzijnde artikel',
    noClosest: 'Geen artikel gevonden.',
    why: 'Waarom',
    whyAnswered: function (title, found, total, agree) {
      var s = 'guidebot antwoordde: het dichtstbijzijnde artikel, ' + title + ', ';
      s += total && found !== null ? 'bevat ' + found + ' van de ' + total + ' sleutelwoorden van de vraag'
        : 'ligt qua betekenis dicht bij de vraag';
      return s + (agree ? ', en beide zoekopdrachten (op betekenis en op woorden) zetten het bovenaan.' : '.');
    },
    whyRefused: {
      low_similarity: function (e, title) { return 'guidebot weigerde: geen enkel artikel ligt qua betekenis dicht genoeg bij de vraag (het dichtstbijzijnde is ' + title + ').'; },
      terms_not_covered: function (e, title) {
        return 'guidebot weigerde: de dichtstbijzijnde artikels bevatten ' +
          (e.key_terms && e.terms_found !== null ? 'maar ' + e.terms_found + ' van de ' + e.key_terms + ' sleutelwoorden' : 'de sleutelwoorden niet') +
          ' van de vraag (het dichtstbijzijnde is ' + title + ').';
      },
      figure_not_found: function (e) {
        return e.missing_figures.length
          ? 'guidebot weigerde: de vraag noemt ' + e.missing_figures.join(', ') + ', en geen enkel gevonden artikel geeft dat.'
          : 'guidebot weigerde: de vraag vraagt een bedrag of een jaar dat geen enkel gevonden artikel geeft.';
      },
      type_not_found: function () { return 'guidebot weigerde: de vraag vraagt een contact (telefoon, e-mail, openingsuren) en geen enkel gevonden artikel geeft er een.'; },
      off_topic: function () { return 'guidebot weigerde: de vraag valt buiten wat de gids behandelt; ze lijkt meer op vragen buiten het onderwerp dan op vragen die de gids beantwoordt.'; },
      instruction: function () { return 'guidebot weigerde: het bericht vraagt de assistent zijn instructies te wijzigen, zonder andere vraag.'; },
      account: function () { return 'guidebot weigerde: de vraag gaat over het persoonlijke dossier van het lid, dat de gids niet kan zien.'; },
      no_passages: function () { return 'guidebot weigerde: de zoekopdracht vond geen enkel artikel.'; },
      unsupported: function () { return 'guidebot weigerde: geen enkele zin van het geschreven antwoord werd gesteund door de geciteerde passages.'; },
      no_information: function () { return 'guidebot weigerde: de passages die het dichtst bij de vraag liggen, zeggen dat de gids er geen informatie over heeft.'; },
      foreign_rule: function () { return 'guidebot weigerde: het beste gevonden antwoord was de regel van een ander land, waar het lid niet naar vroeg.'; }
    },
    whyOther: function (code) { return 'guidebot weigerde (reden: ' + code + ').'; },
    details: 'Details: passages, scores, rangen en kenmerken',
    passages: 'Gevonden passages',
    noPassages: 'Geen passages.',
    passagesCaption: 'Gevonden passages; geciteerde passages zijn gemarkeerd met ‘geciteerd’.',
    colRank: 'Rang',
    colDoc: 'Document',
    colTitleSection: 'Titel / sectie',
    colTitle: 'Titel',
    colSection: 'Sectie',
    colLang: 'Taal',
    colFused: 'Samengevoegde score',
    colDense: 'Dense (score / rang)',
    colLexical: 'Lexicaal (score / rang)',
    colText: 'Tekst',
    cited: 'geciteerd',
    rankOf: function (r) { return 'rang ' + r; },
    gate: 'Weigerfilter (kenmerken)',
    noGate: 'Geen kenmerken.',
    feedback: 'Oordeel van het lid',
    noFeedback: 'Geen oordeel.',
    ratingUp: '👍 positief',
    ratingDown: '👎 negatief',
    review: 'Nakijken',
    noReview: 'Nog niet nagekeken.',
    verdict: 'Oordeel',
    verdicts: { correct: 'Juist', incorrect: 'Onjuist', incomplete: 'Onvolledig' },
    correctedAnswer: 'Verbeterd antwoord',
    expectedDocs: 'Te citeren bronnen',
    docSearch: 'Een artikel zoeken op titel',
    expectedDocsHelp: 'Typ enkele letters van de titel en kies het artikel in de lijst.',
    chosenDocs: 'Gekozen artikels',
    noChosenDocs: 'Geen artikel gekozen.',
    removeDoc: function (title) { return 'Verwijder ' + title; },
    suggestionsLabel: 'Gevonden artikels',
    suggestionsCount: function (n) { return n ? n + ' artikel' + (n > 1 ? 's' : '') + ' gevonden' : 'Geen artikel gevonden'; },
    addDoc: function (title, lang) { return 'Kies ' + title + (lang ? ' (' + lang + ')' : ''); },
    note: 'Notitie',
    reviewedBy: function (who, when) { return 'Nagekeken door ' + (who || '?') + ' op ' + when; },
    reviewOpen: 'Dit antwoord nakijken',
    reviewChange: 'Beoordeling wijzigen',
    cancel: 'Annuleren',
    saveReview: 'Beoordeling opslaan',
    reviewFormTitle: 'Dit antwoord nakijken',
    reviewSaved: 'Beoordeling opgeslagen',
    chooseVerdict: 'Kies een oordeel.',
    saving: 'Opslaan…',

    previewTitle: 'Zoekvoorbeeld',
    previewIntro: 'Test een vraag tegen de gebruikte index, zonder iets op te slaan.',
    previewQuestion: 'Vraag',
    previewLanguage: 'Taal',
    previewLangOpts: [['', 'auto'], ['fr', 'fr'], ['nl', 'nl'], ['en', 'en']],
    test: 'Testen',
    testing: 'Zoeken…',
    decisionAnswer: 'Zou antwoorden',
    decisionRefuse: function (reason) { return 'Zou weigeren: ' + reason; },
    decision: 'Beslissing',
    pQuery: 'Zoekvraag',
    pLanguage: 'Herkende taal',
    pRetrievalLang: 'Zoektaal',
    pLatency: 'Wachttijd',
    pBuild: 'Index',
    features: 'Kenmerken',
    thresholds: 'Drempels',
    gateCompare: 'Weigerfilter: kenmerken en drempels',
    passageText: 'Passage tonen',
    previewEmptyQuestion: 'Schrijf een vraag.',

    gapsTitle: 'Hiaten in de inhoud',
    gapsFilters: 'Periode',
    gapsMinCount: 'Vragen per groep (minimum)',
    gapsView: 'Getoonde groepen',
    gapsViewOpts: [['', 'Te behandelen'], ['marked', 'Gemarkeerd'], ['out_of_scope', 'Buiten onderwerp'], ['article_planned', 'Artikel gepland'], ['all', 'Alle']],
    gapsCsv: 'Downloaden als CSV',
    gapsTotal: function (n, g) { return n + ' vra' + (n > 1 ? 'gen' : 'ag') + ' zonder goed antwoord, in ' + g + ' groep' + (g > 1 ? 'en' : '') + '.'; },
    gapsEmpty: 'Geen hiaten in deze periode.',
    gapHeading: function (i, n) { return 'Groep ' + i + ' — ' + n + ' vra' + (n > 1 ? 'gen' : 'ag'); },
    gapLanguages: 'Talen',
    gapReasons: 'Redenen',
    gapTrend: 'Verloop',
    trendLabel: function (counts) { return 'Vragen per week, van de oudste tot de recentste: ' + counts.join(', '); },
    trendWeek: function (i, n) { return 'Week ' + i + ': ' + n + ' vra' + (n === 1 ? 'ag' : 'gen'); },
    gapExamples: 'Voorbeelden van vragen',
    gapComments: 'Opmerkingen van leden (👎)',
    gapClosest: 'Dichtstbijzijnde passages',
    gapClosestCaption: 'Passages die het dichtst bij deze groep liggen',
    colScore: 'Score',
    openConversation: 'gesprek openen',
    markLabel: 'Deze groep markeren als',
    markStatus: { out_of_scope: 'Buiten onderwerp', article_planned: 'Artikel gepland' },
    markButton: 'Markeren',
    markedBy: function (status, who, when) { return status + ' — gemarkeerd door ' + who + ' op ' + when; },
    unmark: 'Markering verwijderen',
    markSaved: 'Groep gemarkeerd: hij verdwijnt uit ‘Te behandelen’.',
    unmarkSaved: 'Markering verwijderd.',

    statusTitle: 'Stand van het corpus',
    sPeriod: 'Periode',
    sStale: function (days) { return 'Artikels die al meer dan ' + days + ' dagen niet zijn bijgewerkt'; },
    sStaleNone: 'Geen oude artikels.',
    colUpdated: 'Bijgewerkt op',
    colAge: 'Leeftijd',
    days: function (n) { return n + (n === 1 ? ' dag' : ' dagen'); },
    colSource: 'Bron',
    sNeverCited: 'Artikels die in deze periode nooit geciteerd zijn',
    sNeverCitedNone: 'Elk artikel is minstens één keer geciteerd.',
    sThumbsDown: 'Artikels die het vaakst geciteerd zijn in 👎-antwoorden',
    sThumbsDownNone: 'Geen enkel antwoord met bronnen kreeg een negatief oordeel.',
    colThumbsDown: '👎-antwoorden',
    colCited: 'Antwoorden die het citeren',
    sBuildDetails: 'Details van de build: ',
    sIndex: 'Index',
    sBuildId: 'Build',
    sServing: 'Gebruikte build',
    sBuiltAt: 'Gebouwd op',
    sEmbedder: 'Embeddingmodel',
    sDocuments: 'Documenten',
    sChunks: 'Passages (chunks)',
    sByLang: 'Per taal',
    sBySource: 'Per bron',
    sBuildSeconds: 'Bouwtijd',
    seconds: function (v) { return v + ' s'; },
    sServingMismatch: 'Let op: de gebruikte build verschilt van de laatst gebouwde.',
    sChanges: 'Laatste herindexering',
    sNoChanges: 'Geen informatie over de herindexering.',
    sAdded: 'Toegevoegd',
    sChanged: 'Gewijzigd',
    sRemoved: 'Verwijderd',
    sKept: 'Behouden na een fout',
    sEmbedded: 'Berekende passages (embedded)',
    sReused: 'Hergebruikte passages',
    sErrors: 'Fouten',
    sNoErrors: 'Geen fouten.',

    evalsTitle: 'Evaluaties',
    evalsIntro: 'Start guidebot eval op de testvragen (nooit gezien tijdens het afstellen) en vergelijkt elke run met de vorige.',
    evalStart: 'Evaluatie starten (testvragen)',
    evalStarting: 'Starten…',
    evalJobRunning: function (who, when) { return 'Evaluatie bezig, gestart door ' + who + ' op ' + when + '.'; },
    evalJobSucceeded: function (when) { return 'Laatste evaluatie klaar op ' + when + '.'; },
    evalJobFailed: function (code) { return 'De laatste evaluatie is mislukt (code ' + code + ').'; },
    evalRuns: 'Laatste runs',
    evalNoRuns: 'Nog geen evaluatierun.',
    evalRunsCaption: 'Evaluatieruns, de recentste eerst',
    colRun: 'Run',
    colVariant: 'Variant',
    colReport: 'Rapport',
    evalReport: 'rapport openen',
    metrics: {
      questions: 'Vragen',
      'recall@1': 'Juist artikel op 1',
      'recall@5': 'Juist artikel in de eerste 5',
      'mrr@10': 'Gemiddelde reciproke rang (MRR@10)',
      fact_accuracy: 'Juiste feiten',
      citation_validity: 'Geldige citaten',
      refusal_recall: 'Verwachte weigeringen',
      false_refusals: 'Onterechte weigeringen',
      latency_p95_ms: 'Wachttijd p95 (ms)'
    },
    evalCompare: function (prev) { return 'Vergelijking met de vorige run (' + prev + ')'; },
    evalNoCompare: 'Geen vorige run om mee te vergelijken.',
    colMetric: 'Maat',
    colBefore: 'Voor',
    colAfter: 'Na',
    colDelta: 'Verschil',
    evalBetter: function (n) { return n + ' vra' + (n === 1 ? 'ag' : 'gen') + ' beter beantwoord'; },
    evalWorse: function (n) { return n + ' vra' + (n === 1 ? 'ag' : 'gen') + ' slechter beantwoord'; },

    auditTitle: 'Auditlogboek',
    auditFilters: 'Filter van het logboek',
    auditAction: 'Actie',
    auditCaption: 'Auditlogboek, het recentste eerst',
    colUser: 'Gebruiker',
    colAction: 'Actie',
    colTarget: 'Doel',
    colDetail: 'Detail',
    auditNoun: 'regels',
    auditEmpty: 'Geen regels.',

    reasons: {
      answered: 'beantwoord',
      instruction: 'ingevoegde instructie',
      account: 'vraag over een persoonlijk dossier',
      no_passages: 'geen passage gevonden',
      figure_not_found: 'cijfer niet in de passages',
      terms_not_covered: 'sleutelwoorden niet gedekt',
      low_similarity: 'te weinig gelijkenis',
      type_not_found: 'contact niet in de passages',
      off_topic: 'buiten onderwerp',
      unsupported: 'antwoord niet gesteund door de bronnen',
      no_information: 'de gids zegt er geen informatie over te hebben',
      foreign_rule: 'regel van een ander land',
      refused: 'geweigerd',
      thumbs_down: 'negatief oordeel 👎',
      low_confidence: 'weinig vertrouwen',
      incorrect: 'nagekeken: onjuist',
      incomplete: 'nagekeken: onvolledig'
    }
  };

  STRINGS.en = {
    product: 'guidebot — console',
    titleSuffix: ' — guidebot console',
    loading: 'Loading…',
    dash: '—',
    colon: ': ',
    yes: 'yes',
    no: 'no',
    none: 'none',
    skipLink: 'Skip to content',
    navLabel: 'Main navigation',
    nav: {
      view: 'Conversations',
      preview: 'Search preview',
      gaps: 'Content gaps',
      status: 'Corpus status',
      evals: 'Evaluations',
      audit: 'Audit log'
    },
    roles: { adviser: 'adviser', editor: 'editor', admin: 'administrator' },
    logout: 'Log out',
    loggedInAs: 'Logged in: ',
    langLabel: 'Console language',
    accessDenied: 'Access denied',
    accessDeniedHelp: 'Your role does not open this page.',
    backToConsole: 'Back to the conversations',
    notFound: 'Page not found',
    notFoundHelp: 'This address is not a page of the console.',
    errNetwork: 'Cannot reach the server. Check your network and try again.',
    errServer: function (status) { return 'Something went wrong (HTTP ' + status + '). Try again.'; },
    errNotFound: 'Not found.',
    errors: {
      unauthorized: 'Your session has expired. Log in again.',
      forbidden: 'Your role does not allow this.',
      csrf_failed: 'Your session changed. Reload the page and try again.',
      not_found: 'Not found.',
      conversation_not_found: 'This conversation does not exist (any more).',
      message_not_found: 'This message does not exist (any more).',
      mark_not_found: 'This mark has already been taken off.',
      run_not_found: 'This eval run has no report.',
      invalid_request: 'A value of the form is not valid. Check it and try again.',
      invalid_json: 'The request could not be read. Reload the page and try again.',
      empty_body: 'The request was empty. Reload the page and try again.',
      unknown_documents: 'One of the chosen articles is no longer in the index. Remove it and choose another.',
      review_needs_detail: 'Say what is wrong: a corrected answer, the right sources or a note.',
      corrected_answer_required: 'An incomplete answer needs the corrected, complete answer: write it.',
      eval_running: 'An evaluation is already running. Wait for it to finish.',
      rate_limited: 'Too many requests in a short time. Wait a moment.',
      login_locked: 'Too many attempts: login locked. Try again later.',
      store_unavailable: 'The database is not answering. Try again in a moment.',
      not_ready: 'guidebot is starting. Try again in a moment.',
      body_too_large: 'The text sent is too long.',
      internal_error: 'Something went wrong on our side. Try again.'
    },

    loginTitle: 'Log in',
    loginEmail: 'E-mail address',
    loginPassword: 'Password',
    loginSubmit: 'Log in',
    loginInvalid: 'Wrong e-mail or password.',
    loginLocked: function (minutes) {
      return 'Too many attempts: login locked. Try again in ' + minutes + (minutes > 1 ? ' minutes.' : ' minute.');
    },
    loginLockedNoDelay: 'Too many attempts: login locked. Try again later.',
    loginMissing: 'Enter your e-mail and your password.',
    loginBusy: 'Logging in…',

    filter: 'Filter',
    reset: 'Reset',
    prev: 'Previous',
    next: 'Next',
    pagerLabel: 'Pagination',
    pageInfo: function (page, pages, total, noun) { return 'page ' + page + ' / ' + pages + ' (' + total + ' ' + noun + ')'; },
    all: 'All',
    allF: 'All',
    since: 'From',
    until: 'Until (included)',
    scrollRegion: function (name) { return name + ' (scrolls sideways)'; },
    quoted: function (t) { return '“' + t + '”'; },

    convTitle: 'Conversations',
    filtersLabel: 'Conversation filters',
    fRefused: 'Answer',
    fRefusedOpts: [['', 'All'], ['true', 'Refused'], ['false', 'Answered']],
    fFeedback: 'Member\u2019s rating',
    fFeedbackOpts: [['', 'All'], ['down', '👎 negative'], ['up', '👍 positive']],
    fLanguage: 'Language',
    fLanguageOpts: [['', 'All'], ['fr', 'fr'], ['nl', 'nl'], ['en', 'en']],
    fTool: 'Tool',
    fToolOpts: [['', 'All'], ['3en1', '3en1'], ['activite', 'Activité']],
    fReviewed: 'Reviewed',
    fReviewedOpts: [['', 'All'], ['true', 'Yes'], ['false', 'No']],
    fQ: 'Text (questions and answers)',
    convCaption: 'Conversations, newest first',
    colDate: 'Date',
    colLanguage: 'Language',
    colFirstQuestion: 'First question',
    colMessages: 'Messages',
    colFlags: 'Flags',
    colTools: 'Tools',
    convNoun: 'conversations',
    convEmpty: 'No conversation matches these filters.',
    noQuestion: '(no question)',
    badgeRefused: 'refused',
    badgeDown: '👎',
    badgeDownLabel: 'negative rating',
    badgeUp: '👍',
    badgeUpLabel: 'positive rating',
    badgeReviewed: 'reviewed',

    back: '← Back to the conversations',
    convViewTitle: 'Conversation',
    createdAt: 'Started',
    updatedAt: 'Last activity',
    messageHeading: function (i, n) { return 'Message ' + i + ' / ' + n; },
    question: 'Question',
    rewritten: 'Rewritten query: ',
    mLanguage: 'Language',
    mWriter: 'Writer',
    mLatency: 'Latency',
    ms: function (v) { return v + ' ms'; },
    mTool: 'Tool',
    mRefused: 'Refused',
    answer: 'Answer, as the member read it',
    noAnswer: '(no answer)',
    citeMarker: function (n, title) { return 'Source ' + n + (title ? ': ' + title : ''); },
    citations: 'Sources cited',
    noCitations: 'No source cited.',
    evidence: 'What decided',
    closestArticle: 'Closest article',
    noClosest: 'No article found.',
    why: 'Why',
    whyAnswered: function (title, found, total, agree) {
      var s = 'guidebot answered: the closest article, ' + title + ', ';
      s += total && found !== null ? 'contains ' + found + ' of the ' + total + ' key words of the question'
        : 'is close in meaning to the question';
      return s + (agree ? ', and both searches (by meaning and by words) put it first.' : '.');
    },
    whyRefused: {
      low_similarity: function (e, title) { return 'guidebot refused: no article is close enough in meaning to the question (the closest is ' + title + ').'; },
      terms_not_covered: function (e, title) {
        return 'guidebot refused: the closest articles contain ' +
          (e.key_terms && e.terms_found !== null ? 'only ' + e.terms_found + ' of the ' + e.key_terms + ' key words' : 'none of the key words') +
          ' of the question (the closest is ' + title + ').';
      },
      figure_not_found: function (e) {
        return e.missing_figures.length
          ? 'guidebot refused: the question names ' + e.missing_figures.join(', ') + ', and no article found gives it.'
          : 'guidebot refused: the question asks for a figure or a year that no article found gives.';
      },
      type_not_found: function () { return 'guidebot refused: the question asks for a contact (phone, e-mail, opening hours) and no article found gives one.'; },
      off_topic: function () { return 'guidebot refused: the question is outside what the guide covers; it looks more like off-topic questions than like those the guide answers.'; },
      instruction: function () { return 'guidebot refused: the message asks the assistant to change its instructions, with no other question.'; },
      account: function () { return 'guidebot refused: the question is about the member\u2019s own file, which the guide cannot see.'; },
      no_passages: function () { return 'guidebot refused: the search found no article at all.'; },
      unsupported: function () { return 'guidebot refused: no sentence of the written answer was supported by the passages it cited.'; },
      no_information: function () { return 'guidebot refused: the passages closest to the question say the guide has no information on it.'; },
      foreign_rule: function () { return 'guidebot refused: the best answer found was another country\u2019s rule, which the member did not ask about.'; }
    },
    whyOther: function (code) { return 'guidebot refused (reason: ' + code + ').'; },
    details: 'Details: passages, scores, ranks and features',
    passages: 'Passages retrieved',
    noPassages: 'No passages.',
    passagesCaption: 'Passages retrieved; the cited ones are marked “cited”.',
    colRank: 'Rank',
    colDoc: 'Document',
    colTitleSection: 'Title / section',
    colTitle: 'Title',
    colSection: 'Section',
    colLang: 'Language',
    colFused: 'Fused score',
    colDense: 'Dense (score / rank)',
    colLexical: 'Lexical (score / rank)',
    colText: 'Text',
    cited: 'cited',
    rankOf: function (r) { return 'rank ' + r; },
    gate: 'Refusal gate (features)',
    noGate: 'No features.',
    feedback: 'Member\u2019s rating',
    noFeedback: 'No rating.',
    ratingUp: '👍 positive',
    ratingDown: '👎 negative',
    review: 'Review',
    noReview: 'Not reviewed yet.',
    verdict: 'Verdict',
    verdicts: { correct: 'Correct', incorrect: 'Incorrect', incomplete: 'Incomplete' },
    correctedAnswer: 'Corrected answer',
    expectedDocs: 'Sources to cite',
    docSearch: 'Search an article by its title',
    expectedDocsHelp: 'Type a few letters of the title, then choose the article in the list.',
    chosenDocs: 'Chosen articles',
    noChosenDocs: 'No article chosen.',
    removeDoc: function (title) { return 'Remove ' + title; },
    suggestionsLabel: 'Articles found',
    suggestionsCount: function (n) { return n ? n + ' article' + (n > 1 ? 's' : '') + ' found' : 'No article found'; },
    addDoc: function (title, lang) { return 'Choose ' + title + (lang ? ' (' + lang + ')' : ''); },
    note: 'Note',
    reviewedBy: function (who, when) { return 'Reviewed by ' + (who || '?') + ' on ' + when; },
    reviewOpen: 'Review this answer',
    reviewChange: 'Change the review',
    cancel: 'Cancel',
    saveReview: 'Save the review',
    reviewFormTitle: 'Review this answer',
    reviewSaved: 'Review saved',
    chooseVerdict: 'Choose a verdict.',
    saving: 'Saving…',

    previewTitle: 'Search preview',
    previewIntro: 'Tries a question against the served index, storing nothing.',
    previewQuestion: 'Question',
    previewLanguage: 'Language',
    previewLangOpts: [['', 'auto'], ['fr', 'fr'], ['nl', 'nl'], ['en', 'en']],
    test: 'Try',
    testing: 'Searching…',
    decisionAnswer: 'Would answer',
    decisionRefuse: function (reason) { return 'Would refuse: ' + reason; },
    decision: 'Decision',
    pQuery: 'Query',
    pLanguage: 'Detected language',
    pRetrievalLang: 'Search language',
    pLatency: 'Latency',
    pBuild: 'Index',
    features: 'Features',
    thresholds: 'Thresholds',
    gateCompare: 'Refusal gate: features and thresholds',
    passageText: 'Show the passage',
    previewEmptyQuestion: 'Write a question.',

    gapsTitle: 'Content gaps',
    gapsFilters: 'Period',
    gapsMinCount: 'Questions per group (at least)',
    gapsView: 'Groups shown',
    gapsViewOpts: [['', 'To handle'], ['marked', 'Marked'], ['out_of_scope', 'Out of scope'], ['article_planned', 'Article planned'], ['all', 'All']],
    gapsCsv: 'Download as CSV',
    gapsTotal: function (n, g) { return n + ' question' + (n > 1 ? 's' : '') + ' without a good answer, in ' + g + ' group' + (g > 1 ? 's' : '') + '.'; },
    gapsEmpty: 'No gap in this period.',
    gapHeading: function (i, n) { return 'Group ' + i + ' — ' + n + ' question' + (n > 1 ? 's' : ''); },
    gapLanguages: 'Languages',
    gapReasons: 'Reasons',
    gapTrend: 'Trend',
    trendLabel: function (counts) { return 'Questions per week, oldest to newest: ' + counts.join(', '); },
    trendWeek: function (i, n) { return 'Week ' + i + ': ' + n + ' question' + (n === 1 ? '' : 's'); },
    gapExamples: 'Example questions',
    gapComments: 'Members\u2019 comments (👎)',
    gapClosest: 'Closest passages',
    gapClosestCaption: 'Passages closest to this group',
    colScore: 'Score',
    openConversation: 'open the conversation',
    markLabel: 'Mark this group as',
    markStatus: { out_of_scope: 'Out of scope', article_planned: 'Article planned' },
    markButton: 'Mark',
    markedBy: function (status, who, when) { return status + ' — marked by ' + who + ' on ' + when; },
    unmark: 'Take the mark off',
    markSaved: 'Group marked: it leaves the “To handle” view.',
    unmarkSaved: 'Mark taken off.',

    statusTitle: 'Corpus status',
    sPeriod: 'Period',
    sStale: function (days) { return 'Articles not updated for more than ' + days + ' days'; },
    sStaleNone: 'No old article.',
    colUpdated: 'Updated',
    colAge: 'Age',
    days: function (n) { return n + (n === 1 ? ' day' : ' days'); },
    colSource: 'Source',
    sNeverCited: 'Articles never cited in the period',
    sNeverCitedNone: 'Every article was cited at least once.',
    sThumbsDown: 'Articles most often cited in 👎 answers',
    sThumbsDownNone: 'No answer with sources got a negative rating.',
    colThumbsDown: '👎 answers',
    colCited: 'Answers citing it',
    sBuildDetails: 'Build details: ',
    sIndex: 'Index',
    sBuildId: 'Build',
    sServing: 'Serving build',
    sBuiltAt: 'Built',
    sEmbedder: 'Embedding model',
    sDocuments: 'Documents',
    sChunks: 'Passages (chunks)',
    sByLang: 'By language',
    sBySource: 'By source',
    sBuildSeconds: 'Build time',
    seconds: function (v) { return v + ' s'; },
    sServingMismatch: 'Careful: the serving build differs from the last one built.',
    sChanges: 'Last re-index',
    sNoChanges: 'No re-index information.',
    sAdded: 'Added',
    sChanged: 'Changed',
    sRemoved: 'Removed',
    sKept: 'Kept after an error',
    sEmbedded: 'Passages embedded',
    sReused: 'Passages reused',
    sErrors: 'Errors',
    sNoErrors: 'No errors.',

    evalsTitle: 'Evaluations',
    evalsIntro: 'Runs guidebot eval on the test questions (never seen while tuning) and compares each run with the one before.',
    evalStart: 'Start the evaluation (test questions)',
    evalStarting: 'Starting…',
    evalJobRunning: function (who, when) { return 'Evaluation running, started by ' + who + ' on ' + when + '.'; },
    evalJobSucceeded: function (when) { return 'Last evaluation finished on ' + when + '.'; },
    evalJobFailed: function (code) { return 'The last evaluation failed (code ' + code + ').'; },
    evalRuns: 'Latest runs',
    evalNoRuns: 'No eval run yet.',
    evalRunsCaption: 'Eval runs, newest first',
    colRun: 'Run',
    colVariant: 'Variant',
    colReport: 'Report',
    evalReport: 'open the report',
    metrics: {
      questions: 'Questions',
      'recall@1': 'Right article first',
      'recall@5': 'Right article in the top 5',
      'mrr@10': 'Mean reciprocal rank (MRR@10)',
      fact_accuracy: 'Facts right',
      citation_validity: 'Valid citations',
      refusal_recall: 'Expected refusals made',
      false_refusals: 'Wrong refusals',
      latency_p95_ms: 'Latency p95 (ms)'
    },
    evalCompare: function (prev) { return 'Compared with the previous run (' + prev + ')'; },
    evalNoCompare: 'No previous run to compare with.',
    colMetric: 'Measure',
    colBefore: 'Before',
    colAfter: 'After',
    colDelta: 'Change',
    evalBetter: function (n) { return n + ' question' + (n === 1 ? '' : 's') + ' answered better'; },
    evalWorse: function (n) { return n + ' question' + (n === 1 ? '' : 's') + ' answered worse'; },

    auditTitle: 'Audit log',
    auditFilters: 'Log filter',
    auditAction: 'Action',
    auditCaption: 'Audit log, newest first',
    colUser: 'User',
    colAction: 'Action',
    colTarget: 'Target',
    colDetail: 'Detail',
    auditNoun: 'entries',
    auditEmpty: 'No entries.',

    reasons: {
      answered: 'answered',
      instruction: 'injected instruction',
      account: 'question about a personal account',
      no_passages: 'no passage found',
      figure_not_found: 'figure not in the passages',
      terms_not_covered: 'key terms not covered',
      low_similarity: 'similarity too low',
      type_not_found: 'contact not in the passages',
      off_topic: 'off topic',
      unsupported: 'answer not supported by the sources',
      no_information: 'the guide says it has no information',
      foreign_rule: 'another country\u2019s rule',
      refused: 'refused',
      thumbs_down: 'negative rating 👎',
      low_confidence: 'low confidence',
      incorrect: 'reviewed: incorrect',
      incomplete: 'reviewed: incomplete'
    }
  };

  function storedLang() {
    try { return window.localStorage.getItem(LANG_KEY); } catch (e) { return null; }
  }

  // The console's language: the one chosen in its header, else the browser's first supported one, else French.
  function pickLang() {
    var chosen = storedLang();
    if (chosen && LANGS.indexOf(chosen) !== -1) return chosen;
    var prefs = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || '']);
    for (var i = 0; i < prefs.length; i++) {
      var p = String(prefs[i] || '').slice(0, 2).toLowerCase();
      if (LANGS.indexOf(p) !== -1) return p;
    }
    return 'fr';
  }

  function missingStrings() {
    function keys(obj, prefix, out) {
      Object.keys(obj).sort().forEach(function (k) {
        var v = obj[k];
        out.push(prefix + k + ':' + (typeof v === 'function' ? 'fn' : Array.isArray(v) ? 'list' + v.length : typeof v));
        if (v && typeof v === 'object' && !Array.isArray(v)) keys(v, prefix + k + '.', out);
      });
      return out;
    }
    var ref = keys(STRINGS.fr, '', []);
    var missing = [];
    LANGS.forEach(function (lang) {
      var mine = keys(STRINGS[lang], '', []);
      ref.forEach(function (k) { if (mine.indexOf(k) === -1) missing.push(lang + ' lacks ' + k); });
      mine.forEach(function (k) { if (ref.indexOf(k) === -1) missing.push(lang + ' has extra ' + k); });
    });
    return missing;
  }

  var LANG = pickLang();
  var S = STRINGS[LANG];

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
    return keys.map(function (k) { return k + S.colon + fmtValue(obj[k]); }).join(', ');
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
  function apiDelete(path) { return request('DELETE', path); }

  function has(obj, key) { return !!obj && Object.prototype.hasOwnProperty.call(obj, key); }

  // The server's own message is English, for developers: the adviser reads the console's sentence for its code
  // (or for the finer "reason" some 422s carry).
  function errorReason(r) {
    var e = r && r.data && r.data.error;
    return e && typeof e.reason === 'string' ? e.reason : '';
  }

  function errorText(r) {
    if (!r || r.status === 0) return S.errNetwork;
    var reason = errorReason(r), code = errorCode(r);
    if (reason && has(S.errors, reason)) return S.errors[reason];
    if (code && has(S.errors, code)) return S.errors[code];
    if (r.status === 403) return S.accessDenied;
    if (r.status === 404) return S.errNotFound;
    return S.errServer(r.status);
  }

  function errorBox(r) {
    if (r && r.status === 403 && errorCode(r) !== 'csrf_failed') return deniedBox();
    return el('div', { class: 'alert error', role: 'alert' }, [errorText(r)]);
  }

  function deniedBox() {
    return el('div', { class: 'alert denied', role: 'alert' }, [
      el('h1', { class: 'denied-title', text: S.accessDenied }),
      para(S.accessDeniedHelp),
      el('p', null, [consoleLink('/console', S.backToConsole, 'back-link')])
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

  // ================================================================ language of the page
  // The language names are each written in their own language, whatever the console's.
  var LANG_NAMES = { fr: 'Français', nl: 'Nederlands', en: 'English' };

  function setText(selector, text) {
    var node = document.querySelector(selector);
    if (node) node.textContent = text;
  }

  // The HTML files carry French; the script puts the console's language in their place.
  function localisePage() {
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
    { perm: 'evals', path: '/console/evals', label: S.nav.evals },
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
      var reviews = reviewPanel();
      var sections = msgs.map(function (m, i) {
        var sec = messageSection(m, i, msgs.length, reviews);
        holder.appendChild(sec);
        return sec;
      });
      var target = null;
      if (location.hash) {
        var frag = location.hash.slice(1);
        try { frag = decodeURIComponent(frag); } catch (e) { /* keep it raw */ }
        target = document.getElementById(frag);
        if (target) { target.classList.add('targeted'); target.scrollIntoView(); }
      }
      // the form opens by itself on the answer the link pointed at, or on the only answer there is
      var only = sections.length === 1 ? sections[0] : null;
      var opener = (target && target.querySelector('button.review-open')) || (only && only.querySelector('button.review-open'));
      if (opener) reviews.open(opener, false);
    });
  }

  // ---------------------------------------------------------------- the answer as the member saw it
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

  function renderAnswer(text, citations, mid) {
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

  function citationList(citations, mid) {
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

  // ---------------------------------------------------------------- what decided, in words
  function whySentence(m) {
    var e = m.explanation && typeof m.explanation === 'object' ? m.explanation : {};
    var closest = m.closest_article && typeof m.closest_article === 'object' ? m.closest_article : null;
    var title = S.quoted(closest && !isBlank(closest.title) ? String(closest.title) : S.dash);
    var expl = {
      key_terms: typeof e.key_terms === 'number' ? e.key_terms : 0,
      terms_found: typeof e.terms_found === 'number' ? e.terms_found : null,
      missing_figures: Array.isArray(e.missing_figures) ? e.missing_figures.map(String) : []
    };
    if (!m.refused) return S.whyAnswered(title, expl.terms_found, expl.key_terms, e.legs_agree === true);
    var reason = String(m.reason || e.reason || '');
    return has(S.whyRefused, reason) ? S.whyRefused[reason](expl, title) : S.whyOther(reason || '?');
  }

  function evidenceBox(m) {
    var closest = m.closest_article && typeof m.closest_article === 'object' ? m.closest_article : null;
    var article = closest
      ? el('span', { class: 'closest' }, [
        externalLink(closest.url, isBlank(closest.title) ? str(closest.doc_id) : String(closest.title), 'closest-title'),
        isBlank(closest.section) ? null : el('span', { class: 'muted', text: ' — ' + String(closest.section) })
      ])
      : el('span', { class: 'muted', text: S.noClosest });
    return el('div', { class: 'evidence panel' }, [
      defList([[S.closestArticle, article], [S.why, el('p', { class: 'why', text: whySentence(m) })]], 'kv evidence-list')
    ]);
  }

  function scoreRank(score, rank) {
    var s = fmtScore(score);
    if (rank === null || rank === undefined || rank === '') return s;
    return s + ' / ' + String(rank);
  }

  function citedDocIds(citations) {
    var set = Object.create(null);
    citations.forEach(function (c) { if (!isBlank(c.doc_id)) set[String(c.doc_id)] = true; });
    return set;
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

  // Titles of the served index's articles, fetched once per page (a review names its sources by id).
  var documentTitles = null;
  function loadDocumentTitles() {
    if (!documentTitles) {
      documentTitles = apiGet('/api/console/documents').then(function (r) {
        var titles = Object.create(null);
        (r.ok && r.data && Array.isArray(r.data.items) ? r.data.items : []).forEach(function (d) {
          if (!isBlank(d.doc_id)) titles[String(d.doc_id)] = { title: isBlank(d.title) ? String(d.doc_id) : String(d.title), lang: d.lang };
        });
        return titles;
      });
    }
    return documentTitles;
  }

  function reviewView(review) {
    var box = el('div', { class: 'review-current' });
    if (!review) { box.appendChild(para(S.noReview, 'muted')); return box; }
    var v = has(S.verdicts, review.verdict) ? S.verdicts[review.verdict] : str(review.verdict);
    var docs = Array.isArray(review.expected_doc_ids) ? review.expected_doc_ids.map(String) : [];
    var docList = el('span', { class: 'expected-docs', text: docs.length ? docs.join(', ') : S.dash });
    if (docs.length) {
      loadDocumentTitles().then(function (titles) {
        docList.textContent = docs.map(function (d) { return titles[d] ? titles[d].title : d; }).join(', ');
      });
    }
    box.appendChild(el('p', { class: 'verdict verdict-' + String(review.verdict).replace(/[^a-z]/g, '') }, [
      el('strong', { text: S.verdict + S.colon }), v
    ]));
    box.appendChild(defList([
      [S.correctedAnswer, isBlank(review.corrected_answer) ? S.dash : el('div', { class: 'pre', text: String(review.corrected_answer) })],
      [S.expectedDocs, docList],
      [S.note, isBlank(review.note) ? S.dash : el('div', { class: 'pre', text: String(review.note) })]
    ]));
    box.appendChild(para(S.reviewedBy(isBlank(review.reviewer) ? '' : String(review.reviewer), fmtDate(review.created_at)), 'muted'));
    return box;
  }

  function messageSection(m, i, n, reviews) {
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
    sec.appendChild(renderAnswer(isBlank(m.answer) ? '' : String(m.answer), citations, mid));
    sec.appendChild(el('h3', { text: S.citations }));
    sec.appendChild(citationList(citations, mid));

    sec.appendChild(el('h3', { text: S.evidence }));
    sec.appendChild(evidenceBox(m));

    sec.appendChild(el('h3', { text: S.feedback }));
    sec.appendChild(feedbackList(feedback));

    // scores, ranks and the gate's raw features: for whoever wants to look under the hood
    sec.appendChild(el('details', { class: 'evidence-details' }, [
      el('summary', { text: S.details }),
      el('h4', { text: S.passages }),
      passages.length ? tableWrap(passagesTable(passages, citedDocIds(citations), false), S.passages) : para(S.noPassages, 'muted'),
      el('h4', { text: S.gate }),
      gateList(m.gate)
    ]));

    sec.appendChild(el('h3', { text: S.review }));
    var current = reviewView(m.review);
    sec.appendChild(current);
    if (can('review')) {
      var slot = el('div', { class: 'review-slot' });
      var opener = el('button', {
        type: 'button', class: 'review-open secondary', 'aria-expanded': 'false',
        text: m.review ? S.reviewChange : S.reviewOpen
      });
      opener.addEventListener('click', function () { reviews.open(opener, true); });
      reviewOpeners.set(opener, { message: m, index: i, slot: slot, current: current, opener: opener });
      sec.appendChild(el('p', { class: 'review-actions' }, [opener]));
      sec.appendChild(slot);
    }
    return sec;
  }

  // One review form on the page at a time: opening one closes the other, and it sits under its own answer.
  var reviewOpeners = new WeakMap();
  function reviewPanel() {
    var openFor = null;
    function close() {
      if (!openFor) return;
      var ctx = reviewOpeners.get(openFor);
      clear(ctx.slot);
      openFor.setAttribute('aria-expanded', 'false');
      openFor.hidden = false;
      openFor = null;
    }
    return {
      open: function (opener, focus) {
        var ctx = reviewOpeners.get(opener);
        if (!ctx) return;
        if (openFor === opener) return;
        close();
        openFor = opener;
        opener.setAttribute('aria-expanded', 'true');
        opener.hidden = true;
        var form = reviewForm(ctx, function () { var back = opener; close(); back.focus(); });
        ctx.slot.appendChild(form);
        if (focus) form.querySelector('input[name="verdict"]').focus();
      },
      close: close
    };
  }

  function reviewForm(ctx, onCancel) {
    var m = ctx.message;
    var mid = String(m.id);
    var p = 'rv-' + ctx.index + '-';
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

    var corrected = el('textarea', { id: p + 'corrected', name: 'corrected_answer', rows: '5' });
    form.appendChild(el('div', { class: 'field' }, [el('label', { for: p + 'corrected', text: S.correctedAnswer }), corrected]));

    var picker = docPicker(p);
    form.appendChild(picker.node);

    form.appendChild(el('div', { class: 'field' }, [
      el('label', { for: p + 'note', text: S.note }),
      el('textarea', { id: p + 'note', name: 'note', rows: '3' })
    ]));

    var saved = el('p', { class: 'review-saved', role: 'status' });
    var error = el('p', { class: 'review-error', role: 'alert', id: p + 'error' });
    var submit = el('button', { type: 'submit', class: 'primary', text: S.saveReview });
    var cancel = el('button', { type: 'button', class: 'secondary review-cancel', text: S.cancel });
    cancel.addEventListener('click', onCancel);
    form.appendChild(el('div', { class: 'form-actions' }, [submit, cancel]));
    form.appendChild(saved);
    form.appendChild(error);

    function prefill(review) {
      if (!review) return;
      Array.prototype.forEach.call(form.querySelectorAll('input[name="verdict"]'), function (r) { r.checked = r.value === review.verdict; });
      corrected.value = isBlank(review.corrected_answer) ? '' : String(review.corrected_answer);
      picker.set(Array.isArray(review.expected_doc_ids) ? review.expected_doc_ids.map(String) : []);
      form.elements.note.value = isBlank(review.note) ? '' : String(review.note);
    }
    prefill(m.review);

    function showError(r) {
      error.textContent = errorText(r);
      var code = errorCode(r), reason = errorReason(r);
      var field = code === 'corrected_answer_required' ? corrected : reason === 'unknown_documents' ? picker.input : null;
      if (field) {
        field.setAttribute('aria-invalid', 'true');
        field.setAttribute('aria-describedby', p + 'error');
        field.focus();
      }
    }

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      saved.textContent = '';
      error.textContent = '';
      [corrected, picker.input].forEach(function (f) { f.removeAttribute('aria-invalid'); });
      var checked = form.querySelector('input[name="verdict"]:checked');
      if (!checked) {
        error.textContent = S.chooseVerdict;
        form.querySelector('input[name="verdict"]').focus();
        return;
      }
      var note = form.elements.note.value;
      var body = {
        verdict: checked.value,
        corrected_answer: corrected.value.trim() ? corrected.value : null,
        expected_doc_ids: picker.value(),
        note: note.trim() ? note : null
      };
      submit.disabled = true;
      submit.textContent = S.saving;
      apiPost('/api/console/messages/' + encodeURIComponent(mid) + '/review', body).then(function (r) {
        submit.disabled = false;
        submit.textContent = S.saveReview;
        if (r.ok && r.data) {
          var fresh = reviewView(r.data);
          ctx.current.parentNode.replaceChild(fresh, ctx.current);
          ctx.current = fresh;
          m.review = r.data;
          ctx.opener.textContent = S.reviewChange;
          prefill(r.data);
          saved.textContent = S.reviewSaved;
        } else {
          showError(r);
        }
      });
    });
    return form;
  }

  // The sources an answer should cite, chosen by title: a search box over GET /api/console/documents?q=, the
  // articles found as buttons, the chosen ones as a list with a remove button each.
  function docPicker(p) {
    var chosen = [];
    var seq = 0;
    var input = el('input', {
      id: p + 'docs', name: 'expected_doc_ids', type: 'search', autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': p + 'docs-help', 'aria-controls': p + 'docs-list'
    });
    var status = el('p', { class: 'sr-only', role: 'status', id: p + 'docs-status' });
    var list = el('ul', { class: 'doc-suggestions', id: p + 'docs-list', 'aria-label': S.suggestionsLabel });
    var picked = el('ul', { class: 'chosen-docs', 'aria-label': S.chosenDocs });
    var none = para(S.noChosenDocs, 'muted no-chosen');
    var node = el('div', { class: 'field doc-picker' }, [
      el('p', { class: 'field-title', text: S.expectedDocs }),
      picked, none,
      el('label', { for: p + 'docs', text: S.docSearch }),
      input,
      el('p', { class: 'help', id: p + 'docs-help', text: S.expectedDocsHelp }),
      list, status
    ]);

    function draw() {
      clear(picked);
      none.hidden = chosen.length > 0;
      loadDocumentTitles().then(function (titles) {
        clear(picked);
        chosen.forEach(function (docId) {
          var t = titles[docId] ? titles[docId].title : docId;
          var remove = el('button', { type: 'button', class: 'link-button remove-doc', 'aria-label': S.removeDoc(S.quoted(t)), text: '×' });
          remove.addEventListener('click', function () {
            chosen = chosen.filter(function (d) { return d !== docId; });
            draw();
            input.focus();
          });
          picked.appendChild(el('li', { class: 'chosen-doc', 'data-doc-id': docId }, [
            el('span', { class: 'chosen-title', text: t }),
            titles[docId] && !isBlank(titles[docId].lang) ? el('span', { class: 'muted', text: ' (' + String(titles[docId].lang) + ')' }) : null,
            ' ', remove
          ]));
        });
      });
    }

    function choose(docId) {
      if (chosen.indexOf(docId) === -1) chosen.push(docId);
      input.value = '';
      clear(list);
      status.textContent = '';
      draw();
      input.focus();
    }

    var lookup = debounce(function () {
      var q = input.value.trim();
      var mine = ++seq;
      if (q.length < 2) { clear(list); status.textContent = ''; return; }
      apiGet('/api/console/documents?q=' + encodeURIComponent(q)).then(function (r) {
        if (mine !== seq) return;
        clear(list);
        if (!r.ok || !r.data) { status.textContent = errorText(r); return; }
        var items = (Array.isArray(r.data.items) ? r.data.items : []).filter(function (d) { return !isBlank(d.doc_id); }).slice(0, 8);
        items.forEach(function (d) {
          var docId = String(d.doc_id);
          var title = isBlank(d.title) ? docId : String(d.title);
          var lang = isBlank(d.lang) ? '' : String(d.lang);
          var b = el('button', { type: 'button', class: 'doc-suggestion link-button', 'data-doc-id': docId, 'aria-label': S.addDoc(S.quoted(title), lang) }, [
            el('span', { class: 'doc-title', text: title }),
            lang ? el('span', { class: 'muted', text: ' (' + lang + (isBlank(d.source) ? '' : ', ' + String(d.source)) + ')' }) : null
          ]);
          b.addEventListener('click', function () { choose(docId); });
          list.appendChild(el('li', null, [b]));
        });
        status.textContent = S.suggestionsCount(items.length);
      });
    }, 250);
    input.addEventListener('input', lookup);
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') e.preventDefault(); // Enter in the search box does not send the review
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
    draw();
    return {
      node: node,
      input: input,
      value: function () { return chosen.slice(); },
      set: function (ids) { chosen = ids.slice(); draw(); }
    };
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
    var rendered = renderAnswer(isBlank(d.answer) ? '' : String(d.answer), citations, 'preview');
    rendered.id = 'preview-answer';
    box.appendChild(rendered);
    box.appendChild(el('h3', { text: S.citations }));
    var cl = citationList(citations, 'preview');
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
  var GAP_FILTERS = ['since', 'until', 'min_count', 'view'];
  var SVG_NS = 'http://www.w3.org/2000/svg';

  function renderGaps(main) {
    setTitle(S.gapsTitle);
    main.appendChild(el('h1', { text: S.gapsTitle }));
    var form = el('form', { id: 'gaps-filters', class: 'filters', 'aria-label': S.gapsFilters }, [
      el('div', { class: 'fields' }, [
        inputField('since', S.since, 'date', 'g-since'),
        inputField('until', S.until, 'date', 'g-until'),
        inputField('min_count', S.gapsMinCount, 'number', 'g-min', { min: '1', step: '1', inputmode: 'numeric' }),
        selectField('view', S.gapsView, S.gapsViewOpts, 'g-view')
      ]),
      filterButtons()
    ]);
    var csv = el('a', { id: 'gaps-csv', class: 'button secondary', href: '/api/console/gaps.csv', download: '', text: S.gapsCsv });
    var total = el('p', { id: 'gaps-total', role: 'status' });
    var notice = el('p', { id: 'gaps-notice', class: 'notice', role: 'status' });
    var groups = el('div', { id: 'gaps', class: 'gap-groups' });
    main.appendChild(form);
    main.appendChild(el('p', { class: 'toolbar' }, [csv]));
    main.appendChild(total);
    main.appendChild(notice);
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
          list.forEach(function (g, i) {
            groups.appendChild(gapGroup(g, i, function (text) { notice.textContent = text; ctl.refresh(); }));
          });
        });
      }
    });
    ctl.refresh();
  }

  // A small bar chart of the group's questions per week, drawn with SVG elements (no markup parsed).
  function trendChart(counts) {
    var w = 8, gap = 2, h = 28;
    var max = Math.max.apply(null, counts.concat([1]));
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', 'trend');
    svg.setAttribute('width', String(counts.length * (w + gap)));
    svg.setAttribute('height', String(h));
    svg.setAttribute('viewBox', '0 0 ' + counts.length * (w + gap) + ' ' + h);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', S.trendLabel(counts));
    counts.forEach(function (n, i) {
      var bh = n ? Math.max(2, Math.round((n / max) * (h - 2))) : 1;
      var rect = document.createElementNS(SVG_NS, 'rect');
      rect.setAttribute('x', String(i * (w + gap)));
      rect.setAttribute('y', String(h - bh));
      rect.setAttribute('width', String(w));
      rect.setAttribute('height', String(bh));
      rect.setAttribute('class', n ? 'bar' : 'bar empty');
      rect.setAttribute('data-count', String(n));
      var title = document.createElementNS(SVG_NS, 'title');
      title.textContent = S.trendWeek(i + 1, n);
      rect.appendChild(title);
      svg.appendChild(rect);
    });
    return svg;
  }

  // Out of scope / article planned: the mark, who set it, and how to take it off; or the form to set one.
  function gapMarkControls(g, i, done) {
    var box = el('div', { class: 'gap-mark' });
    var error = el('p', { class: 'form-error', role: 'alert' });
    var mark = g.mark && typeof g.mark === 'object' ? g.mark : null;
    if (!can('gaps')) return box;
    if (mark) {
      var label = has(S.markStatus, mark.status) ? S.markStatus[mark.status] : str(mark.status);
      var unmark = el('button', { type: 'button', class: 'secondary unmark', text: S.unmark });
      unmark.addEventListener('click', function () {
        unmark.disabled = true;
        apiDelete('/api/console/gaps/marks/' + encodeURIComponent(String(mark.id))).then(function (r) {
          unmark.disabled = false;
          if (r.ok) done(S.unmarkSaved); else error.textContent = errorText(r);
        });
      });
      box.appendChild(el('p', { class: 'mark-state', 'data-status': String(mark.status) }, [
        el('span', { class: 'badge badge-mark', text: S.markedBy(label, str(mark.by), fmtDate(mark.at)) }), ' ', unmark
      ]));
    } else {
      var sid = 'gap-mark-' + i;
      var select = el('select', { id: sid, name: 'status', class: 'mark-status' });
      Object.keys(S.markStatus).forEach(function (k) { select.appendChild(el('option', { value: k, text: S.markStatus[k] })); });
      var button = el('button', { type: 'button', class: 'secondary mark', text: S.markButton });
      button.addEventListener('click', function () {
        button.disabled = true;
        var ids = Array.isArray(g.message_ids) ? g.message_ids.map(String) : [];
        apiPost('/api/console/gaps/marks', { status: select.value, message_ids: ids }).then(function (r) {
          button.disabled = false;
          if (r.ok) done(S.markSaved); else error.textContent = errorText(r);
        });
      });
      box.appendChild(el('div', { class: 'mark-form' }, [el('label', { for: sid, text: S.markLabel }), ' ', select, ' ', button]));
    }
    box.appendChild(error);
    return box;
  }

  function gapGroup(g, i, done) {
    var count = parseInt(g.count, 10) || 0;
    var hid = 'gap-h-' + i;
    var art = el('article', {
      class: 'gap-group' + (g.mark ? ' marked' : ''), 'data-count': String(count),
      'data-id': isBlank(g.id) ? null : String(g.id), 'aria-labelledby': hid
    });
    art.appendChild(el('h2', { id: hid, text: S.gapHeading(i + 1, count) }));
    art.appendChild(gapMarkControls(g, i, done));

    var reasons = g.reasons && typeof g.reasons === 'object' ? g.reasons : {};
    var rl = el('ul', { class: 'reasons inline-list' });
    Object.keys(reasons).forEach(function (k) {
      rl.appendChild(el('li', { 'data-reason': k, text: (has(S.reasons, k) ? S.reasons[k] : k) + S.colon + fmtValue(reasons[k]) }));
    });
    var trend = Array.isArray(g.trend) ? g.trend.map(function (n) { return parseInt(n, 10) || 0; }) : [];
    art.appendChild(defList([
      [S.gapLanguages, el('span', { class: 'languages', text: fmtCounts(g.languages) })],
      [S.gapReasons, Object.keys(reasons).length ? rl : S.dash],
      [S.gapTrend, trend.length ? trendChart(trend) : S.dash]
    ], 'kv inline'));

    var examples = Array.isArray(g.examples) ? g.examples : [];
    art.appendChild(el('h3', { text: S.gapExamples }));
    var ul = el('ul', { class: 'examples' });
    examples.forEach(function (ex) {
      var li = el('li', { class: 'example' }, [el('span', { class: 'example-question pre', text: isBlank(ex.question) ? S.dash : String(ex.question) })]);
      var meta = el('span', { class: 'muted example-meta' }, [' · ', timeEl(ex.created_at)]);
      if (!isBlank(ex.reason)) meta.appendChild(document.createTextNode(' · ' + reasonText(ex.reason)));
      if (!isBlank(ex.conversation_id)) {
        meta.appendChild(document.createTextNode(' · '));
        meta.appendChild(consoleLink(conversationHref(ex), S.openConversation, 'example-link'));
      }
      li.appendChild(meta);
      ul.appendChild(li);
    });
    art.appendChild(examples.length ? ul : para(S.dash));

    var comments = Array.isArray(g.comments) ? g.comments : [];
    if (comments.length) {
      art.appendChild(el('h3', { text: S.gapComments }));
      var cl = el('ul', { class: 'gap-comments' });
      comments.forEach(function (c) {
        cl.appendChild(el('li', { class: 'gap-comment' }, [
          el('blockquote', { class: 'comment', text: str(c.comment) }),
          el('span', { class: 'muted' }, [timeEl(c.created_at), isBlank(c.conversation_id) ? null : ' · ',
            isBlank(c.conversation_id) ? null : consoleLink(conversationHref(c), S.openConversation, 'example-link')])
        ]));
      });
      art.appendChild(cl);
    }

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

  function conversationHref(x) {
    return '/console/conversations/' + encodeURIComponent(String(x.conversation_id)) +
      (isBlank(x.message_id) ? '' : '#message-' + encodeURIComponent(String(x.message_id)));
  }

  // ================================================================ 5. corpus status
  var STATUS_FILTERS = ['since', 'until'];

  function renderStatus(main) {
    setTitle(S.statusTitle);
    main.appendChild(el('h1', { text: S.statusTitle }));
    var form = el('form', { id: 'status-filters', class: 'filters', 'aria-label': S.sPeriod }, [
      el('div', { class: 'fields' }, [inputField('since', S.since, 'date', 's-since'), inputField('until', S.until, 'date', 's-until')]),
      filterButtons()
    ]);
    var box = el('div', { id: 'status', 'aria-busy': 'true' }, [para(S.loading)]);
    main.appendChild(form);
    main.appendChild(box);
    var ctl = listController({
      form: form,
      names: STATUS_FILTERS,
      load: function (params, current) {
        var api = new URLSearchParams();
        STATUS_FILTERS.forEach(function (k) { var v = params.get(k); if (v && v.trim()) api.set(k, v.trim()); });
        box.setAttribute('aria-busy', 'true');
        apiGet('/api/console/status' + qsFrom(api)).then(function (r) {
          if (!current()) return;
          box.removeAttribute('aria-busy');
          clear(box);
          if (!r.ok || !r.data) { box.appendChild(errorBox(r)); return; }
          var corpus = r.data.corpus && typeof r.data.corpus === 'object' ? r.data.corpus : {};
          drawCorpusUsage(box, corpus);
          box.appendChild(buildDetails(r.data));
        });
      }
    });
    ctl.refresh();
  }

  function articleCell(d) {
    return el('td', { class: 'article' }, [
      externalLink(d.url, isBlank(d.title) ? str(d.doc_id) : String(d.title), 'article-title'),
      el('span', { class: 'muted doc-id', text: ' (' + str(d.doc_id) + ')' })
    ]);
  }

  function articleTable(id, caption, heads, rows) {
    var tbody = el('tbody');
    rows.forEach(function (cells) { tbody.appendChild(el('tr', { class: 'article-row' }, cells)); });
    var table = el('table', { id: id, class: 'data articles' }, [
      el('caption', { class: 'sr-only', text: caption }),
      el('thead', null, [el('tr', null, heads.map(function (h) { return th(h); }))]),
      tbody
    ]);
    return tableWrap(table, caption);
  }

  function drawCorpusUsage(box, c) {
    var stale = Array.isArray(c.stale) ? c.stale : [];
    var never = Array.isArray(c.never_cited) ? c.never_cited : [];
    var down = Array.isArray(c.thumbs_down) ? c.thumbs_down : [];
    var days = parseInt(c.stale_after_days, 10) || 0;

    box.appendChild(el('section', { class: 'corpus-section', 'aria-labelledby': 'stale-h' }, [
      el('h2', { id: 'stale-h', text: S.sStale(days) }),
      stale.length
        ? articleTable('stale', S.sStale(days), [S.colTitle, S.colSource, S.colLang, S.colUpdated, S.colAge], stale.map(function (d) {
          return [articleCell(d), el('td', { text: str(d.source) }), el('td', { text: str(d.lang) }),
            el('td', { class: 'nowrap', text: str(d.updated) }), el('td', { class: 'num', text: S.days(parseInt(d.age_days, 10) || 0) })];
        }))
        : para(S.sStaleNone, 'muted')
    ]));

    var period = (isBlank(c.since) ? '' : String(c.since)) + ' → ' + (isBlank(c.until) ? '' : String(c.until));
    box.appendChild(el('section', { class: 'corpus-section', 'aria-labelledby': 'never-h' }, [
      el('h2', { id: 'never-h' }, [S.sNeverCited + ' ', el('span', { class: 'muted', text: '(' + period + ')' })]),
      never.length
        ? articleTable('never-cited', S.sNeverCited, [S.colTitle, S.colSource, S.colLang, S.colUpdated], never.map(function (d) {
          return [articleCell(d), el('td', { text: str(d.source) }), el('td', { text: str(d.lang) }), el('td', { class: 'nowrap', text: str(d.updated) })];
        }))
        : para(S.sNeverCitedNone, 'muted')
    ]));

    box.appendChild(el('section', { class: 'corpus-section', 'aria-labelledby': 'down-h' }, [
      el('h2', { id: 'down-h', text: S.sThumbsDown }),
      down.length
        ? articleTable('thumbs-down-cited', S.sThumbsDown, [S.colTitle, S.colThumbsDown, S.colCited], down.map(function (d) {
          return [articleCell(d), el('td', { class: 'num', text: str(d.thumbs_down) }), el('td', { class: 'num', text: str(d.cited) })];
        }))
        : para(S.sThumbsDownNone, 'muted')
    ]));
  }

  // The index build behind a toggle: the content team reads the lists above first.
  function buildDetails(d) {
    var ix = d.index && typeof d.index === 'object' ? d.index : {};
    var details = el('details', { id: 'build-details', class: 'build-details' }, [
      el('summary', null, [S.sBuildDetails, el('span', { id: 'status-build-id', text: str(ix.build_id) })])
    ]);
    details.appendChild(el('h2', { text: S.sIndex }));
    if (!isBlank(d.serving_build) && !isBlank(ix.build_id) && String(d.serving_build) !== String(ix.build_id)) {
      details.appendChild(el('p', { class: 'alert warning', role: 'note', text: S.sServingMismatch }));
    }
    details.appendChild(defList([
      [S.sBuildId, str(ix.build_id)],
      [S.sServing, el('span', { id: 'status-serving-build', text: str(d.serving_build) })],
      [S.sBuiltAt, timeEl(ix.built_at)],
      [S.sEmbedder, el('span', { id: 'status-embedder', text: str(ix.embedder) })],
      [S.sDocuments, el('span', { id: 'status-documents', text: str(ix.documents) })],
      [S.sChunks, el('span', { id: 'status-chunks', text: str(ix.chunks) })],
      [S.sByLang, el('span', { id: 'status-by-lang', text: fmtCounts(ix.by_lang) })],
      [S.sBySource, el('span', { id: 'status-by-source', text: fmtCounts(ix.by_source) })],
      [S.sBuildSeconds, isBlank(ix.build_seconds) ? S.dash : S.seconds(fmtScore(ix.build_seconds))]
    ], 'kv status-index'));

    details.appendChild(el('h2', { text: S.sChanges }));
    var ch = d.changes && typeof d.changes === 'object' ? d.changes : null;
    if (!ch) details.appendChild(para(S.sNoChanges, 'muted'));
    var grid = el('div', { class: 'changes' });
    [['added', S.sAdded, 'changes-added'], ['changed', S.sChanged, 'changes-changed'],
      ['removed', S.sRemoved, 'changes-removed'], ['kept_after_error', S.sKept, 'changes-kept']].forEach(function (c) {
      var v = ch ? ch[c[0]] : null;
      var ids = Array.isArray(v) ? v.map(String) : [];
      var count = Array.isArray(v) ? ids.length : (typeof v === 'number' ? v : 0);
      var ul = el('ul', { id: c[2], class: 'doc-list', 'data-count': String(count) });
      ids.forEach(function (x) { ul.appendChild(el('li', { text: x })); });
      grid.appendChild(el('section', { class: 'panel', 'aria-labelledby': c[2] + '-h' }, [
        el('h3', { id: c[2] + '-h', text: c[1] + ' (' + count + ')' }),
        ul,
        ids.length ? null : para(typeof v === 'number' ? String(v) : '(' + S.none + ')', 'muted')
      ]));
    });
    if (ch) {
      details.appendChild(grid);
      details.appendChild(defList([
        [S.sEmbedded, el('span', { id: 'changes-embedded', text: str(ch.embedded_chunks) })],
        [S.sReused, el('span', { id: 'changes-reused', text: str(ch.reused_chunks) })]
      ], 'kv inline'));
    }

    details.appendChild(el('h2', { text: S.sErrors }));
    var errs = Array.isArray(d.errors) ? d.errors : [];
    var eul = el('ul', { id: 'status-errors', class: 'errors' });
    errs.forEach(function (e) {
      eul.appendChild(el('li', null, [el('code', { text: str(e && e.path) }), S.colon, str(e && e.message)]));
    });
    details.appendChild(eul);
    if (!errs.length) details.appendChild(para(S.sNoErrors, 'muted'));
    return details;
  }

  // ================================================================ 6. evals
  var EVAL_POLL_MS = 3000;
  var EVAL_METRICS = ['fact_accuracy', 'recall@5', 'refusal_recall', 'false_refusals'];
  var LOWER_IS_BETTER = ['false_refusals', 'latency_p95_ms'];

  function renderEvals(main) {
    setTitle(S.evalsTitle);
    main.appendChild(el('h1', { text: S.evalsTitle }));
    main.appendChild(para(S.evalsIntro, 'muted'));
    var start = el('button', { type: 'button', id: 'eval-start', class: 'primary', text: S.evalStart });
    var job = el('p', { id: 'eval-job', role: 'status' });
    var error = el('p', { id: 'eval-error', class: 'form-error', role: 'alert' });
    var runs = el('div', { id: 'eval-runs', 'aria-busy': 'true' }, [para(S.loading)]);
    main.appendChild(el('p', { class: 'toolbar' }, [start]));
    main.appendChild(job);
    main.appendChild(error);
    main.appendChild(runs);
    var timer = null;

    function load() {
      clearTimeout(timer);
      apiGet('/api/console/evals').then(function (r) {
        runs.removeAttribute('aria-busy');
        if (!r.ok || !r.data) { clear(runs).appendChild(errorBox(r)); return; }
        var j = r.data.job && typeof r.data.job === 'object' ? r.data.job : null;
        drawJob(job, j);
        start.disabled = !!j && j.state === 'running';
        drawRuns(clear(runs), Array.isArray(r.data.runs) ? r.data.runs : []);
        if (j && j.state === 'running') timer = setTimeout(load, EVAL_POLL_MS);
      });
    }

    start.addEventListener('click', function () {
      error.textContent = '';
      start.disabled = true;
      start.textContent = S.evalStarting;
      apiPost('/api/console/evals', { split: 'test' }).then(function (r) {
        start.textContent = S.evalStart;
        if (!r.ok) { error.textContent = errorText(r); start.disabled = false; }
        load();
      });
    });
    load();
  }

  function drawJob(box, j) {
    box.textContent = '';
    if (!j) return;
    box.setAttribute('data-state', String(j.state));
    if (j.state === 'running') box.textContent = S.evalJobRunning(str(j.started_by), fmtDate(j.started_at));
    else if (j.state === 'succeeded') box.textContent = S.evalJobSucceeded(fmtDate(j.finished_at));
    else box.textContent = S.evalJobFailed(str(j.returncode));
  }

  function metricName(k) { return has(S.metrics, k) ? S.metrics[k] : k; }

  function drawRuns(box, runs) {
    box.appendChild(el('h2', { text: S.evalRuns }));
    if (!runs.length) { box.appendChild(para(S.evalNoRuns, 'muted')); return; }
    var tbody = el('tbody');
    runs.forEach(function (run) {
      var summary = run.summary && typeof run.summary === 'object' ? run.summary : {};
      var cells = [
        el('td', { class: 'nowrap' }, [el('code', { text: str(run.id) })]),
        el('td', { text: str(run.variant) + ' · ' + str(run.writer) })
      ];
      EVAL_METRICS.forEach(function (k) { cells.push(el('td', { class: 'num', text: fmtScore(summary[k]) })); });
      cells.push(el('td', null, [run.report
        ? el('a', { class: 'eval-report', href: '/api/console/evals/' + encodeURIComponent(String(run.id)) + '/report', target: '_blank', rel: 'noopener', text: S.evalReport })
        : S.dash]));
      tbody.appendChild(el('tr', { class: 'eval-run', 'data-id': str(run.id) }, cells));
    });
    box.appendChild(tableWrap(el('table', { id: 'eval-runs-table', class: 'data' }, [
      el('caption', { class: 'sr-only', text: S.evalRunsCaption }),
      el('thead', null, [el('tr', null, [th(S.colRun), th(S.colVariant)].concat(EVAL_METRICS.map(function (k) { return th(metricName(k)); }), [th(S.colReport)]))]),
      tbody
    ]), S.evalRuns));
    box.appendChild(comparisonView(runs[0]));
  }

  // What moved between the newest run and the one before it: the figures, then the questions.
  function comparisonView(run) {
    var c = run.comparison && typeof run.comparison === 'object' ? run.comparison : null;
    var sec = el('section', { id: 'eval-comparison', 'aria-labelledby': 'eval-cmp-h' });
    if (!c) {
      sec.appendChild(el('h2', { id: 'eval-cmp-h', text: S.evalCompare(S.dash) }));
      sec.appendChild(para(S.evalNoCompare, 'muted'));
      return sec;
    }
    sec.appendChild(el('h2', { id: 'eval-cmp-h', text: S.evalCompare(str(c.previous)) }));
    var deltas = c.deltas && typeof c.deltas === 'object' ? c.deltas : {};
    var summary = run.summary && typeof run.summary === 'object' ? run.summary : {};
    var tbody = el('tbody');
    Object.keys(S.metrics).forEach(function (k) {
      if (!has(deltas, k)) return;
      var d = Number(deltas[k]);
      var after = summary[k];
      var before = typeof after === 'number' && isFinite(d) ? after - d : null;
      var gain = LOWER_IS_BETTER.indexOf(k) === -1 ? d : -d;
      tbody.appendChild(el('tr', { class: 'delta' + (gain > 0 ? ' better' : gain < 0 ? ' worse' : ''), 'data-metric': k }, [
        el('th', { scope: 'row', text: metricName(k) }),
        el('td', { class: 'num', text: fmtScore(before) }),
        el('td', { class: 'num', text: fmtScore(after) }),
        el('td', { class: 'num', text: (d > 0 ? '+' : '') + fmtScore(d) })
      ]));
    });
    sec.appendChild(tableWrap(el('table', { class: 'data deltas' }, [
      el('caption', { class: 'sr-only', text: S.evalCompare(str(c.previous)) }),
      el('thead', null, [el('tr', null, [th(S.colMetric), th(S.colBefore), th(S.colAfter), th(S.colDelta)])]),
      tbody
    ]), S.colDelta));
    [['worse', S.evalWorse], ['better', S.evalBetter]].forEach(function (kind) {
      var items = Array.isArray(c[kind[0]]) ? c[kind[0]] : [];
      sec.appendChild(el('h3', { text: kind[1](items.length) }));
      var ul = el('ul', { class: 'eval-questions ' + kind[0] });
      items.forEach(function (q) {
        ul.appendChild(el('li', null, [el('code', { text: str(q.id) }), ' ', str(q.question)]));
      });
      if (items.length) sec.appendChild(ul);
    });
    return sec;
  }

  // ================================================================ 7. audit log
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
})();
