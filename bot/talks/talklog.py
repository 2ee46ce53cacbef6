"""Logging a talk by conversational prompts: one question at a time, every answer saved to a draft row.

Messenger-free: the flow takes typed text, button actions and files, and answers with a `Reply` (notices, the
next question and its buttons). The Telegram handlers only carry these across. Steps reached from the review
screen return to it; `back` goes to the previous question; buttons of an older prompt are stale (see `seq`).
"""

from __future__ import annotations

import calendar
import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.followup.items import deliver, followup_items
from bot.i18n import text
from bot.roster.access import Capability, Role, Viewer
from bot.roster.enrollment import create_invite, deep_link
from bot.services import Services
from bot.talks.when import Moment, Unreadable, add_months, check_held_at, read_due, read_talk_time
from storage import audit, people, talks
from storage.models import Attachment, Person, RectificationItem, Talk, TalkDraft, TalkParticipant

FORMATS = ("individual", "collective")
CHANNELS = ("face", "video", "phone")
LIMITS = {"topic": 200, "place": 100, "content": 2000, "problem": 500, "measure": 500, "name": 64, "unit": 500}
MAX_MATCHES = 8
MAX_DEADLINE_YEARS = 3
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


class Step(StrEnum):
    KIND = "kind"
    SUBJECTS = "subjects"
    NEW_NAME = "new_name"
    NEW_UNIT = "new_unit"
    NEW_RANK = "new_rank"
    HELD_AT = "held_at"
    HELD_CONFIRM = "held_confirm"
    CALENDAR = "calendar"
    TOPIC = "topic"
    PROBLEM = "problem"
    MEASURE = "measure"
    DEADLINE = "deadline"
    DEADLINE_CONFIRM = "deadline_confirm"
    RESPONSIBLE = "responsible"
    REVIEW = "review"
    PLACE = "place"
    CONTENT = "content"
    LEAD = "lead"
    ATTENDEES = "attendees"
    SECOND = "second"
    ATTACH = "attach"
    CANCEL = "cancel"


# The questions in the order a new talk asks them; `back` walks this list.
FLOW = [Step.KIND, Step.SUBJECTS, Step.HELD_AT, Step.TOPIC, Step.PROBLEM, Step.MEASURE, Step.DEADLINE, Step.REVIEW]
BACK_TO = {
    Step.NEW_NAME: Step.SUBJECTS,
    Step.NEW_UNIT: Step.NEW_NAME,
    Step.NEW_RANK: Step.NEW_UNIT,
    Step.CALENDAR: Step.HELD_AT,
    Step.HELD_CONFIRM: Step.HELD_AT,
    Step.DEADLINE_CONFIRM: Step.DEADLINE,
    Step.RESPONSIBLE: Step.DEADLINE,
}
TEXT_STEPS = {
    Step.SUBJECTS,
    Step.NEW_NAME,
    Step.NEW_UNIT,
    Step.HELD_AT,
    Step.HELD_CONFIRM,
    Step.TOPIC,
    Step.PROBLEM,
    Step.MEASURE,
    Step.DEADLINE,
    Step.DEADLINE_CONFIRM,
    Step.PLACE,
    Step.CONTENT,
    Step.LEAD,
    Step.ATTENDEES,
    Step.SECOND,
}


@dataclass
class Item:
    problem: str
    measure: str = ""
    deadline: str = ""  # ISO date
    responsible_id: int | None = None
    second_id: int | None = None


@dataclass
class Draft:
    """The answers so far, and the little the flow must remember between two messages."""

    kind: str = ""
    format: str = "individual"
    channel: str = "face"
    subjects: list[int] = field(default_factory=list)
    held_day: str = ""  # ISO date, local
    held_time: str = ""  # HH:MM local, "" when only the day is known
    place: str = ""
    topic: str = ""
    content: str = ""
    lead_id: int | None = None
    attendees: list[int] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    # Between messages:
    editing: bool = False  # this step was opened from the review screen
    pending: Item | None = None  # the problem being written
    item_index: int = -1  # the item whose second responsible leader is being chosen
    matches: list[int] = field(default_factory=list)
    new_name: str = ""
    new_unit: str = ""
    month: str = ""  # the calendar's month, YYYY-MM
    unconfirmed: str = ""  # a moment read with more than was typed, shown back before it is kept: ISO [HH:MM]
    resume_step: str = ""  # where /cancel came from

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Draft:
        values: dict[str, Any] = json.loads(raw) if raw else {}
        known = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in values.items() if key in known}
        values["items"] = [Item(**item) for item in values.get("items", [])]
        if values.get("pending"):
            values["pending"] = Item(**values["pending"])
        return cls(**values)

    @classmethod
    def from_talk(cls, talk: Talk, zone: Any) -> Draft:
        local = talk.held_at.astimezone(zone)
        return cls(
            kind=talk.kind,
            format=talk.format,
            channel=talk.channel,
            subjects=[p.person_id for p in talk.participants if p.role == "subject"],
            held_day=local.date().isoformat(),
            held_time=local.strftime("%H:%M") if talk.time_known else "",
            place=talk.place,
            topic=talk.topic,
            content=talk.content,
            lead_id=talk.lead_id,
            attendees=[p.person_id for p in talk.participants if p.role == "attendee"],
            items=[
                Item(i.problem, i.measure, i.deadline.isoformat(), i.responsible_id, i.second_responsible_id)
                for i in talk.items
                if i.kind == "problem"
            ],
        )


@dataclass(frozen=True)
class Button:
    label: str
    action: str


@dataclass
class Reply:
    notices: list[str] = field(default_factory=list)
    question: str = ""
    rows: list[list[Button]] = field(default_factory=list)
    finished: bool = False  # the draft is closed (saved as a talk, or discarded)
    talk_id: int | None = None
    draft_id: int = 0  # with seq, what the question's buttons must carry to be current
    seq: int = 0


@dataclass(frozen=True)
class IncomingFile:
    kind: str  # photo | document
    file_id: str
    file_name: str
    size: int

    def attachment(
        self, content: bytes, now: datetime, *, draft_id: int | None = None, report_id: int | None = None
    ) -> Attachment:
        """The file as kept with a draft talk or an item report."""
        return Attachment(
            talk_id=None,
            draft_id=draft_id,
            report_id=report_id,
            kind=self.kind,
            file_name=self.file_name[:200],
            telegram_file_id=self.file_id,
            size=len(content),
            content=content,
            created_at=now,
        )


class TalkLog:
    """One leader's draft, for the length of one update."""

    def __init__(self, session: AsyncSession, services: Services, viewer: Viewer, row: TalkDraft) -> None:
        self.session, self.services, self.viewer, self.row = session, services, viewer, row
        self.draft = Draft.from_json(row.data)
        self.language = viewer.language
        self.zone = services.config.organisation.zone

    # ---- opening ---------------------------------------------------------------------------------------

    @classmethod
    async def start(
        cls, session: AsyncSession, services: Services, viewer: Viewer, talk: Talk | None = None
    ) -> TalkLog:
        """A new draft (or a correction of `talk`), now the leader's active one."""
        await talks.deactivate_drafts(session, viewer.person_id)
        now = services.clock.now()
        draft = (
            Draft(lead_id=viewer.person_id)
            if talk is None
            else Draft.from_talk(talk, services.config.organisation.zone)
        )
        row = TalkDraft(
            owner_id=viewer.person_id,
            active=True,
            step=Step.KIND if talk is None else Step.REVIEW,
            seq=0,
            data=draft.to_json(),
            talk_id=talk.id if talk else None,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        return cls(session, services, viewer, row)

    @classmethod
    async def active(cls, session: AsyncSession, services: Services, viewer: Viewer) -> TalkLog | None:
        row = await talks.active_draft(session, viewer.person_id)
        return None if row is None else cls(session, services, viewer, row)

    @classmethod
    async def for_button(
        cls, session: AsyncSession, services: Services, viewer: Viewer, draft_id: int, seq: int
    ) -> TalkLog | None:
        """The draft a button belongs to, if that button is the current prompt's; None for a stale one."""
        row = await talks.draft_by_id(session, draft_id)
        if row is None or row.owner_id != viewer.person_id or not row.active or row.seq != seq:
            return None
        return cls(session, services, viewer, row)

    # ---- what the leader does ----------------------------------------------------------------------------

    async def on_text(self, typed: str) -> Reply:
        typed = typed.strip()
        pressed = await self._button_labelled(typed)
        if pressed is not None:  # the label of one of this question's buttons, typed: the same as pressing it
            return await self.on_button(pressed)
        step = Step(self.row.step)
        if step not in TEXT_STEPS:
            return await self._ask(notice=self.t("log.error.use_buttons"))
        if not typed:
            return await self._ask(notice=self.t("log.error.empty"))
        handler = getattr(self, f"_text_{step.value}")
        reply: Reply = await handler(typed)
        return reply

    async def _button_labelled(self, typed: str) -> str | None:
        """The action of the current question's button whose label is `typed`, if exactly one has it."""
        question: Reply = await getattr(self, f"_ask_{self.row.step}")()
        actions = {button.action for row in question.rows for button in row if button.label == typed}
        return actions.pop() if len(actions) == 1 else None

    async def on_button(self, action: str) -> Reply:
        name, _, argument = action.partition(":")
        step = Step(self.row.step)
        if name == "back":
            return await self._back(step)
        if name == "cancel":
            self.draft.resume_step = step.value
            return await self._go(Step.CANCEL)
        handler = getattr(self, f"_press_{step.value}", None)
        if handler is None:
            return await self._ask(notice=self.t("log.error.use_buttons"))
        reply: Reply = await handler(name, argument)
        return reply

    async def on_file(self, incoming: IncomingFile, content: bytes | None) -> Reply:
        if Step(self.row.step) != Step.ATTACH:
            return await self._ask(notice=self.t("log.error.file_here"))
        if content is None or incoming.size > MAX_ATTACHMENT_BYTES:
            return await self._ask(notice=self.t("log.error.file_too_big", limit=MAX_ATTACHMENT_BYTES // 2**20))
        self.session.add(incoming.attachment(content, self.now(), draft_id=self.row.id))
        await self.session.flush()
        count = len(await talks.draft_attachments(self.session, self.row.id))
        return await self._ask(notice=self.t("log.attach.saved", count=count))

    async def cancel(self) -> Reply:
        """/cancel: ask before discarding."""
        if Step(self.row.step) != Step.CANCEL:
            self.draft.resume_step = self.row.step
        return await self._go(Step.CANCEL)

    async def ask(self) -> Reply:
        """The current question again (after /resume or a restart)."""
        return await self._ask()

    async def on_other(self) -> Reply:
        """A sticker, voice note or the like: say what is wanted and ask again."""
        return await self._ask(notice=self.t("log.error.file_here"))

    @property
    def topic(self) -> str:
        return self.draft.topic

    @property
    def kind(self) -> str:
        return self.draft.kind

    async def subject_names(self) -> list[str]:
        """The names of the people talked to, as chosen so far."""
        names = await self._names(self.draft.subjects)
        return [names[i].name for i in self.draft.subjects if i in names]

    # ---- moving between steps ---------------------------------------------------------------------------

    def t(self, key: str, /, **params: object) -> str:
        return text(self.language, key, **params)

    def now(self) -> datetime:
        return self.services.clock.now()

    def today(self) -> date:
        return self.now().astimezone(self.zone).date()

    async def _go(self, step: Step, *, notice: str = "") -> Reply:
        self.row.step = step.value
        return await self._ask(notice=notice)

    async def _next(self, after: Step, *, notice: str = "") -> Reply:
        """The question after `after`: the next in FLOW, or the review screen when editing."""
        if self.draft.editing or after == Step.REVIEW:
            self.draft.editing = False
            return await self._go(Step.REVIEW, notice=notice)
        return await self._go(FLOW[FLOW.index(after) + 1], notice=notice)

    async def _back(self, step: Step) -> Reply:
        if step in BACK_TO:
            return await self._go(BACK_TO[step])
        if self.draft.editing or step not in FLOW:
            self.draft.editing = False
            self.draft.pending = None
            return await self._go(Step.REVIEW)
        if step in (Step.MEASURE, Step.DEADLINE):
            self.draft.pending = None  # going back from a half-written problem starts it again
            return await self._go(Step.PROBLEM)
        if step == Step.REVIEW and self.draft.items:
            return await self._go(Step.REVIEW, notice=self.t("log.error.use_edit"))
        index = FLOW.index(step)
        return await self._go(FLOW[max(0, index - 1)])

    async def _ask(self, *, notice: str = "") -> Reply:
        """Save the draft, bump the prompt's sequence number (older buttons go stale) and ask."""
        self.row.seq += 1
        self.row.data = self.draft.to_json()
        self.row.updated_at = self.now()
        reply: Reply = await getattr(self, f"_ask_{self.row.step}")()
        reply.draft_id, reply.seq = self.row.id, self.row.seq
        if notice:
            reply.notices.insert(0, notice)
        await self.session.flush()
        return reply

    def _nav(self, back: bool = True) -> list[Button]:
        row = [Button(self.t("log.button.back"), "back")] if back else []
        return row + [Button(self.t("log.button.cancel"), "cancel")]

    async def _names(self, ids: Sequence[int | None]) -> dict[int, Person]:
        found: dict[int, Person] = {}
        for person_id in {person_id for person_id in ids if person_id is not None}:
            person = await people.person_by_id(self.session, person_id)
            if person is not None:
                found[person_id] = person
        return found

    def _too_long(self, typed: str, field_name: str) -> str:
        if len(typed) > LIMITS[field_name]:
            return self.t("log.error.too_long", limit=LIMITS[field_name], length=len(typed))
        return ""

    # ---- kind, format and channel ------------------------------------------------------------------------

    async def _ask_kind(self) -> Reply:
        kinds = self.services.config.organisation.talk_kinds
        tick = "✓ "
        rows = [[Button(kind, f"kind:{index}")] for index, kind in enumerate(kinds)]
        rows.append(
            [
                Button((tick if self.draft.format == f else "") + self.t(f"log.format.{f}"), f"format:{f}")
                for f in FORMATS
            ]
        )
        rows.append(
            [
                Button((tick if self.draft.channel == c else "") + self.t(f"log.channel.{c}"), f"channel:{c}")
                for c in CHANNELS
            ]
        )
        rows.append(self._nav(back=self.draft.editing))
        return Reply(question=self.t("log.ask.kind"), rows=rows)

    async def _press_kind(self, name: str, argument: str) -> Reply:
        kinds = self.services.config.organisation.talk_kinds
        if name == "format" and argument in FORMATS:
            self.draft.format = argument
            if argument == "individual":
                self.draft.subjects = self.draft.subjects[:1]
            return await self._ask()
        if name == "channel" and argument in CHANNELS:
            self.draft.channel = argument
            return await self._ask()
        if name == "kind" and argument.isdigit() and int(argument) < len(kinds):
            self.draft.kind = kinds[int(argument)]
            if self.draft.editing and self.draft.format == "collective" and len(self.draft.subjects) < 2:
                self.draft.editing = False  # a collective talk needs its people before the review
                return await self._go(Step.SUBJECTS)
            return await self._next(Step.KIND)
        return await self._ask(notice=self.t("log.error.use_buttons"))

    # ---- the people talked to --------------------------------------------------------------------------

    def _scopes(self) -> tuple[str, ...]:
        return self.viewer.scopes(Capability.LOG)

    async def _search(self, typed: str, scopes: Sequence[str] | None) -> tuple[list[Person], str]:
        if self._too_long(typed, "name"):
            return [], self._too_long(typed, "name")
        found = list(await people.people_within(self.session, scopes, typed, limit=MAX_MATCHES))
        self.draft.matches = [person.id for person in found]
        return found, "" if found else self.t("log.error.no_match", query=typed)

    def _match_rows(self, found_ids: Sequence[int], names: dict[int, Person]) -> list[list[Button]]:
        return [
            [Button(self.t("log.button.person", name=names[i].name, unit=names[i].unit.path), f"pick:{i}")]
            for i in found_ids
            if i in names
        ]

    async def _ask_subjects(self) -> Reply:
        names = await self._names([*self.draft.subjects, *self.draft.matches])
        collective = self.draft.format == "collective"
        chosen = "、".join(names[i].name for i in self.draft.subjects if i in names)
        question = self.t(
            "log.ask.subjects_collective" if collective else "log.ask.subjects",
            chosen=chosen or "—",
            count=len(self.draft.subjects),
        )
        rows = self._match_rows([i for i in self.draft.matches if i not in self.draft.subjects], names)
        extra = [Button(self.t("log.button.new_person"), "new")]
        if collective and self.draft.subjects:
            extra.append(Button(self.t("log.button.done"), "done"))
        return Reply(question=question, rows=[*rows, extra, self._nav()])

    async def _text_subjects(self, typed: str) -> Reply:
        found, problem = await self._search(typed, self._scopes())
        if problem:
            return await self._ask(notice=problem)
        if _unmistakable(typed, found) and self.draft.format == "individual":
            return await self._choose_subject(found[0].id)
        return await self._ask()

    async def _press_subjects(self, name: str, argument: str) -> Reply:
        if name == "pick" and argument.isdigit():
            return await self._choose_subject(int(argument))
        if name == "new":
            return await self._go(Step.NEW_NAME)
        if name == "done":
            if len(self.draft.subjects) < 2:
                return await self._ask(notice=self.t("log.error.collective_needs_two"))
            self.draft.matches = []
            return await self._next(Step.SUBJECTS)
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _in_scope(self, person_id: int) -> Person | None:
        person = await people.person_by_id(self.session, person_id)
        if person is None or not person.active or not self.viewer.covers(Capability.LOG, person.unit.path):
            return None
        return person

    async def _choose_subject(self, person_id: int) -> Reply:
        person = await self._in_scope(person_id)
        if person is None:
            return await self._ask(notice=self.t("log.error.out_of_scope"))
        if self.draft.format == "individual":
            self.draft.subjects, self.draft.matches = [person.id], []
            self._default_responsible()
            return await self._next(Step.SUBJECTS, notice=self.t("log.chosen", name=person.name))
        if person.id not in self.draft.subjects:
            self.draft.subjects.append(person.id)
        self.draft.matches = [i for i in self.draft.matches if i != person.id]
        return await self._ask()

    def _default_responsible(self) -> None:
        """Items answer to someone talked to; after the people change, keep only those still in the talk."""
        first = self.draft.subjects[0] if self.draft.subjects else None
        for item in self.draft.items:
            if item.responsible_id not in self.draft.subjects:
                item.responsible_id = first

    async def _ask_new_name(self) -> Reply:
        return Reply(question=self.t("log.ask.new_name"), rows=[self._nav()])

    async def _text_new_name(self, typed: str) -> Reply:
        if problem := self._too_long(typed, "name"):
            return await self._ask(notice=problem)
        self.draft.new_name = typed
        return await self._go(Step.NEW_UNIT)

    async def _ask_new_unit(self) -> Reply:
        rows = [[Button(scope, f"unit:{index}")] for index, scope in enumerate(self._scopes())]
        return Reply(question=self.t("log.ask.new_unit", name=self.draft.new_name), rows=[*rows, self._nav()])

    async def _text_new_unit(self, typed: str) -> Reply:
        path = _place_in_scopes("/".join(part.strip() for part in typed.replace("／", "/").split("/")), self._scopes())
        if problem := self._too_long(path, "unit"):
            return await self._ask(notice=problem)
        if any(not part for part in path.split("/")) or not self.viewer.covers(Capability.LOG, path):
            return await self._ask(notice=self.t("log.error.unit_out_of_scope", unit=path))
        self.draft.new_unit = path
        return await self._go(Step.NEW_RANK)

    async def _press_new_unit(self, name: str, argument: str) -> Reply:
        scopes = self._scopes()
        if name == "unit" and argument.isdigit() and int(argument) < len(scopes):
            self.draft.new_unit = scopes[int(argument)]
            return await self._go(Step.NEW_RANK)
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _ask_new_rank(self) -> Reply:
        levels = self.services.config.organisation.rank_levels
        rows = [[Button(level, f"rank:{index}") for index, level in enumerate(levels)]]
        question = self.t("log.ask.new_rank", name=self.draft.new_name, unit=self.draft.new_unit)
        return Reply(question=question, rows=[*rows, self._nav()])

    async def _press_new_rank(self, name: str, argument: str) -> Reply:
        levels = self.services.config.organisation.rank_levels
        if not (name == "rank" and argument.isdigit() and int(argument) < len(levels)):
            return await self._ask(notice=self.t("log.error.use_buttons"))
        if not self.draft.new_name or not self.viewer.covers(Capability.LOG, self.draft.new_unit):
            return await self._go(Step.NEW_NAME)
        now = self.now()
        person = await people.add_person(
            self.session,
            name=self.draft.new_name,
            unit_path=self.draft.new_unit,
            rank_level=levels[int(argument)],
            now=now,
        )
        audit.record(
            self.session,
            at=now,
            actor_person_id=self.viewer.person_id,
            action="roster.add_from_talk",
            subject=f"person:{person.id}",
        )
        self.draft.new_name = self.draft.new_unit = ""
        self.row.step = Step.SUBJECTS.value
        return await self._choose_subject(person.id)

    # ---- when --------------------------------------------------------------------------------------------

    async def _ask_held_at(self) -> Reply:
        rows = [
            [
                Button(self.t("log.button.now"), "now"),
                Button(self.t("log.button.yesterday"), "yesterday"),
                Button(self.t("log.button.calendar"), "calendar"),
            ],
            self._nav(),
        ]
        return Reply(question=self.t("log.ask.held_at"), rows=rows)

    async def _set_held(self, day: date, at: time | None, *, confirm: bool = False) -> Reply:
        """Keep the talk's time, or say why not; with `confirm`, show it back first."""
        moment = Moment(day, at)
        max_age = self.services.config.talk_max_age_days
        self.row.step = Step.HELD_AT.value  # a refusal asks the question again
        problem = check_held_at(moment, self.now().astimezone(self.zone), max_age)
        if problem:
            return await self._ask(notice=self.t(problem, days=max_age, when=_shown(moment)))
        if confirm:
            self.draft.unconfirmed = _shown(moment)
            return await self._go(Step.HELD_CONFIRM)
        self.draft.held_day, self.draft.held_time = day.isoformat(), at.strftime("%H:%M") if at else ""
        return await self._next(Step.HELD_AT)

    async def _text_held_at(self, typed: str) -> Reply:
        try:
            reading = read_talk_time(typed[:60], self.today())
        except Unreadable as refusal:
            return await self._ask(notice=self._unreadable(refusal, "log.error.date", typed))
        return await self._set_held(reading.moment.day, reading.moment.at, confirm=reading.confirm)

    def _unreadable(self, refusal: Unreadable, unread_key: str, typed: str) -> str:
        """Why the typed words give no date: a day or time that does not exist is named, else examples."""
        if refusal.reason == "unread":
            return self.t(unread_key, typed=typed[:60])
        return self.t(f"log.error.{refusal.reason}", part=refusal.part)

    # A talk time or deadline with something the leader did not type (a year, a month, the afternoon) is shown
    # back first: HELD_CONFIRM and DEADLINE_CONFIRM share these, and return to the question in BACK_TO.

    async def _ask_confirm(self) -> Reply:
        rows = [[Button(self.t("log.button.yes"), "yes"), Button(self.t("log.button.no"), "no")], self._nav(False)]
        return Reply(question=self.t("log.ask.confirm_day", when=self.draft.unconfirmed), rows=rows)

    def _take_unconfirmed(self) -> Moment | None:
        """The moment shown back, now answered; the step goes back to its question."""
        self.row.step = BACK_TO[Step(self.row.step)].value
        shown, self.draft.unconfirmed = self.draft.unconfirmed, ""
        day, _, at = shown.partition(" ")
        try:
            return Moment(date.fromisoformat(day), time.fromisoformat(at) if at else None)
        except ValueError:
            return None

    async def _press_confirm(self, name: str, argument: str) -> Reply:
        """Yes keeps the moment shown back (checked again); No asks the question again."""
        if name not in ("yes", "no"):
            return await self._ask(notice=self.t("log.error.use_buttons"))
        moment = self._take_unconfirmed()
        if name == "no" or moment is None:
            return await self._ask()
        if self.row.step == Step.HELD_AT:
            return await self._set_held(moment.day, moment.at)
        return await self._set_deadline(moment.day)

    async def _text_confirm(self, typed: str) -> Reply:
        """Another answer typed instead of Yes or No answers the question anew."""
        self._take_unconfirmed()
        return await self.on_text(typed)

    _ask_held_confirm = _ask_deadline_confirm = _ask_confirm
    _press_held_confirm = _press_deadline_confirm = _press_confirm
    _text_held_confirm = _text_deadline_confirm = _text_confirm

    async def _press_held_at(self, name: str, argument: str) -> Reply:
        local = self.now().astimezone(self.zone)
        if name == "now":
            return await self._set_held(local.date(), local.time().replace(second=0, microsecond=0))
        if name == "yesterday":
            return await self._set_held(local.date() - timedelta(days=1), None)
        if name == "calendar":
            self.draft.month = local.strftime("%Y-%m")
            return await self._go(Step.CALENDAR)
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _ask_calendar(self) -> Reply:
        year, month = (int(part) for part in (self.draft.month or self.today().strftime("%Y-%m")).split("-"))
        rows: list[list[Button]] = []
        for week in calendar.Calendar().monthdayscalendar(year, month):
            rows.append(
                [
                    Button(str(day) if day else "·", f"day:{year:04d}-{month:02d}-{day:02d}" if day else "noop")
                    for day in week
                ]
            )
        previous = date(year, month, 1) - timedelta(days=1)
        following = date(year, month, 28) + timedelta(days=4)
        rows.append(
            [
                Button("◀", f"month:{previous:%Y-%m}"),
                Button(f"{year}-{month:02d}", "noop"),
                Button("▶", f"month:{following:%Y-%m}"),
            ]
        )
        return Reply(question=self.t("log.ask.calendar"), rows=[*rows, self._nav()])

    async def _press_calendar(self, name: str, argument: str) -> Reply:
        try:
            if name == "month":
                self.draft.month = datetime.strptime(argument, "%Y-%m").strftime("%Y-%m")
                return await self._ask()
            if name == "day":
                return await self._set_held(date.fromisoformat(argument), None)
        except ValueError:
            pass
        return await self._ask()

    # ---- topic, problems, measures, deadlines ------------------------------------------------------------

    async def _ask_topic(self) -> Reply:
        return Reply(question=self.t("log.ask.topic", limit=LIMITS["topic"]), rows=[self._nav()])

    async def _text_topic(self, typed: str) -> Reply:
        if problem := self._too_long(typed, "topic"):
            return await self._ask(notice=problem)
        self.draft.topic = typed
        return await self._next(Step.TOPIC)

    async def _ask_problem(self) -> Reply:
        rows = [] if self.draft.editing else [[Button(self.t("log.button.no_problems"), "none")]]
        question = self.t("log.ask.problem", number=len(self.draft.items) + 1)
        return Reply(question=question, rows=[*rows, self._nav()])

    async def _text_problem(self, typed: str) -> Reply:
        problem, _, measure = typed.partition("\n")
        problem, measure = problem.strip(), measure.strip()
        if too_long := self._too_long(problem, "problem") or self._too_long(measure, "measure"):
            return await self._ask(notice=too_long)
        self.draft.pending = Item(problem=problem, measure=measure)
        return await self._go(Step.DEADLINE if measure else Step.MEASURE)

    async def _press_problem(self, name: str, argument: str) -> Reply:
        if name == "none":
            return await self._go(Step.REVIEW)
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _ask_measure(self) -> Reply:
        problem = self.draft.pending.problem if self.draft.pending else ""
        return Reply(question=self.t("log.ask.measure", problem=problem), rows=[self._nav()])

    async def _text_measure(self, typed: str) -> Reply:
        if self.draft.pending is None:
            return await self._go(Step.PROBLEM)
        if problem := self._too_long(typed, "measure"):
            return await self._ask(notice=problem)
        self.draft.pending.measure = typed
        return await self._go(Step.DEADLINE)

    async def _ask_deadline(self) -> Reply:
        rows = [[Button(self.t("log.button.months", count=n), f"months:{n}") for n in (1, 3, 6)], self._nav()]
        return Reply(question=self.t("log.ask.deadline"), rows=rows)

    async def _set_deadline(self, deadline: date, *, confirm: bool = False) -> Reply:
        """Keep the pending problem's deadline, or say why not; with `confirm`, show it back first."""
        today = self.today()
        self.row.step = Step.DEADLINE.value  # a refusal asks the question again
        if deadline < today:
            return await self._ask(notice=self.t("log.error.deadline_past", day=deadline.isoformat()))
        if deadline > today + timedelta(days=366 * MAX_DEADLINE_YEARS):
            return await self._ask(notice=self.t("log.error.deadline_range", years=MAX_DEADLINE_YEARS))
        if self.draft.pending is None:
            return await self._go(Step.PROBLEM)
        if confirm:
            self.draft.unconfirmed = deadline.isoformat()
            return await self._go(Step.DEADLINE_CONFIRM)
        self.draft.pending.deadline = deadline.isoformat()
        if len(self.draft.subjects) > 1:
            return await self._go(Step.RESPONSIBLE)
        return await self._add_pending(self.draft.subjects[0] if self.draft.subjects else None)

    async def _text_deadline(self, typed: str) -> Reply:
        try:
            reading = read_due(typed[:60], self.today())
        except Unreadable as refusal:
            return await self._ask(notice=self._unreadable(refusal, "log.error.deadline", typed))
        return await self._set_deadline(reading.moment.day, confirm=reading.confirm)

    async def _press_deadline(self, name: str, argument: str) -> Reply:
        if name == "months" and argument in ("1", "3", "6"):
            return await self._set_deadline(add_months(self.today(), int(argument)))
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _ask_responsible(self) -> Reply:
        names = await self._names(self.draft.subjects)
        rows = [[Button(names[i].name, f"pick:{i}")] for i in self.draft.subjects if i in names]
        return Reply(question=self.t("log.ask.responsible"), rows=[*rows, self._nav()])

    async def _press_responsible(self, name: str, argument: str) -> Reply:
        if name == "pick" and argument.isdigit() and int(argument) in self.draft.subjects:
            return await self._add_pending(int(argument))
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _add_pending(self, responsible_id: int | None) -> Reply:
        item = self.draft.pending
        if item is None:
            return await self._go(Step.PROBLEM)
        item.responsible_id = responsible_id
        self.draft.items.append(item)
        self.draft.pending = None
        self.draft.editing = False
        return await self._go(Step.REVIEW)

    # ---- the review screen ------------------------------------------------------------------------------

    async def _ask_review(self) -> Reply:
        summary = await describe(self.session, self.draft, self.language, self.row.id)
        edit = [
            ("kind", "log.field.kind"),
            ("subjects", "log.field.subjects"),
            ("held_at", "log.field.held_at"),
            ("topic", "log.field.topic"),
            ("place", "log.field.place"),
            ("content", "log.field.content"),
            ("lead", "log.field.lead"),
            ("attendees", "log.field.attendees"),
            ("attach", "log.field.attachments"),
        ]
        buttons = [Button("✏️ " + self.t(key), f"edit:{name}") for name, key in edit]
        rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
        rows.append([Button(self.t("log.button.add_problem"), "add")])
        for index, _ in enumerate(self.draft.items):
            rows.append(
                [
                    Button(self.t("log.button.delete_item", number=index + 1), f"delete:{index}"),
                    Button(self.t("log.button.second", number=index + 1), f"second:{index}"),
                ]
            )
        rows.append([Button(self.t("log.button.confirm"), "confirm"), Button(self.t("log.button.cancel"), "cancel")])
        heading = self.t("log.review.correcting" if self.row.talk_id else "log.review.title")
        return Reply(question=f"{heading}\n\n{summary}", rows=rows)

    async def _press_review(self, name: str, argument: str) -> Reply:
        editable = {
            "kind": Step.KIND,
            "subjects": Step.SUBJECTS,
            "held_at": Step.HELD_AT,
            "topic": Step.TOPIC,
            "place": Step.PLACE,
            "content": Step.CONTENT,
            "lead": Step.LEAD,
            "attendees": Step.ATTENDEES,
            "attach": Step.ATTACH,
        }
        if name == "edit" and argument in editable:
            self.draft.editing, self.draft.matches = True, []
            return await self._go(editable[argument])
        if name == "add":
            self.draft.editing = True
            return await self._go(Step.PROBLEM)
        index = int(argument) if argument.isdigit() else -1
        if name == "delete" and 0 <= index < len(self.draft.items):
            del self.draft.items[index]
            return await self._ask(notice=self.t("log.item_deleted", number=index + 1))
        if name == "second" and 0 <= index < len(self.draft.items):
            self.draft.item_index, self.draft.matches = index, []
            return await self._go(Step.SECOND)
        if name == "confirm":
            return await self._confirm()
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _confirm(self) -> Reply:
        missing = [
            key
            for key, present in (
                ("log.field.kind", self.draft.kind),
                ("log.field.subjects", self.draft.subjects),
                ("log.field.held_at", self.draft.held_day),
                ("log.field.topic", self.draft.topic),
            )
            if not present
        ]
        if missing:
            fields = "、".join(self.t(key) for key in missing)
            return await self._ask(notice=self.t("log.error.missing", fields=fields))
        talk, changed, unreachable = await save_talk(self.session, self.services, self.viewer, self.row, self.draft)
        summary = await describe(self.session, self.draft, self.language, None, talk)
        if self.row.talk_id is not None:
            notice = self.t(
                "log.corrected",
                ledger_no=talk.ledger_no,
                fields="、".join(self.t(f"log.field.{name}") for name in changed) or "—",
            )
        else:
            notice = self.t("log.saved", ledger_no=talk.ledger_no)
        await self.session.delete(self.row)
        notices = []  # who cannot be reached first; the receipt comes last, as the final word
        for person in unreachable:
            code, _ = await create_invite(
                self.session,
                person,
                now=self.now(),
                valid_days=self.services.config.invite_valid_days,
                actor=f"person:{self.viewer.person_id}",
                created_by_id=self.viewer.person_id,
            )
            link = deep_link(self.services.bot_username, code)
            notices.append(self.t("log.unreachable", name=person.name, link=link))
        notices.append(f"{notice}\n\n{summary}")
        return Reply(notices=notices, finished=True, talk_id=talk.id)

    # ---- optional fields, from the review screen ----------------------------------------------------------

    async def _ask_place(self) -> Reply:
        return Reply(
            question=self.t("log.ask.place", limit=LIMITS["place"]),
            rows=[[Button(self.t("log.button.clear"), "clear")], self._nav()],
        )

    async def _text_place(self, typed: str) -> Reply:
        if problem := self._too_long(typed, "place"):
            return await self._ask(notice=problem)
        self.draft.place = typed
        return await self._next(Step.REVIEW)

    async def _press_place(self, name: str, argument: str) -> Reply:
        if name == "clear":
            self.draft.place = ""
            return await self._next(Step.REVIEW)
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _ask_content(self) -> Reply:
        return Reply(
            question=self.t("log.ask.content", limit=LIMITS["content"]),
            rows=[[Button(self.t("log.button.clear"), "clear")], self._nav()],
        )

    async def _text_content(self, typed: str) -> Reply:
        if problem := self._too_long(typed, "content"):
            return await self._ask(notice=problem)
        self.draft.content = typed
        return await self._next(Step.REVIEW)

    async def _press_content(self, name: str, argument: str) -> Reply:
        if name == "clear":
            self.draft.content = ""
            return await self._next(Step.REVIEW)
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _ask_people_step(self, question_key: str, chosen: Sequence[int], done: bool) -> Reply:
        names = await self._names([*chosen, *self.draft.matches])
        chosen_names = "、".join(names[i].name for i in chosen if i in names) or "—"
        rows = self._match_rows([i for i in self.draft.matches if i not in chosen], names)
        extra = [Button(self.t("log.button.done"), "done")] if done else []
        extra.append(Button(self.t("log.button.clear"), "clear"))
        return Reply(question=self.t(question_key, chosen=chosen_names), rows=[*rows, extra, self._nav()])

    async def _ask_lead(self) -> Reply:
        return await self._ask_people_step("log.ask.lead", [self.draft.lead_id] if self.draft.lead_id else [], False)

    async def _text_lead(self, typed: str) -> Reply:
        found, problem = await self._search(typed, None)
        if _unmistakable(typed, found):
            return await self._press_lead("pick", str(found[0].id))
        return await self._ask(notice=problem)

    async def _press_lead(self, name: str, argument: str) -> Reply:
        if name == "clear":
            self.draft.lead_id = self.viewer.person_id  # the lead defaults to whoever logs the talk
            return await self._next(Step.REVIEW)
        if name == "pick" and argument.isdigit() and await people.person_by_id(self.session, int(argument)):
            self.draft.lead_id, self.draft.matches = int(argument), []
            return await self._next(Step.REVIEW)
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _ask_attendees(self) -> Reply:
        return await self._ask_people_step("log.ask.attendees", self.draft.attendees, True)

    async def _text_attendees(self, typed: str) -> Reply:
        _, problem = await self._search(typed, None)
        return await self._ask(notice=problem)

    async def _press_attendees(self, name: str, argument: str) -> Reply:
        if name == "pick" and argument.isdigit() and await people.person_by_id(self.session, int(argument)):
            if int(argument) not in self.draft.attendees:
                self.draft.attendees.append(int(argument))
            return await self._ask()
        if name == "clear":
            self.draft.attendees = []
            return await self._ask()
        if name == "done":
            self.draft.matches = []
            return await self._next(Step.REVIEW)
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _ask_second(self) -> Reply:
        index = self.draft.item_index
        item = self.draft.items[index] if 0 <= index < len(self.draft.items) else None
        reply = await self._ask_people_step(
            "log.ask.second", [item.second_id] if item and item.second_id else [], False
        )
        reply.question = self.t("log.ask.second_for", number=index + 1) + "\n" + reply.question
        return reply

    async def _text_second(self, typed: str) -> Reply:
        found, problem = await self._search(typed, self._scopes())
        if _unmistakable(typed, found):
            return await self._press_second("pick", str(found[0].id))
        return await self._ask(notice=problem)

    async def _press_second(self, name: str, argument: str) -> Reply:
        index = self.draft.item_index
        if not 0 <= index < len(self.draft.items):
            return await self._go(Step.REVIEW)
        if name == "clear":
            self.draft.items[index].second_id = None
            return await self._go(Step.REVIEW)
        if name == "pick" and argument.isdigit():
            person = await self._in_scope(int(argument))
            if person is None:
                return await self._ask(notice=self.t("log.error.out_of_scope"))
            self.draft.items[index].second_id, self.draft.matches = person.id, []
            return await self._go(Step.REVIEW)
        return await self._ask(notice=self.t("log.error.use_buttons"))

    async def _ask_attach(self) -> Reply:
        count = len(await talks.draft_attachments(self.session, self.row.id))
        return Reply(
            question=self.t("log.ask.attach", count=count),
            rows=[[Button(self.t("log.button.done"), "done")], self._nav()],
        )

    async def _press_attach(self, name: str, argument: str) -> Reply:
        if name == "done":
            return await self._next(Step.REVIEW)
        return await self._ask(notice=self.t("log.error.use_buttons"))

    # ---- discarding ------------------------------------------------------------------------------------

    async def _ask_cancel(self) -> Reply:
        rows = [[Button(self.t("log.button.discard"), "discard"), Button(self.t("log.button.keep"), "keep")]]
        return Reply(question=self.t("log.ask.cancel"), rows=rows)

    async def _press_cancel(self, name: str, argument: str) -> Reply:
        if name == "discard":
            await self.session.delete(self.row)
            return Reply(notices=[self.t("log.discarded")], finished=True)
        if name == "keep":
            step = self.draft.resume_step if self.draft.resume_step in Step.__members__.values() else Step.REVIEW
            return await self._go(Step(step) if step != Step.CANCEL else Step.REVIEW)
        return await self._ask(notice=self.t("log.error.use_buttons"))


def _shown(moment: Moment) -> str:
    """A day and time as the leader is shown them: 2025-12-01, or 2025-12-01 15:00."""
    return f"{moment.day.isoformat()} {moment.at.strftime('%H:%M') if moment.at else ''}".strip()


def _place_in_scopes(path: str, scopes: Sequence[str]) -> str:
    """A unit path as typed, completed against the leader's scopes: with scope 兰州市/城关区, both 财政局 and
    城关区/财政局 mean 兰州市/城关区/财政局. A path that fits no scope is returned as typed."""
    typed = path.split("/")
    for scope in scopes:
        own = scope.split("/")
        if typed[: len(own)] == own:
            return path
        if typed[0] in own:
            return "/".join(own[: own.index(typed[0])] + typed)
    return f"{scopes[0]}/{path}" if len(scopes) == 1 else path


async def describe(
    session: AsyncSession, draft: Draft, language: str, draft_id: int | None, talk: Talk | None = None
) -> str:
    """The talk as the review screen, the receipt and /mytalks show it."""

    def t(key: str, /, **params: object) -> str:
        return text(language, key, **params)

    ids = [*draft.subjects, *draft.attendees, draft.lead_id]
    for item in draft.items:
        ids += [item.responsible_id, item.second_id]
    names: dict[int, Person] = {}
    for person_id in {i for i in ids if i is not None}:
        person = await people.person_by_id(session, person_id)
        if person is not None:
            names[person_id] = person
    subjects = "、".join(
        t("log.summary.subject", name=names[i].name, unit=names[i].unit.path, rank=names[i].rank_level)
        for i in draft.subjects
        if i in names
    )
    attendees = "、".join(names[i].name for i in draft.attendees if i in names)
    lines = [
        t(
            "log.summary.kind",
            kind=draft.kind or "—",
            format=t(f"log.format.{draft.format}"),
            channel=t(f"log.channel.{draft.channel}"),
        ),
        t("log.summary.subjects", subjects=subjects or "—", count=len(draft.subjects)),
        t("log.summary.held_at", when=f"{draft.held_day} {draft.held_time}".strip() or "—"),
        t("log.summary.place", place=draft.place or "—"),
        t("log.summary.topic", topic=draft.topic or "—"),
        t("log.summary.content", content=draft.content or "—"),
        t("log.summary.lead", lead=names[draft.lead_id].name if draft.lead_id in names else "—"),
        t("log.summary.attendees", attendees=attendees or "—"),
        t("log.summary.items", count=len(draft.items)),
    ]
    for number, item in enumerate(draft.items, start=1):
        responsible = names[item.responsible_id].name if item.responsible_id in names else "—"
        if item.second_id in names:
            responsible += t("log.summary.second", name=names[item.second_id].name)
        lines.append(
            t(
                "log.summary.item",
                number=number,
                problem=item.problem,
                measure=item.measure or "—",
                deadline=item.deadline,
                responsible=responsible,
            )
        )
    if talk is not None:
        count = len(talk.attachments)
    else:
        count = len(await talks.draft_attachments(session, draft_id)) if draft_id is not None else 0
    lines.append(t("log.summary.attachments", count=count))
    return "\n".join(lines)


FIELDS = ("kind", "format", "channel", "subjects", "held_at", "place", "topic", "content", "lead", "attendees", "items")


def _field_values(draft: Draft) -> dict[str, str]:
    """Each field as text, to compare before and after a correction."""
    return {
        "kind": draft.kind,
        "format": draft.format,
        "channel": draft.channel,
        "subjects": json.dumps(draft.subjects),
        "held_at": f"{draft.held_day} {draft.held_time}".strip(),
        "place": draft.place,
        "topic": draft.topic,
        "content": draft.content,
        "lead": str(draft.lead_id),
        "attendees": json.dumps(draft.attendees),
        "items": json.dumps([dataclasses.asdict(item) for item in draft.items], ensure_ascii=False),
    }


async def save_talk(
    session: AsyncSession, services: Services, viewer: Viewer, row: TalkDraft, draft: Draft
) -> tuple[Talk, list[str], list[Person]]:
    """Write the draft as a talk (a new ledger entry, or the correction of `row.talk_id`) and plan its items'
    delivery; the changed fields, and the responsible people who are not enrolled."""
    now = services.clock.now()
    zone = services.config.organisation.zone
    local = datetime.combine(
        date.fromisoformat(draft.held_day),
        time.fromisoformat(draft.held_time) if draft.held_time else time(0, 0),
        tzinfo=zone,
    )
    actor = f"person:{viewer.person_id}"
    talk = await talks.talk_by_id(session, row.talk_id) if row.talk_id else None
    changed: list[str] = []
    if talk is None:
        number = await talks.next_ledger_number(session, local.year)
        talk = Talk(
            ledger_no=f"{local.year}-{number:06d}",
            logged_by_id=viewer.person_id,
            deleted=False,
            created_at=now,
            participants=[],
            items=[],
            attachments=[],
        )
        session.add(talk)
    else:
        before = _field_values(Draft.from_talk(talk, zone))
        after = _field_values(draft)
        changed = [name for name in FIELDS if before[name] != after[name]]
        for name in changed:
            talks.record_change(
                session, talk, at=now, actor_id=viewer.person_id, field=name, before=before[name], after=after[name]
            )
    # Built whole before the first flush: a person looked up midway would flush the talk without its people, and
    # the monthly tally would read the talk's contribution again for the people's own flush (issue 18).
    with session.no_autoflush:
        talk.kind, talk.format, talk.channel = draft.kind, draft.format, draft.channel
        talk.held_at, talk.time_known = local, bool(draft.held_time)
        talk.place, talk.topic, talk.content = draft.place, draft.topic, draft.content
        talk.lead_id = draft.lead_id or viewer.person_id
        talk.updated_at = now
        participants = []
        for role, ids in (("subject", draft.subjects), ("attendee", draft.attendees)):
            for person_id in ids:
                person = await people.person_by_id(session, person_id)
                if person is not None:
                    previous = next((p for p in talk.participants if p.person_id == person_id and p.role == role), None)
                    # Rank and unit are kept as they were when the talk was first recorded.
                    participants.append(
                        previous
                        or TalkParticipant(
                            person_id=person_id, role=role, rank_level=person.rank_level, unit_id=person.unit_id
                        )
                    )
        talk.participants = participants
        fresh: list[RectificationItem] = []
        if not talk.items or "items" in changed:
            fresh = [
                RectificationItem(
                    kind="problem",
                    problem=item.problem,
                    measure=item.measure,
                    deadline=date.fromisoformat(item.deadline),
                    responsible_id=item.responsible_id or draft.subjects[0],
                    second_responsible_id=item.second_id,
                    state="open",
                    created_at=now,
                    planned_from=now,
                )
                for item in draft.items
            ]
            kept = [item for item in talk.items if item.kind == "followup"]
            if row.talk_id is None:
                kept = fresh_followups = followup_items(talk, services.config.reminders.followup_months, now, zone)
                fresh += fresh_followups
            talk.items = [item for item in fresh if item.kind == "problem"] + kept
            for number, item in enumerate(talk.items, start=1):
                item.number = number
    await session.flush()
    unreachable = await deliver(session, services, fresh)
    await talks.attach_to_talk(session, row.id, talk.id)
    await session.refresh(talk, ["attachments"])
    audit.record(
        session,
        at=now,
        actor=actor,
        actor_person_id=viewer.person_id,
        action="talk.correct" if row.talk_id else "talk.create",
        subject=f"talk:{talk.id}",
        ledger_no=talk.ledger_no,
        **({"fields": changed} if row.talk_id else {}),
    )
    return talk, changed, unreachable


def may_view(viewer: Viewer, talk: Talk) -> bool:
    """The one who logged or led the talk, and the commission over any unit of a person talked to."""
    if viewer.person_id in (talk.logged_by_id, talk.lead_id):
        return True
    return any(viewer.holds_over(Role.COMMISSION, p.person.unit.path) for p in talk.participants if p.role == "subject")


def may_correct(viewer: Viewer, talk: Talk, now: datetime, window_days: int) -> bool:
    if any(viewer.holds_over(Role.COMMISSION, p.person.unit.path) for p in talk.participants if p.role == "subject"):
        return True
    return viewer.person_id == talk.logged_by_id and now - talk.created_at <= timedelta(days=window_days)


def _unmistakable(typed: str, found: Sequence[Person]) -> bool:
    """Whether a name search may pick its one match without asking: a single pinyin letter (z: 赵, 张, 周…) is
    too loose to be taken at its word, even when only one of those people is in reach."""
    single_letter = len(typed.strip()) == 1 and typed.strip().isascii()
    return len(found) == 1 and not single_letter
