"""The steps of the talk's content and its rectification items: topic, problem, measure (the deadline is
dates.py's), the responsible person; place, content and attachments from the review screen."""

from __future__ import annotations

from bot.talks.draft import LIMITS, Button, Item, Reply, Step
from bot.talks.steps import Steps
from storage import talks


class ContentSteps(Steps):
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

    async def _ask_responsible(self) -> Reply:
        names = await self._names(self.draft.subjects)
        rows = [[Button(names[i].name, f"pick:{i}")] for i in self.draft.subjects if i in names]
        return Reply(question=self.t("log.ask.responsible"), rows=[*rows, self._nav()])

    async def _press_responsible(self, name: str, argument: str) -> Reply:
        if name == "pick" and argument.isdigit() and int(argument) in self.draft.subjects:
            return await self._add_pending(int(argument))
        return await self._ask(notice=self.t("log.error.use_buttons"))

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
