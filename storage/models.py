"""The roster, invites and the audit log, as typed SQLAlchemy 2 models.

Timestamps are stored in UTC (naive in SQLite, aware in PostgreSQL: `UtcDateTime` hides the difference).

Long because it is the whole schema in one file: a newcomer reads the tables and their relations together.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """Always hands back aware UTC datetimes, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Unit(Base):
    """A node of the unit tree; `path` (e.g. 兰州市/城关区/建设局) is unique and makes scope checks simple."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(500), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class UnitAncestor(Base):
    """Each unit with each of its ancestors and itself (a closure table): counts roll up by ancestor in SQL."""

    __tablename__ = "unit_ancestors"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    ancestor_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    depth: Mapped[int] = mapped_column(Integer)  # the ancestor's: 1 for a root such as 兰州市
    unit_depth: Mapped[int] = mapped_column(Integer)


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    pinyin: Mapped[str] = mapped_column(String(200), default="")  # "zhaomin zm": found by typing either
    position: Mapped[str] = mapped_column(String(128), default="")
    rank_level: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # The messenger account the person is linked on: a Telegram user id, or a WeCom member's account number
    # (WeComAccount.number); at most one, so a person is reached on one messenger.
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    wecom_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # 企业微信账号: links without an invite
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The annual ledger (年度账): how often this person must be talked to, and how many talks they must hold.
    talk_every: Mapped[str] = mapped_column(String(8), default="")  # "" | month | quarter | half | year
    quota_talks: Mapped[int | None] = mapped_column(Integer)
    quota_per: Mapped[str] = mapped_column(String(8), default="")  # month | quarter | half | year
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    unit: Mapped[Unit] = relationship(lazy="joined")
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="person", lazy="selectin", cascade="all, delete-orphan"
    )


class RoleGrant(Base):
    """A role held over a unit subtree (the scope)."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("person_id", "role", "scope_unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    scope_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))

    person: Mapped[Person] = relationship(back_populates="grants")
    scope_unit: Mapped[Unit] = relationship(lazy="joined")


class Invite(Base):
    """A single-use enrollment code. Only its SHA-256 is kept: a copy of the database enrolls nobody."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_by_telegram_id: Mapped[int | None] = mapped_column(BigInteger)

    person: Mapped[Person] = relationship(foreign_keys=[person_id], lazy="joined")


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(100), default="")
    details: Mapped[str] = mapped_column(Text, default="")


class TalkDraft(Base):
    """A talk being logged (or a confirmed talk being corrected), saved at every answer."""

    __tablename__ = "talk_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    step: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer, default=0)  # bumps with every prompt: older buttons are stale
    data: Mapped[str] = mapped_column(Text)  # the answers so far, as JSON
    talk_id: Mapped[int | None] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LedgerCounter(Base):
    """The last ledger number given out in a year (numbers are unique per organisation and year)."""

    __tablename__ = "ledger_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class Talk(Base):
    """One talk of the detail ledger (明细账). It counts once (次); each subject is one person-time (人次)."""

    __tablename__ = "talks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_no: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    format: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    held_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    time_known: Mapped[bool] = mapped_column(Boolean, default=True)
    place: Mapped[str] = mapped_column(String(100), default="")
    topic: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    lead_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    participants: Mapped[list[TalkParticipant]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="TalkParticipant.id", back_populates="talk"
    )
    items: Mapped[list[RectificationItem]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="RectificationItem.number"
    )
    attachments: Mapped[list[Attachment]] = relationship(lazy="selectin", order_by="Attachment.id")


class TalkParticipant(Base):
    """A person in a talk: a subject (被约谈人) or an attendee. Rank and unit are as they were at the talk."""

    __tablename__ = "talk_participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # subject | attendee
    rank_level: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # Copied from the talk (kept in step by `copy_talk_into_participants`) so that tallies read one table.
    held_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(32), default="")
    counted: Mapped[bool] = mapped_column(Boolean, default=True)

    talk: Mapped[Talk] = relationship(back_populates="participants")

    person: Mapped[Person] = relationship(lazy="joined")


class RosterVersion(Base):
    """One counter, raised in the same transaction as any change to people, their roles or units, so that every
    process can tell whether the people it has cached are still as the database has them."""

    __tablename__ = "roster_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class LedgerVersion(Base):
    """One counter, raised by triggers (migration 0012) in the same transaction as any write to talks or their
    participants, so that every process can tell whether an answer it counted is still the ledger's."""

    __tablename__ = "ledger_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class TalkTally(Base):
    """Talks and person-times in one local month, of one kind, in a unit's sub-tree (kept by storage.tally)."""

    __tablename__ = "talk_tallies"

    # Key in this order: a question names a few units and one rank level, then reads a range of months.
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the unit with everything below it
    rank_level: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" for every rank level
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, local time
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    talks: Mapped[int] = mapped_column(Integer, default=0)
    person_times: Mapped[int] = mapped_column(Integer, default=0)


class TallySettings(Base):
    """The time zone the tally's months were counted in; no row while the tally is not built."""

    __tablename__ = "tally_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time_zone: Mapped[str] = mapped_column(String(64))


class RectificationItem(Base):
    """A problem found in a talk, with its measure, deadline and who answers for it."""

    __tablename__ = "rectification_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    problem: Mapped[str] = mapped_column(String(500))
    measure: Mapped[str] = mapped_column(String(500), default="")
    deadline: Mapped[date] = mapped_column(Date)
    responsible_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    second_responsible_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | awaiting | closed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(16), default="problem")  # problem | followup (双报告)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # Reminders are planned only from this moment on (set when the item is made or its deadline moves).
    planned_from: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ItemReport(Base):
    """A progress or completion report on an item, the interviewer's send-back with its reason, or one responsible
    person's acknowledgement (each of 一事两约谈's two their own)."""

    __tablename__ = "item_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectification_items.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(16))  # progress | done | sent_back | closed | acknowledged
    body: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExtensionRequest(Base):
    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectification_items.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    requested: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | declined
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class AwaitedAnswer(Base):
    """A question the bot asked a person outside talk logging (a report's text, a reason): the next text answers it."""

    __tablename__ = "awaited_answers"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))  # progress | done | extend | send_back | evidence
    target_id: Mapped[int] = mapped_column(Integer)  # the item (or report, for evidence)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Notification(Base):
    """The outbox: one message to send. Planned idempotently (unique key), claimed before sending, marked after."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16), default="planned")  # planned | claimed | sent | failed | dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    payload: Mapped[str] = mapped_column(Text, default="")  # JSON: what the message says beyond the item


class Attachment(Base):
    """A photo or document of the signed record, kept in the database (file ids die with a bot token)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    talk_id: Mapped[int | None] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("talk_drafts.id", ondelete="SET NULL"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("item_reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # photo | document
    file_name: Mapped[str] = mapped_column(String(200))
    telegram_file_id: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TalkChange(Base):
    """One corrected field of a confirmed talk: the talk's history."""

    __tablename__ = "talk_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    field: Mapped[str] = mapped_column(String(32))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)


class SavedQuestion(Base):
    """A question as understood, kept so that the buttons under its answer (by unit, records, Excel) can redo it."""

    __tablename__ = "saved_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CoverageExclusion(Base):
    """A justified gap: someone who need not be talked to for a while (seconded, on leave)."""

    __tablename__ = "coverage_exclusions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)  # inclusive
    reason: Mapped[str] = mapped_column(String(200))


class CommissionGroup(Base):
    """A group chat an admin registered as the commission's: aggregates may be answered there, records never."""

    __tablename__ = "commission_groups"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class InboxUpdate(Base):
    """An update as the Bot API sent it, stored before it is acknowledged (webhook 200, polling offset) and handled
    from here: a crash re-runs what was not yet handled, an update that cannot be handled is set aside (dead)."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # who sent it, when the raw JSON says: for the listing
    raw: Mapped[str] = mapped_column(Text)  # the JSON exactly as received
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(8), default="new")  # new | handled | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # runs cut off by the process stopping
    error: Mapped[str] = mapped_column(Text, default="")
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


@event.listens_for(Session, "before_flush")
def copy_talk_into_participants(session: Session, _context: object, _instances: object) -> None:
    """A talk's time, kind and deletion, copied onto its participant rows whenever the talk is written."""
    talks = {id(t): t for t in [*session.new, *session.dirty] if isinstance(t, Talk)}
    for row in session.new:
        if isinstance(row, TalkParticipant) and row.talk is not None:
            talks[id(row.talk)] = row.talk
    for talk in talks.values():
        for participant in talk.participants:
            participant.held_at, participant.kind, participant.counted = talk.held_at, talk.kind, not talk.deleted


@event.listens_for(Session, "before_flush")
def raise_roster_version(session: Session, _context: object, _instances: object) -> None:
    """Any write to people, role grants or units makes every cached viewer stale (see bot.roster.identity)."""
    if any(isinstance(row, Person | RoleGrant | Unit) for row in [*session.new, *session.dirty, *session.deleted]):
        session.connection().execute(update(RosterVersion).values(version=RosterVersion.version + 1))


WECOM_ACCOUNTS_FROM = 2**61  # above any Telegram user id: the two kinds of account never meet


class WeComAccount(Base):
    """A WeCom member (corp UserID) the bot has heard from, with the number it stands for in the runtime."""

    __tablename__ = "wecom_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    @property
    def number(self) -> int:
        return WECOM_ACCOUNTS_FROM + self.id
