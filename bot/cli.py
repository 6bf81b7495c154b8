"""Command line: `python -m bot [run|chat|ask|check|unanswered|reminders|purge|migrate|export|
import]` (a stable contract)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import app
from bot.channels import console
from bot.content.loader import Content
from bot.core import logs
from bot.core.config import Settings
from bot.core.formatting import plain
from bot.core.yamlsource import InvalidContent
from bot.faq import review_cli
from bot.faq.answering import Answer
from bot.faq.feature import FaqFeature
from bot.privacy import erasure as privacy
from bot.reminders.listing import format_pending, list_pending, open_readonly
from bot.storage import commands as storage
from bot.storage.store import Store

BANNER = ("Mode terminal. Pour le bot Telegram, définissez TELEGRAM_BOT_TOKEN "
          "(voir README). Quittez avec Ctrl+D.")
WEBHOOK_NEEDS_TOKEN = "Le mode webhook demande TELEGRAM_BOT_TOKEN (voir README)."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=(
        "Assistant Conseiller numérique France Services pour les collectivités."))
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="démarrer l'assistant (Telegram si TELEGRAM_BOT_TOKEN, "
                                     "sinon le terminal)")
    run.add_argument("--webhook", action="store_true",
                     help="Telegram par webhook (PORT, WEBHOOK_URL, WEBHOOK_SECRET) au lieu "
                          "de l'interrogation continue (long polling)")
    chat_parser = sub.add_parser("chat", help="discuter dans le terminal")
    for command in (run, chat_parser):
        command.add_argument("--log-format", choices=logs.FORMATS, default="text",
                             help="journaux en texte (défaut) ou un objet JSON par événement")
    ask = sub.add_parser("ask", help="répondre à une question (ou une par ligne avec -)")
    ask.add_argument("question", help="la question, ou - pour lire l'entrée standard")
    ask.add_argument("--json", action="store_true", help="sortie JSON, un objet par ligne")
    check = sub.add_parser("check", help="valider le contenu (knowledge/, flows/)")
    check.add_argument("--knowledge", type=Path, help="dossier knowledge (défaut : ./knowledge)")
    check.add_argument("--flows", type=Path, help="dossier flows (défaut : ./flows)")
    unanswered = sub.add_parser("unanswered", help="questions sans réponse, les plus "
                                                   "fréquentes d'abord")
    unanswered.add_argument("--limit", type=int, default=50)
    review = unanswered.add_subparsers(dest="review")
    attach = review.add_parser("attach", help="ajouter les questions d'un groupe aux "
                                              "formulations d'une entrée")
    attach.add_argument("group", type=int, help="numéro du groupe (#…)")
    attach.add_argument("entry", help="identifiant de l'entrée de FAQ")
    ignore = review.add_parser("ignore", help="écarter un groupe")
    ignore.add_argument("group", type=int, help="numéro du groupe (#…)")
    sub.add_parser("reminders", help="rappels en attente : chat, heure locale et UTC, texte "
                                     "(lecture seule, fonctionne l'assistant arrêté)")
    purge_parser = sub.add_parser("purge", help="effacer les données plus anciennes que la "
                                                "durée de conservation (BOT_RETENTION_DAYS)")
    purge_parser.add_argument("--days", type=int, help="durée de conservation en jours "
                                                       "(défaut : BOT_RETENTION_DAYS, sinon 365)")
    sub.add_parser("migrate", help="mettre à jour le schéma de la base (DATABASE_URL ou "
                                   "BOT_DATABASE) ; ligne release: du Procfile")
    export = sub.add_parser("export", help="écrire toute la base en lignes JSON")
    export.add_argument("file", nargs="?", default="-", help="fichier (défaut : sortie standard)")
    load = sub.add_parser("import", help="charger un export dans une base vide")
    load.add_argument("file", help="fichier écrit par export (- : entrée standard)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"Configuration invalide : {exc}", file=sys.stderr)
        return 2
    command = args.command or "run"
    log_format = getattr(args, "log_format", "text")
    if command == "check":
        return check(args.knowledge or settings.knowledge_dir, args.flows or settings.flows_dir)
    if command == "migrate":
        return asyncio.run(storage.migrate_command(settings.database))
    if command in ("export", "import"):
        return storage.transfer(command, args.file, settings.database)
    if command == "reminders":
        return asyncio.run(show_reminders(settings.database))
    if command == "purge":
        days = args.days if args.days is not None else settings.retention_days
        if days < 1:
            print("La durée de conservation est d'au moins 1 jour.", file=sys.stderr)
            return 2
        return asyncio.run(purge(settings.database, days))
    try:
        content = app.loader_of(settings)()
    except InvalidContent as exc:
        print("Le contenu est invalide, l'assistant ne démarre pas :", file=sys.stderr)
        for error in exc.errors:
            print(error, file=sys.stderr)
        return 1
    if command == "unanswered":
        if args.review == "attach":
            return asyncio.run(review_cli.attach(settings, args.group, args.entry,
                                                 app.loader_of(settings)))
        if args.review == "ignore":
            return asyncio.run(review_cli.ignore(settings, args.group))
        return asyncio.run(review_cli.show(settings, args.limit))
    if command == "ask":
        return asyncio.run(ask(settings, content, args.question, as_json=args.json))
    if command == "run":
        webhook = getattr(args, "webhook", False)
        if settings.matrix is not None and not settings.telegram_token and not webhook:
            from bot.channels.matrix import channel as matrix  # noqa: PLC0415 - only `run` loads nio
            return matrix.run(settings, content, log_format=log_format)
        if settings.telegram_token:
            from bot.channels.telegram import channel as telegram  # noqa: PLC0415 - only `run` loads PTB
            if settings.matrix is None:
                return telegram.run(settings, content, webhook=webhook, log_format=log_format)
            from bot.channels.matrix.beside import MatrixBeside  # noqa: PLC0415
            beside = MatrixBeside(settings, content)
            beside.start(log_format)
            try:
                return telegram.run(settings, content, webhook=webhook, log_format=log_format)
            finally:
                beside.stop()
        if webhook:
            print(WEBHOOK_NEEDS_TOKEN, file=sys.stderr)
            return 2
    if log_format == "json":
        logs.configure("json")
    return asyncio.run(chat(settings, content, BANNER if command == "run" else None))


def check(knowledge_dir: Path, flows_dir: Path) -> int:
    """Validate all content; print `file:line: reason` per problem."""
    try:
        content = app.load(knowledge_dir, flows_dir)
    except InvalidContent as exc:
        for error in exc.errors:
            print(error)
        print(f"{len(exc.errors)} problème(s) : corrigez-les avant de démarrer l'assistant.",
              file=sys.stderr)
        return 1
    print(f"Contenu valide : {len(content.faq)} entrées de FAQ, "
          f"{len(content.params.by_id)} paramètres, {len(content.params.territories)} "
          f"territoires, {len(content.params.sources)} sources.")
    return 0


async def chat(settings: Settings, content: Content, banner: str | None) -> int:
    """The terminal channel, with the app's services (purge, reload on SIGHUP)."""
    store = await Store.open(settings.database)
    try:
        assistant = app.assistant_for(settings, content, store)
        services = app.services_for(settings, assistant)
        services.reload_on_sighup = True
        await services.start()
        try:
            await console.run(assistant, sys.stdin, sys.stdout, Path("exports"), banner)
        finally:
            await services.stop()
    finally:
        await store.close()
    return 0


async def ask(settings: Settings, content: Content, question: str, *, as_json: bool) -> int:
    store = await Store.open(settings.database)
    try:
        assistant = app.assistant_for(settings, content, store)
        faq = assistant.feature(FaqFeature)
        questions = sys.stdin if question == "-" else [question]
        for line in questions:
            line = line.rstrip("\n")
            answers = faq.reply(line)   # each line on its own: no context between lines
            for answer in answers:
                if answer.kind in ("suggest", "fallback") and line.strip():
                    await faq.record(console.CONSOLE, answer.question or line, answer)
            if as_json:
                fields = answer_fields(line, answers[0])
                if len(answers) > 1:
                    fields["parts"] = [answer_fields(a.question, a) for a in answers]
                print(json.dumps(fields, ensure_ascii=False), flush=True)
                continue
            for answer in answers:
                print(plain(answer.said))
                for number, (_, suggestion) in enumerate(answer.suggestions, start=1):
                    print(f"[{number}] {suggestion}")
    finally:
        await store.close()
    return 0


def answer_fields(question: str, answer: Answer) -> dict[str, object]:
    """One answer as `ask --json` prints it."""
    return {"question": question, "kind": answer.kind, "answer": plain(answer.said),
            "id": answer.entry_id, "score": answer.score,
            "suggestions": [{"id": i, "question": q} for i, q in answer.suggestions],
            "source": answer.source}


async def show_reminders(database: Path) -> int:
    """Reminders not known as sent, soonest first; the database is opened read-only."""
    try:
        db = await open_readonly(database)
    except FileNotFoundError as exc:
        print(f"Impossible de lister les rappels : {exc}.", file=sys.stderr)
        return 1
    try:
        rows = await list_pending(db)
    finally:
        await db.close()
    print(format_pending(rows))
    return 0


PURGED = {"unanswered": "questions sans réponse", "conversations": "conversations",
          "talk_context": "sujets de conversation retenus",
          "matrix_options": "options affichées sur Matrix",
          "reminders": "rappels envoyés ou annulés", "milestones": "échéances",
          "chat_territories": "territoires", "chats": "états de conversation",
          "blocked_chats": "blocages", "events": "statistiques d'usage",
          "broadcast_deliveries": "envois d'annonces", "broadcasts": "annonces",
          "send_slots": "tours d'envoi passés"}


async def purge(database: Path, days: int) -> int:
    """Delete what is older than `days` days (pending reminders are kept); print the counts."""
    store = await Store.open(database)
    try:
        counts = await privacy.purge(store.db, dt.datetime.now(dt.UTC), days)
    finally:
        await store.close()
    total = sum(counts.values())
    print(f"Données de plus de {days} jours effacées : {total} ligne(s).")
    for table, count in counts.items():
        if count:
            print(f"  {count:>6} {PURGED.get(table, table)}")
    return 0
