"""The steps that choose people and kind: the kind of talk, the people talked to (found by name or pinyin,
or added to the roster on the spot), the lead, the attendees and an item's second responsible leader."""

from __future__ import annotations

from collections.abc import Sequence

from bot.roster.access import Capability
from bot.talks.draft import CHANNELS, FORMATS, MAX_MATCHES, Button, Reply, Step
from bot.talks.steps import Steps
from storage import audit, people
from storage.models import Person


class PeopleSteps(Steps):
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


def _unmistakable(typed: str, found: Sequence[Person]) -> bool:
    """Whether a name search may pick its one match without asking: a single pinyin letter (z: 赵, 张, 周…) is
    too loose to be taken at its word, even when only one of those people is in reach."""
    single_letter = len(typed.strip()) == 1 and typed.strip().isascii()
    return len(found) == 1 and not single_letter


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
