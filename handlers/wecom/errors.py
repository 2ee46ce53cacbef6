"""WeCom's errcodes (全局错误码) sorted by what the sender should do about them."""

from __future__ import annotations

# The access_token is wrong or old: fetch a new one and try once more.
TOKEN_ERRCODES = frozenset({40001, 40014, 41001, 42001})
# Too many calls (45009 over the limit, 45033 too many at once, 45011 too often) or WeCom busy (-1):
# the same call later succeeds. Seconds to wait, for want of a hint in the answer.
RETRY_ERRCODES: dict[int, float] = {45009: 60.0, 45011: 1.0, 45033: 1.0, -1: 1.0}
# The member cannot be reached by this app, whatever we do: unknown UserID (60111), all receivers invalid or
# outside the app's visible range (81013, 60011), none given (82001). Reported, never retried.
RECIPIENT_ERRCODES = frozenset({60011, 60111, 81013, 82001})


class WeComError(Exception):
    def __init__(self, errcode: int, errmsg: str, method: str = "") -> None:
        super().__init__(f"{method or 'wecom'}: {errcode} {errmsg}")
        self.errcode, self.errmsg, self.method = errcode, errmsg, method
        self.sent_pieces = 0  # send_text: pieces of the text delivered before this error (resume from there)


class WeComRetryLater(WeComError):
    """Rate limited, busy or unreachable: send the same again after `retry_after` seconds."""

    def __init__(self, errcode: int, errmsg: str, method: str = "", retry_after: float = 1.0) -> None:
        super().__init__(errcode, errmsg, method)
        self.retry_after = retry_after


class WeComPermanentFailure(WeComError):
    """The receivers (`user_ids`) cannot get this app's messages: unknown, or outside its visible range."""

    def __init__(self, errcode: int, errmsg: str, method: str = "", user_ids: tuple[str, ...] = ()) -> None:
        super().__init__(errcode, errmsg, method)
        self.user_ids = user_ids


def raise_for(answer: dict[str, object], method: str, receivers: tuple[str, ...] = ()) -> None:
    """Raise the typed error an answer means; also a 0 answer that names every receiver as invalid."""
    errcode = int(answer.get("errcode", 0) or 0)  # type: ignore[call-overload]
    errmsg = str(answer.get("errmsg", ""))
    if errcode in RETRY_ERRCODES:
        raise WeComRetryLater(errcode, errmsg, method, RETRY_ERRCODES[errcode])
    if errcode in RECIPIENT_ERRCODES:
        raise WeComPermanentFailure(errcode, errmsg, method, receivers)
    if errcode:
        raise WeComError(errcode, errmsg, method)
    # message/send answers 0 and lists whom it could not reach in invaliduser / unlicenseduser ("a|b")
    unreached = {
        user for field in ("invaliduser", "unlicenseduser") for user in str(answer.get(field) or "").split("|") if user
    }
    if unreached and receivers and unreached >= set(receivers):
        raise WeComPermanentFailure(81013, f"{errmsg}: unreachable {sorted(unreached)}", method, receivers)
