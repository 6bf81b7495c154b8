"""User-facing texts of the engine (French, vouvoiement)."""

WELCOME = (
    "Bonjour ! Je réponds à vos questions sur le programme <b>Conseiller numérique France "
    "Services</b> : financement, éligibilité, recrutement, formation, délais.\n"
    "Écrivez votre question avec vos mots (par exemple « combien pour 2 postes en "
    "outre-mer ? »), ou choisissez un thème :"
)
MENU = "Choisissez un thème, ou écrivez votre question :"
HELP = (
    "<b>Comment m'utiliser</b>\n"
    "• Posez votre question avec vos mots, même sans accents ni ponctuation.\n"
    "• Pour un montant, précisez le nombre de postes et le territoire : "
    "« combien pour 3 postes en Guadeloupe ? ».\n"
    "• Chaque réponse indique sa source.\n\n"
    "<b>Commandes</b>\n"
    "/menu : les thèmes\n"
    "/aide : cette aide\n"
    "/start : recommencer"
)
SUGGEST = "Je ne suis pas sûr d'avoir compris. Vouliez-vous dire… ?"
NONE_OF_THESE = "Aucune de ces questions"
NONE_CHOSEN = (
    "Merci, j'ai noté votre question pour améliorer mes réponses. Essayez de la formuler "
    "autrement, ou choisissez un thème :"
)
FALLBACK = (
    "Je n'ai pas trouvé de réponse sûre à cette question. Je l'ai notée pour améliorer mes "
    "réponses. Essayez avec d'autres mots, ou choisissez un thème :"
)
EMPTY = "Je n'ai reçu aucun texte. Posez votre question en quelques mots, ou tapez /menu."
TOO_LONG = (
    "Votre message est très long. Posez une question courte (une ou deux phrases) : "
    "je trouverai plus facilement la bonne réponse."
)
UNKNOWN_COMMAND = (
    "Je ne connais pas la commande {command}. Tapez /aide pour voir ce que je sais faire."
)
STALE_BUTTON = "Ce bouton n'est plus actif."
SEE_ALSO = "Voir aussi :"
MENU_BUTTON = "☰ Menu"
