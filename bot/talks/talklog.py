"""Logging a talk by conversational prompts: one question at a time, every answer saved to a draft row.

Messenger-free: the flow takes typed text, button actions and files, and answers with a `Reply` (notices, the
next question and its buttons). The Telegram handlers only carry these across. Steps reached from the review
screen return to it; `back` goes to the previous question; buttons of an older prompt are stale (see `seq`).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.roster.access import Viewer
from bot.services import Services
from bot.talks.content import ContentSteps
from bot.talks.dates import DateSteps
from bot.talks.draft import MAX_ATTACHMENT_BYTES, TEXT_STEPS, Button, Draft, IncomingFile, Reply, Step
from bot.talks.people import PeopleSteps
from bot.talks.review import ReviewSteps
from storage import talks
from storage.models import Talk, TalkDraft


class TalkLog(PeopleSteps, DateSteps, ContentSteps, ReviewSteps):
    """One leader's draft, for the length of one update: the steps put together, and what the leader does."""

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
