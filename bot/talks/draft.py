"""A talk being logged, as data: its steps, the draft saved after every answer, and the `Reply` the flow
gives back (notices, the next question and its buttons) — what a messenger renders."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from storage.models import Attachment, Talk

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
