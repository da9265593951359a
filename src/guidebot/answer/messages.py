"""What guidebot says around the sources, in the member's language."""

from __future__ import annotations

from typing import Literal

from guidebot.config import Settings

# The refusals that offer an adviser say so without the address: it comes once, in the adviser paragraph that
# ends the refusal (the widget shows its adviser box in that paragraph's place).
_REFUSAL = {
    "fr": "Le guide de Smart ne répond pas à cette question, et je préfère ne pas deviner. "
    "Votre conseiller·ère Smart peut vous aider.",
    "nl": "De gids van Smart beantwoordt deze vraag niet, en ik gok liever niet. Je Smart-adviseur kan je helpen.",
    "en": "Smart's guide does not answer this question, and I would rather not guess. Your Smart adviser can help.",
}
_REFUSAL_ACCOUNT = {
    "fr": "Je n'ai pas accès à votre compte ni à vos dossiers : le guide ne contient que des informations générales. "
    "Pour votre situation personnelle, consultez votre compte ou contactez votre conseiller·ère Smart.",
    "nl": "Ik heb geen toegang tot je account of je dossiers: de gids bevat alleen algemene informatie. "
    "Voor je persoonlijke situatie kijk je in je account of neem je contact op met je Smart-adviseur.",
    "en": "I cannot see your account or your files: the guide only holds general information. "
    "For your own situation, check your account or contact your Smart adviser.",
}
_REFUSAL_INSTRUCTION = {
    "fr": "Je réponds seulement aux questions sur Smart, à partir de son guide, et je ne suis pas d'autres "
    "instructions. Posez-moi une question sur Smart, ou contactez votre conseiller·ère.",
    "nl": "Ik beantwoord alleen vragen over Smart, op basis van de gids, en volg geen andere instructies. "
    "Stel me een vraag over Smart, of neem contact op met je adviseur.",
    "en": "I only answer questions about Smart, from its guide, and I do not follow other instructions. "
    "Ask me a question about Smart, or contact your adviser.",
}
_REFUSAL_OFF_TOPIC = {
    "fr": "Je réponds seulement aux questions sur le travail avec Smart (facturation, outils 3en1 et Activité, "
    "salaire et frais, sociétariat, statut d'artiste), à partir de son guide. Cette question sort de ce cadre.",
    "nl": "Ik beantwoord alleen vragen over werken met Smart (facturatie, de tools 3en1 en Activité, loon en kosten, "
    "vennootschap, kunstenaarsstatuut), op basis van de gids. Deze vraag valt daarbuiten.",
    "en": "I only answer questions about working with Smart (invoicing, the 3en1 and Activité tools, salary and "
    "expenses, membership, the artist status), from its guide. This question is outside that.",
}
_ADVISER = {
    "fr": "Contacter un·e conseiller·ère : {url}",
    "nl": "Contact met een adviseur: {url}",
    "en": "Contact an adviser: {url}",
}
_OFFICE = {"fr": "{name} : {lines}", "nl": "{name}: {lines}", "en": "{name}: {lines}"}
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

# What the chat API says about a refusal (its ``refusal`` field): the engine's many reasons in four kinds.
RefusalKind = Literal["off_topic", "not_in_guide", "account", "instruction"]
_DELIBERATE: dict[str, RefusalKind] = {"off_topic": "off_topic", "account": "account", "instruction": "instruction"}
_TEXTS: dict[RefusalKind, dict[str, str]] = {
    "off_topic": _REFUSAL_OFF_TOPIC,
    "not_in_guide": _REFUSAL,
    "account": _REFUSAL_ACCOUNT,
    "instruction": _REFUSAL_INSTRUCTION,
}


def refusal_kind(reason: str) -> RefusalKind | None:
    """The public kind of the engine's ``reason``: None when answered; every reason for want of evidence (the
    gate's thresholds, no information, a figure or answer type not found, an unsupported answer) is not_in_guide."""
    if reason == "answered":
        return None
    return _DELIBERATE.get(reason, "not_in_guide")


def refusal(lang: str, reason: str, settings: Settings, nearby: list[str] | None = None) -> str:
    """The short refusal in the member's language, by kind (refusal_kind):

    - off_topic: what guidebot answers, and no adviser (an adviser cannot help with a recipe);
    - not_in_guide: says so, names the closest articles (``nearby``), offers an adviser;
    - account (the member's own account or case) and instruction: the adviser.

    The adviser comes last, in a paragraph of its own: the adviser page once, then the offices' contact lines
    (or the adviser_contact line).
    """
    lang = lang if lang in _REFUSAL else "fr"
    kind = refusal_kind(reason) or "not_in_guide"
    text = _TEXTS[kind][lang]
    if kind == "off_topic":
        return text
    if nearby and kind == "not_in_guide":
        left, right = _QUOTES[lang]
        titles = ", ".join(f"{left}{t}{right}" for t in nearby)
        text = f"{text}\n\n{_NEARBY[lang].format(titles=titles)}"
    return f"{text}\n\n" + "\n".join([_ADVISER[lang].format(url=settings.adviser_url), *contact_lines(lang, settings)])


def contact_lines(lang: str, settings: Settings) -> list[str]:
    """One line per adviser office (name: phone · e-mail · hours), else the adviser_contact line, else none."""
    if settings.adviser_offices:
        return [
            _OFFICE[lang].format(
                name=o.name[lang], lines=" · ".join(x for x in (o.phone, o.email, o.hours.get(lang, "")) if x)
            )
            for o in settings.adviser_offices
        ]
    if settings.adviser_contact:
        return [_CONTACT[lang].format(contact=settings.adviser_contact)]
    return []


def framing(question_lang: str, source_lang: str) -> str | None:
    """The line that says the quoted guide text is in another language, or None when it is not."""
    if question_lang == source_lang:
        return None
    return FRAMING.get(source_lang, {}).get(question_lang)
