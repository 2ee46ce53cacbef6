"""What every step of the flow shares: the draft and its row, the clock, the catalog, and moving between
steps (go, next, back, ask). Each group of steps is a mixin on `Steps`; `TalkLog` puts them together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import text
from bot.roster.access import Viewer
from bot.services import Services
from bot.talks.draft import BACK_TO, FLOW, LIMITS, Button, Draft, Reply, Step
from storage import people
from storage.models import Person, TalkDraft


class Steps:
    """One leader's draft, for the length of one update."""

    def __init__(self, session: AsyncSession, services: Services, viewer: Viewer, row: TalkDraft) -> None:
        self.session, self.services, self.viewer, self.row = session, services, viewer, row
        self.draft = Draft.from_json(row.data)
        self.language = viewer.language
        self.zone = services.config.organisation.zone

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

    async def _add_pending(self, responsible_id: int | None) -> Reply:
        """The problem being written becomes an item, with its responsible person; back to the review."""
        item = self.draft.pending
        if item is None:
            return await self._go(Step.PROBLEM)
        item.responsible_id = responsible_id
        self.draft.items.append(item)
        self.draft.pending = None
        self.draft.editing = False
        return await self._go(Step.REVIEW)

    async def on_text(self, typed: str) -> Reply:
        """Typed text for the current question (TalkLog's; a step that hands text on calls it)."""
        raise NotImplementedError
