"""The steps that ask for dates: when the talk was held (typed in many forms, picked from recent days or a
calendar) and an item's deadline, each confirmed when the reading could be wrong (a year, a far date)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from bot.talks.draft import BACK_TO, MAX_DEADLINE_YEARS, Button, Reply, Step
from bot.talks.steps import Steps
from bot.talks.when import Moment, Unreadable, add_months, check_held_at, read_due, read_talk_time


class DateSteps(Steps):
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


def _shown(moment: Moment) -> str:
    """A day and time as the leader is shown them: 2025-12-01, or 2025-12-01 15:00."""
    return f"{moment.day.isoformat()} {moment.at.strftime('%H:%M') if moment.at else ''}".strip()
