"""User-facing texts of the engine (French, vouvoiement)."""

WELCOME = (
    "Bonjour ! Je réponds à vos questions sur le programme <b>Conseiller numérique France "
    "Services</b> : financement, éligibilité, recrutement, formation, délais.\n"
    "Écrivez votre question avec vos mots (par exemple « combien pour 2 postes en "
    "outre-mer ? »), ou choisissez un thème :"
)
MENU = "Choisissez un thème, ou écrivez votre question :"
HELP_INTRO = (
    "<b>Comment m'utiliser</b>\n"
    "• Posez votre question avec vos mots, même sans accents ni ponctuation.\n"
    "• Pour un montant, précisez le nombre de postes et le territoire : "
    "« combien pour 3 postes en Guadeloupe ? ».\n"
    "• Chaque réponse indique sa source.\n\n"
    "<b>Commandes</b>\n"
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

# --- Typed values (bot/programme/values.py) ---
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
TOO_HIGH_PLAIN = "C'est trop : le maximum est {high}."
EXPECT_CHOICE = "Choisissez une réponse avec les boutons ci-dessous."

# --- Flows (bot/dialogue/turns.py, bot/dialogue/session.py) ---
BACK = "⬅ Retour"
CANCEL = "✖ Annuler"
KEEP = "Garder : {value}"
USE_DEFAULT = "Utiliser : {value}"
# What people type for the default value of a question that has one (besides « mots_defaut »)
DEFAULT_WORDS = ("par défaut", "défaut", "la valeur par défaut", "valeur proposée")
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

# --- Privacy (bot/privacy/chat.py) ---
FORGET_ASK = (
    "Voulez-vous que j'efface tout ce que j'ai enregistré vous concernant dans cette "
    "conversation ? Cela comprend le questionnaire en cours et vos réponses, vos échéances et "
    "rappels, les questions que j'ai notées, le territoire retenu et l'abonnement aux "
    "annonces. C'est définitif."
)
FORGET_ASK_GROUP = (
    "Voulez-vous que j'efface ce que j'ai enregistré vous concernant dans ce groupe ? Cela "
    "comprend votre questionnaire en cours et vos réponses, les échéances que vous avez "
    "saisies et leurs rappels, les questions que j'ai notées. Ce qui concerne les autres "
    "membres et le groupe lui-même (territoire, abonnement aux annonces) est gardé. "
    "C'est définitif."
)
FORGET_YES = "Oui, tout effacer"
FORGET_NO = "Non"
FORGET_KEPT = "D'accord, je n'ai rien effacé."
FORGET_DONE = "C'est effacé : {what}."
FORGET_NOTHING = "Je n'avais rien enregistré vous concernant ici : il n'y a rien à effacer."
FORGET_DONE_GROUP = (
    "Dans ce groupe, j'ai effacé seulement ce qui vous concerne ; ce qui concerne les autres "
    "membres et le groupe (territoire, abonnement aux annonces) est gardé."
)
FORGET_AFTER = "Vous pouvez continuer à me poser des questions : je repars de zéro."
ERASED_LABELS = {
    "conversation": ("votre questionnaire en cours et vos réponses",) * 2,
    "context": ("le sujet de notre dernier échange",) * 2,
    "questions": ("{n} question notée", "{n} questions notées"),
    "milestones": ("{n} échéance", "{n} échéances"),
    "reminders": ("{n} rappel", "{n} rappels"),
    "territory": ("le territoire retenu",) * 2,
    "subscription": ("votre abonnement aux annonces",) * 2,
    "announcements": ("la trace d'{n} annonce reçue", "la trace de {n} annonces reçues"),
    "events": ("{n} statistique d'usage", "{n} statistiques d'usage"),
    "chat": ("l'état de la conversation",) * 2,
}
SUBSCRIBED = (
    "C'est noté : cette conversation recevra les annonces de l'équipe du programme "
    "(rarement). Tapez /desabonner pour ne plus les recevoir."
)
ALREADY_SUBSCRIBED = (
    "Cette conversation reçoit déjà les annonces. Tapez /desabonner pour ne plus les recevoir."
)
UNSUBSCRIBED = (
    "C'est noté : cette conversation ne recevra plus d'annonces. Tapez /abonner pour les "
    "recevoir à nouveau."
)
NOT_SUBSCRIBED = (
    "Cette conversation ne reçoit pas les annonces. Tapez /abonner pour les recevoir."
)

# --- Administrators (bot/admin/chat.py) ---
ADMIN_HELP_TITLE = "\n\n<b>Administration</b> (vous seul voyez ceci)\n"
BROADCAST_HOW = (
    "Écrivez l'annonce après la commande, par exemple « /diffuser Le webinaire a lieu "
    "jeudi à 14 h. »"
)
BROADCAST_NONE_YET = "Aucune annonce n'a encore été envoyée. " + BROADCAST_HOW
BROADCAST_NO_RECIPIENT = (
    "Aucune conversation n'est abonnée aux annonces : il n'y a personne à qui l'envoyer."
)
BROADCAST_TOO_LONG = "Cette annonce est trop longue : {length} caractères, {limit} au plus."
BROADCAST_CONFIRM = (
    "Cette annonce partira vers <b>{count}</b> conversation{s} abonnée{s} :\n\n{preview}\n\n"
    "Confirmez-vous l'envoi ?"
)
BROADCAST_SEND = "Envoyer à {count} conversation{s}"
BROADCAST_CANCEL = "Annuler"
BROADCAST_CANCELLED = "Annonce annulée : rien n'a été envoyé."
BROADCAST_QUEUED = (
    "C'est parti : l'annonce n° {id} est en file d'attente pour {count} conversation{s}, "
    "envoyée au rythme que permet chaque messagerie (Telegram, Matrix). Tapez /diffuser pour "
    "suivre l'envoi."
)
BROADCAST_NOT_DRAFT = "Cette annonce a déjà été envoyée ou annulée."
BROADCAST_PROGRESS = (
    "<b>Annonce n° {id}</b>{when} : {sent} envoyée{s_sent}, {failed} en échec, "
    "{pending} en attente sur {total}."
)
BROADCAST_DETAILS = "Dont {blocked} conversation{s} qui {verb} bloqué l'assistant"
BROADCAST_UNCERTAIN = (
    "{uncertain} envoi{s} interrompu{s} par un arrêt (peut-être reçu{s}, non renvoyé{s})"
)
BROADCAST_FRAME = (
    "📢 <b>Annonce</b>\n\n{text}\n\n<i>Vous recevez ce message car cette conversation est "
    "abonnée aux annonces. /desabonner pour ne plus les recevoir.</i>"
)
RELOAD_UNAVAILABLE = "Le rechargement du contenu n'est pas disponible ici."
RELOAD_DONE = (
    "Contenu rechargé : {faq} entrées de FAQ, {flows} questionnaire{s}, {params} paramètres."
)
RELOAD_REFUSED = (
    "Contenu refusé : je garde le contenu actuel. {count} problème{s} à corriger :"
)
STATS_SENT_PRIVATELY = (
    "Les chiffres d'usage ne s'affichent pas dans un groupe : je vous les envoie en "
    "discussion privée. Si vous ne les recevez pas, écrivez-moi d'abord en privé (/start).")
