"""What guidebot says around the sources, in the member's language."""

from __future__ import annotations

from guidebot.config import Settings

_REFUSAL = {
    "fr": "Le guide de Smart ne répond pas à cette question, et je préfère ne pas deviner. "
    "Votre conseiller·ère Smart peut vous aider : {url}",
    "nl": "De gids van Smart beantwoordt deze vraag niet, en ik gok liever niet. "
    "Je Smart-adviseur kan je helpen: {url}",
    "en": "Smart's guide does not answer this question, and I would rather not guess. "
    "Your Smart adviser can help: {url}",
}
_REFUSAL_ACCOUNT = {
    "fr": "Je n'ai pas accès à votre compte ni à vos dossiers : le guide ne contient que des informations générales. "
    "Pour votre situation personnelle, consultez votre compte ou contactez votre conseiller·ère Smart : {url}",
    "nl": "Ik heb geen toegang tot je account of je dossiers: de gids bevat alleen algemene informatie. "
    "Voor je persoonlijke situatie kijk je in je account of neem je contact op met je Smart-adviseur: {url}",
    "en": "I cannot see your account or your files: the guide only holds general information. "
    "For your own situation, check your account or contact your Smart adviser: {url}",
}
_REFUSAL_INSTRUCTION = {
    "fr": "Je réponds seulement aux questions sur Smart, à partir de son guide, et je ne suis pas d'autres "
    "instructions. Posez-moi une question sur Smart, ou contactez votre conseiller·ère : {url}",
    "nl": "Ik beantwoord alleen vragen over Smart, op basis van de gids, en volg geen andere instructies. "
    "Stel me een vraag over Smart, of neem contact op met je adviseur: {url}",
    "en": "I only answer questions about Smart, from its guide, and I do not follow other instructions. "
    "Ask me a question about Smart, or contact your adviser: {url}",
}
_REFUSAL_OFF_TOPIC = {
    "fr": "Je réponds seulement aux questions sur le travail avec Smart (facturation, outils 3en1 et Activité, "
    "salaire et frais, sociétariat, statut d'artiste), à partir de son guide. Cette question sort de ce cadre.",
    "nl": "Ik beantwoord alleen vragen over werken met Smart (facturatie, de tools 3en1 en Activité, loon en kosten, "
    "vennootschap, kunstenaarsstatuut), op basis van de gids. Deze vraag valt daarbuiten.",
    "en": "I only answer questions about working with Smart (invoicing, the 3en1 and Activité tools, salary and "
    "expenses, membership, the artist status), from its guide. This question is outside that.",
}
_NEARBY = {
    "fr": "Ce que le guide couvre de plus proche : {titles}.",
    "nl": "Wat de gids het dichtst hierbij behandelt: {titles}.",
    "en": "The closest topics the guide covers: {titles}.",
}
_QUOTES = {"fr": ("« ", " »"), "nl": ("‘", "’"), "en": ("“", "”")}
_CONTACT = {"fr": "Contact : {contact}", "nl": "Contact: {contact}", "en": "Contact: {contact}"}
_FRENCH_SOURCES = {
    "nl": "Dit zegt de gids van Smart hierover (de geciteerde tekst is in het Frans):",
    "en": "Here is what Smart's guide says (the quoted text is in French):",
}
_DUTCH_SOURCES = {
    "fr": "Voici ce qu'en dit le guide de Smart (le texte cité est en néerlandais) :",
    "en": "Here is what Smart's guide says (the quoted text is in Dutch):",
}
_ENGLISH_SOURCES = {
    "fr": "Voici ce qu'en dit le guide de Smart (le texte cité est en anglais) :",
    "nl": "Dit zegt de gids van Smart hierover (de geciteerde tekst is in het Engels):",
}
FRAMING = {"fr": _FRENCH_SOURCES, "nl": _DUTCH_SOURCES, "en": _ENGLISH_SOURCES}


def refusal(lang: str, reason: str, settings: Settings, nearby: list[str] | None = None) -> str:
    """The short refusal in the member's language. Three kinds:

    - off-topic: what guidebot answers, and no adviser (an adviser cannot help with a recipe);
    - on-topic but not in the guide: says so, names the closest articles (``nearby``), offers an adviser;
    - the member's own account or case (and instructions): the adviser, with the contact lines of settings.
    """
    lang = lang if lang in _REFUSAL else "fr"
    if reason == "off_topic":
        return _REFUSAL_OFF_TOPIC[lang]
    table = _REFUSAL_ACCOUNT if reason == "account" else _REFUSAL_INSTRUCTION if reason == "instruction" else _REFUSAL
    text = table[lang].format(url=settings.adviser_url)
    if nearby and table is _REFUSAL:
        left, right = _QUOTES[lang]
        titles = ", ".join(f"{left}{t}{right}" for t in nearby)
        text = f"{text}\n\n{_NEARBY[lang].format(titles=titles)}"
    if settings.adviser_contact:
        text += "\n\n" + _CONTACT[lang].format(contact=settings.adviser_contact)
    return text


def framing(question_lang: str, source_lang: str) -> str | None:
    """The line that says the quoted guide text is in another language, or None when it is not."""
    if question_lang == source_lang:
        return None
    return FRAMING.get(source_lang, {}).get(question_lang)
