"""Answering a free question, without I/O: small talk, picks, follow-ups, the quick
computation, the FAQ match. `python -m bot ask` and the FAQ feature both use `Answerer`."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from bot.core import messages
from bot.core.clock import Clock
from bot.core.text import normalize
from bot.faq import followup, talk
from bot.faq.entries import FaqEntry
from bot.faq.followup import Context, Subject
from bot.faq.matcher import Match
from bot.faq.quick import QuickRequest
from bot.faq.quick import answer as quick_answer
from bot.faq.quick import read as quick_read

if TYPE_CHECKING:
    from bot.content.loader import Content

MAX_QUESTION_LENGTH = 1000
CONFIDENT = ("faq", "compute")
NONE_PICKED = "aucune"   # the intent of a typed "none of these" ("non", "aucune")


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """A channel-neutral answer to a free question (also what `python -m bot ask` prints)."""

    kind: Literal["faq", "compute", "suggest", "fallback", "smalltalk"]
    text: str
    entry_id: str | None = None
    score: float | None = None
    suggestions: tuple[tuple[str, str], ...] = ()
    source: str | None = None
    title: str | None = None  # the question answered, shown unless matched word for word
    match: Match | None = field(default=None, repr=False)
    request: QuickRequest | None = field(default=None, repr=False)
    question: str = ""               # the text answered (a part of the message, a follow-up)
    intent: str | None = None        # small talk: its intent (knowledge/petite_conversation)
    prefix: str = ""                 # small talk said before the answer ("Bonjour !")
    chosen: int | None = None        # a typed pick: the record whose suggestions it answers

    @property
    def said(self) -> str:
        """The text with its small-talk prefix, if any ("Bonjour !" before the answer)."""
        return f"{self.prefix}\n\n{self.text}" if self.prefix else self.text


def looks_like_question(text: str) -> bool:
    """A text that is clearly a question ("c'est quoi le CCP1 ?"), not an answer."""
    words = normalize(text).split()
    if not words:
        return False
    return "?" in text or words[0] in talk.QUESTION_WORDS or words[:3] == ["c", "est", "quoi"]


class Answerer:
    """All answers to one message, from the current content (a reload swaps it)."""

    def __init__(self, content: Callable[[], Content], clock: Clock,
                 help_text: Callable[[], str] = lambda: messages.MENU) -> None:
        """`help_text` is what "aide" typed as a message gets (the generated /aide)."""
        self._content = content
        self.clock = clock
        self.help_text = help_text

    @property
    def content(self) -> Content:
        return self._content()

    def reply(self, question: str, context: Context | None = None) -> list[Answer]:
        """All answers to one message: small talk, a typed pick of the pending suggestions
        ("la 2"), each question of the message, follow-ups on the remembered subject."""
        content = self.content
        context = (context or Context()).fresh(self.clock(), content.followups,
                                               content.talk.picks.minutes)
        if context.pending is not None:
            picked = self._picked(question, context.pending)
            if picked is not None:
                return [picked]
        message = talk.read(question, content.talk)
        if not message.questions and not message.small_talk:
            return [self._answer_text(question)]
        answers: list[Answer] = []
        subject = context.subject
        for part in message.questions:
            for answer in self._answer_part(part, subject):
                if any(same_answer(answer, earlier) for earlier in answers):
                    continue          # "… ? c'est l'ANCT ?": one answer is enough
                if message.small_talk and answer.kind not in CONFIDENT and \
                        not talk.asks(part):
                    continue          # "Bonjour, je vous écris de la part du maire."
                answers.append(answer)
                subject = subject_of(answer, self.clock(), content.faq)
        if not answers:
            main, prefix = talk.reply_of(message.small_talk, content.talk)
            return [Answer(kind="smalltalk", text=main.reply or self._command_text(main.command),
                           intent=main.id, prefix=prefix, question=question)]
        prefix = talk.prefix_of(message.small_talk, content.talk)
        if prefix:
            answers[0] = replace(answers[0], prefix=prefix)
        return answers

    def _answer_text(self, text: str) -> Answer:
        return replace(self.answer(text), question=text)

    def _answer_part(self, part: str, subject: Subject | None) -> list[Answer]:
        """One question of a message: a follow-up, two questions joined by "et", or one."""
        if subject is not None:
            follow = followup.read(part, self.content.followups, self.content.params)
            if follow is not None:
                return [self._follow_up(part, follow, subject)]
        halves = talk.and_split(part)
        if halves is not None:
            first = self._answer_text(halves[0])
            second = self._answer_text(halves[1]) if first.kind in CONFIDENT else None
            if second is not None and second.kind in CONFIDENT and \
                    (first.kind, first.entry_id) != (second.kind, second.entry_id):
                return [first, second]
        return [self._answer_text(part)]

    def _follow_up(self, part: str, follow: followup.FollowUp, subject: Subject) -> Answer:
        """A follow-up: the computation again with the changed slots, or the last question
        completed by the follow-up's words; the follow-up alone when it says more."""
        params = self.content.params
        if subject.kind == "compute" and follow.slot_only:
            slots = followup.merge(subject.slots, follow.slots, self.content.followups.slots)
            request = followup.build_request(slots, params)
            if request is not None:
                return Answer(kind="compute", text=quick_answer(request, params),
                              request=request, question=part)
        text = followup.combined(subject, follow)
        if follow.slot_only and text is not None:
            return self._answer_text(text[:MAX_QUESTION_LENGTH])
        alone = self._answer_text(part)
        if alone.kind in CONFIDENT or subject.kind != "faq" or text is None:
            return alone
        both = self._answer_text(text[:MAX_QUESTION_LENGTH])
        return both if both.kind in CONFIDENT else alone

    def _picked(self, text: str, pending: followup.Pending) -> Answer | None:
        """The suggestion a typed "oui", "la 2", "la dernière" picks ("non": none of them)."""
        rank = talk.pick(text, self.content.talk)
        if rank is None:
            return None
        if rank == talk.NONE:
            return Answer(kind="smalltalk", text=messages.NONE_CHOSEN, intent=NONE_PICKED,
                          chosen=pending.record, question=text)
        index = len(pending.entries) - 1 if rank == talk.LAST else rank - 1
        if not 0 <= index < len(pending.entries) or pending.entries[index] not in self.content.faq:
            return None
        entry = self.content.faq[pending.entries[index]]
        return Answer(kind="faq", text=entry.answer, entry_id=entry.id,
                      source=self.content.params.cite(entry.sources), question=entry.question,
                      chosen=pending.record)

    def _command_text(self, command: str | None) -> str:
        return self.help_text() if command == "aide" else messages.MENU

    def answer(self, question: str) -> Answer:
        """Answer a free question: a computation, an FAQ entry, suggestions, or the fallback."""
        params = self.content.params
        request = quick_read(question, params, self.content.matcher.scope)
        if request is not None:
            return Answer(kind="compute", text=quick_answer(request, params), request=request)
        match = self._match(question)
        best = match.best
        if match.band == "answer" and best is not None:
            title = None if match.exact else best.entry.question
            text = titled(best.entry.answer, title)
            return Answer(kind="faq", text=text,
                          entry_id=best.entry.id, score=best.score, title=title,
                          source=params.cite(best.entry.sources), match=match)
        if match.band == "suggest":
            return Answer(kind="suggest", text=messages.SUGGEST,
                          score=best.score if best else None,
                          suggestions=tuple((c.entry.id, c.entry.question)
                                            for c in match.candidates), match=match)
        return Answer(kind="fallback", text=messages.FALLBACK,
                      score=best.score if best else None, match=match)

    def _match(self, question: str) -> Match:
        """Match the whole text; if unsure, only its questions (a context sentence dilutes),
        provided the whole text also ranks their answer ("Ça passe quand même ?" leans on it)
        and does not name another job or programme instead of ours ("… un policier municipal.
        Une aide pour ça ?")."""
        matcher = self.content.matcher
        match = matcher.match(question)
        asked = talk.question_sentences(question)
        scope = matcher.scope
        if match.band == "answer" or asked == question or (
                scope.names_other_job(match.normalized) and
                not scope.names_programme(match.normalized)):
            return match
        focused = matcher.match(asked)
        ranked = {c.entry.id for c in match.candidates}
        if focused.band == "answer" and focused.best is not None and \
                focused.best.entry.id in ranked:
            return focused
        return match


def titled(answer: str, title: str | None) -> str:
    """An answer under the question it answers, in bold (when a title is given)."""
    return f"<b>{html.escape(title, quote=False)}</b>\n{answer}" if title else answer


def same_answer(one: Answer, other: Answer) -> bool:
    """Do two answers say the same (the same entry, or the same computed text)?"""
    return one.kind == other.kind and one.kind in CONFIDENT and \
        (one.entry_id, one.text) == (other.entry_id, other.text)


def subject_of(answer: Answer, now: dt.datetime,
               faq: Mapping[str, FaqEntry]) -> Subject | None:
    """What a follow-up to this answer builds on: the FAQ entry's own question, or the
    computation's slots (never the user's words: see README, « Données personnelles »);
    None when the answer has no subject (small talk, suggestions, fallback)."""
    if answer.kind == "compute" and answer.request is not None:
        return Subject(kind="compute", question="", at=now,
                       slots=followup.request_slots(answer.request))
    if answer.kind == "faq" and answer.entry_id in faq:
        return Subject(kind="faq", question=faq[answer.entry_id].question, at=now)
    return None


def next_context(context: Context, answers: list[Answer], records: list[int | None],
                 now: dt.datetime, faq: Mapping[str, FaqEntry]) -> Context:
    """What the conversation remembers after these answers: the last subject, and the
    suggestions just shown (a pick, or any other answer, forgets the previous ones)."""
    subject, pending = context.subject, context.pending
    for answer, record in zip(answers, records, strict=True):
        if answer.kind != "smalltalk":     # a new question, answered or not, is the subject
            subject = subject_of(answer, now, faq)
        if answer.kind == "suggest" and record is not None:
            pending = followup.Pending(record=record, entries=tuple(
                entry_id for entry_id, _ in answer.suggestions), at=now)
        elif answer.kind != "smalltalk" or answer.chosen is not None:
            pending = None
    return Context(subject=subject, pending=pending)
