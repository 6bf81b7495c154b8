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
    "/eligibilite : vérifier si votre structure peut accueillir un conseiller\n"
    "/simulation : simuler le financement et le coût d'un poste\n"
    "/rappels : être prévenu avant chaque échéance du recrutement\n"
    "/reprendre : revenir à la question en cours\n"
    "/annuler : abandonner le questionnaire en cours\n"
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

# --- Typed values (bot/values.py) ---
EXPECT_INTEGER = "Indiquez un nombre entier{range}, par exemple « {example} »."
RANGE_BETWEEN = " entre {low} et {high}"
RANGE_AT_LEAST = " d'au moins {low}"
EXPECT_EUROS = "Indiquez un montant en euros, par exemple « {example} » (sans autre texte)."
EXPECT_PERCENT = "Indiquez un pourcentage, par exemple « 36,5 » ou « 40 % »."
EXPECT_DATE = (
    "Indiquez une date, par exemple « 01/03/2021 », « 1er mars 2021 », « aujourd'hui » "
    "ou « hier »."
)
NO_SUCH_DATE = "Cette date n'existe pas. Indiquez une date, par exemple « 01/03/2021 »."
TOO_LOW = "{value}, c'est trop peu : le minimum est {low}."
TOO_HIGH = "{value}, c'est trop : le maximum est {high}."
EXPECT_CHOICE = "Choisissez une réponse avec les boutons ci-dessous."

# --- Flows (bot/dialog.py, bot/engine.py) ---
BACK = "⬅ Retour"
CANCEL = "✖ Annuler"
KEEP = "Garder : {value}"
USE_DEFAULT = "Utiliser : {value}"
PREVIOUS_ANSWER = "Votre réponse précédente : <b>{value}</b>"
NO_LONGER_VALID = "Votre réponse précédente ne convient plus : {reason}"
EDIT = "Modifier « {label} »"
RESTART = "↻ Recommencer"
FINISH = "✔ Terminer"
RECAP_ANSWERS = "<b>Vos réponses</b>"
RECAP_HINT = "Touchez « Modifier » pour changer une réponse : je reviendrai ici ensuite."
UNCERTAIN_MARK = " (à confirmer)"
FLOW_CANCELLED = "C'est annulé : « {title} » est abandonné. Vos réponses sont effacées."
FLOW_FINISHED = (
    "C'est terminé. Vous pouvez relancer « {title} » quand vous voulez avec /{command}."
)
NOTHING_TO_CANCEL = "Aucun questionnaire n'est en cours."
NOTHING_TO_RESUME = "Aucun questionnaire n'est en cours. Choisissez un thème :"
FLOW_LEFT = "Vous avez quitté « {title} »."
FLOW_UPDATED = (
    "Le questionnaire « {title} » a été mis à jour depuis votre dernière visite. "
    "Vos réponses sont gardées."
)
FLOW_UPDATED_CONTINUE = "Voulez-vous continuer là où vous en étiez, ou recommencer ?"
FLOW_UPDATED_RESTART_ONLY = "La question où vous en étiez n'existe plus : il faut recommencer."
FLOW_GONE = "Le questionnaire que vous aviez commencé n'existe plus. Choisissez un thème :"
CONTINUE = "Continuer"
FLOW_BROKEN = (
    "Désolé, je n'ai pas pu reprendre votre questionnaire là où il en était : je l'ai remis "
    "à zéro. Relancez-le depuis le menu :"
)
STALE_FLOW_BUTTON = "Ce bouton n'est plus actif. Voici où vous en êtes :"
QUESTION_DURING_FLOW = "Pour reprendre « {title} » :"
REFINE_SIMULATION = "Affiner la simulation"
PREFILLED = "Je reprends ce que vous m'avez déjà dit (modifiable avec « ⬅ Retour » ou à la fin) :"
