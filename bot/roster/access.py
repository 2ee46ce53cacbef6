"""Who may do what, over which units. Pure: the one place every command and button is checked.

A person holds roles, each over a unit subtree (its scope). Scopes are unit paths such as 兰州市/城关区;
a scope covers its own unit and every unit below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COMMISSION = "commission"
    LEADER = "leader"
    MEMBER = "member"


# Names a roster file may use for a role, besides the English ones.
ROLE_ALIASES = {
    "管理员": Role.ADMIN,
    "纪委": Role.COMMISSION,
    "纪检": Role.COMMISSION,
    "领导": Role.LEADER,
    "成员": Role.MEMBER,
    "干部": Role.MEMBER,
}


class Capability(StrEnum):
    """One per command (its name) or per button family. The command menu is built from this order."""

    START = "start"
    HELP = "help"
    ME = "me"
    LANG = "lang"
    LOG = "log"
    RESUME = "resume"
    MYTALKS = "mytalks"
    CANCEL = "cancel"
    STATS = "stats"
    ASK = "ask"
    ITEMS = "items"
    FOLLOWUPS = "followups"
    ROSTER = "roster"
    INVITE = "invite"
    UNBIND = "unbind"
    GROUP = "group"


EVERYONE = frozenset(Role)
ALLOWED: dict[Capability, frozenset[Role]] = {
    Capability.START: EVERYONE,
    Capability.HELP: EVERYONE,
    Capability.ME: EVERYONE,
    Capability.LANG: EVERYONE,
    Capability.LOG: frozenset({Role.LEADER, Role.COMMISSION}),
    Capability.RESUME: frozenset({Role.LEADER, Role.COMMISSION}),
    Capability.MYTALKS: frozenset({Role.LEADER, Role.COMMISSION}),
    Capability.CANCEL: frozenset({Role.LEADER, Role.COMMISSION}),
    Capability.STATS: frozenset({Role.LEADER, Role.COMMISSION}),
    Capability.ASK: frozenset({Role.COMMISSION}),
    Capability.GROUP: frozenset({Role.ADMIN}),
    Capability.ITEMS: EVERYONE,
    Capability.FOLLOWUPS: frozenset({Role.LEADER, Role.COMMISSION}),
    Capability.ROSTER: frozenset({Role.ADMIN, Role.COMMISSION}),
    Capability.INVITE: frozenset({Role.ADMIN}),
    Capability.UNBIND: frozenset({Role.ADMIN}),
}


@dataclass(frozen=True)
class Grant:
    role: Role
    scope: str  # a unit path


@dataclass(frozen=True)
class Viewer:
    """An enrolled, active person as the access rules see them."""

    person_id: int
    name: str
    unit_path: str
    grants: tuple[Grant, ...]
    language: str

    @property
    def roles(self) -> frozenset[Role]:
        # Everyone on the roster is at least a member: they can be talked to and get items.
        return frozenset(grant.role for grant in self.grants) | {Role.MEMBER}

    def may(self, capability: Capability) -> bool:
        return bool(self.roles & ALLOWED[capability])

    def covers(self, capability: Capability, unit_path: str) -> bool:
        """May this viewer use `capability` on something that belongs to `unit_path`?"""
        return any(grant.role in ALLOWED[capability] and within(unit_path, grant.scope) for grant in self.grants)

    def holds_over(self, role: Role, unit_path: str) -> bool:
        """Does this viewer hold `role` over `unit_path`?"""
        return any(grant.role == role and within(unit_path, grant.scope) for grant in self.grants)

    def scopes(self, capability: Capability) -> tuple[str, ...]:
        return tuple(grant.scope for grant in self.grants if grant.role in ALLOWED[capability])


def within(unit_path: str, scope: str) -> bool:
    return unit_path == scope or unit_path.startswith(scope + "/")


def commands_for(viewer: Viewer | None) -> list[Capability]:
    """The commands to show this person, in menu order; a stranger only gets /start."""
    if viewer is None:
        return [Capability.START]
    return [capability for capability in Capability if viewer.may(capability)]
