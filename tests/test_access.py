"""The access rules: roles, scopes over the unit tree, the command menu. Pure."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.roster.access import ALLOWED, Capability, Grant, Role, Viewer, commands_for, within

segment = st.text(alphabet="兰州城关区榆中县局ab", min_size=1, max_size=4)
path = st.lists(segment, min_size=1, max_size=5).map("/".join)


def viewer(*grants: tuple[Role, str]) -> Viewer:
    return Viewer(1, "张三", "兰州市/城关区", tuple(Grant(role, scope) for role, scope in grants), "zh-CN")


@given(path, path)
def test_a_scope_covers_exactly_its_own_subtree(unit: str, scope: str) -> None:
    unit_parts, scope_parts = unit.split("/"), scope.split("/")
    assert within(unit, scope) == (unit_parts[: len(scope_parts)] == scope_parts)


def test_a_sibling_with_a_longer_name_is_not_inside() -> None:
    assert within("兰州市/城关区/建设局", "兰州市/城关区")
    assert not within("兰州市/城关区二", "兰州市/城关区")
    assert not within("兰州市", "兰州市/城关区")


def test_everyone_enrolled_is_a_member() -> None:
    assert viewer().roles == {Role.MEMBER}
    assert viewer((Role.LEADER, "兰州市")).roles == {Role.LEADER, Role.MEMBER}


def test_admin_capabilities_are_scoped() -> None:
    admin = viewer((Role.ADMIN, "兰州市/城关区"))
    assert admin.may(Capability.INVITE)
    assert admin.covers(Capability.INVITE, "兰州市/城关区/建设局")
    assert not admin.covers(Capability.INVITE, "兰州市/榆中县/交通局")
    leader = viewer((Role.LEADER, "兰州市"))
    assert not leader.may(Capability.INVITE) and not leader.covers(Capability.INVITE, "兰州市/城关区")


@given(st.sets(st.sampled_from(list(Role))))
def test_the_menu_lists_exactly_the_allowed_commands(roles: set[Role]) -> None:
    person = viewer(*((role, "兰州市") for role in roles))
    menu = commands_for(person)
    assert menu[:2] == [Capability.START, Capability.HELP]
    for capability in Capability:
        assert (capability in menu) == bool(ALLOWED[capability] & (roles | {Role.MEMBER}))


def test_a_stranger_only_sees_start() -> None:
    assert commands_for(None) == [Capability.START]
