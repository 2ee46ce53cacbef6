"""Answers to questions, and the memory that serves a repeated question without counting again: the commission
asks 本月约谈多少次 again and again, and between two askings the ledger seldom changes. Each answer is kept with
the roster and ledger versions it was counted at (storage/versions.py) and served only while both are unchanged;
any write to talks or participants, by any process, raises the ledger version."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.questions.reader import Question
from bot.roster.access import Viewer
from storage.versions import Versions

# Only talk counts are kept: answers about items and coverage also depend on today's date and on item states.
KEPT_MEASURES = frozenset({"talks", "person_times"})


@dataclass(frozen=True)
class Answer:
    text: str
    talks: int = 0
    person_times: int = 0
    rows: tuple[tuple[str, int, int], ...] = ()  # the breakdown: label, talks, person-times


@dataclass
class AnswerCache:
    LIMIT = 5_000
    _answers: dict[tuple[Viewer, Question], tuple[Versions, Answer]] = field(default_factory=dict)

    def get(self, viewer: Viewer, question: Question, versions: Versions) -> Answer | None:
        kept = self._answers.get((viewer, question))
        return kept[1] if kept is not None and kept[0] == versions else None

    def keep(self, viewer: Viewer, question: Question, versions: Versions, answer: Answer) -> None:
        """Keep `answer`, counted after `versions` were read (a write in between leaves it under the older versions:
        it is counted again next time, never served stale)."""
        if question.measure not in KEPT_MEASURES:
            return
        if len(self._answers) >= self.LIMIT:
            self._answers.clear()  # simpler than LRU; refilling costs one count each
        self._answers[(viewer, question)] = (versions, answer)
