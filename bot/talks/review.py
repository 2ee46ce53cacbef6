"""The review screen and confirming: the talk described as it will be saved, then saved with its items
(planned and delivered), plus who may view and correct a saved talk."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.followup.items import deliver, followup_items
from bot.i18n import text
from bot.roster.access import Role, Viewer
from bot.roster.enrollment import create_invite, deep_link
from bot.services import Services
from bot.talks.draft import Button, Draft, Reply, Step
from bot.talks.steps import Steps
from storage import audit, people, talks
from storage.models import Person, RectificationItem, Talk, TalkDraft, TalkParticipant


class ReviewSteps(Steps):
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
    numbered = talk is not None
    if talk is None:
        talk = Talk(
            ledger_no=f"draft-{row.id}",  # numbered last (below): the year's counter stays locked only until commit
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
    if not numbered:
        # Taking the number locks the year's counter row until this transaction ends: taken as the last write, so
        # that leaders confirming at the same moment wait for each other's commit, not for each other's planning
        # (on PostgreSQL they queued for seconds, and past the lock timeout a confirm failed).
        talk.ledger_no = f"{local.year}-{await talks.next_ledger_number(session, local.year):06d}"
        await session.flush()
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
