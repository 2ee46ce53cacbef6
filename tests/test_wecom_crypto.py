"""WeCom's callback crypto: round trips, and agreement with wechatpy's independent implementation both ways."""

from __future__ import annotations

import base64
import os

import pytest
import xmltodict  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from wechatpy.enterprise.crypto import WeChatCrypto  # type: ignore[import-untyped]
from wechatpy.exceptions import InvalidSignatureException  # type: ignore[import-untyped]

from handlers.wecom.crypto import (
    DecryptError,
    InvalidAesKey,
    InvalidReceiveId,
    InvalidSignature,
    WeComCrypto,
    pad,
    unpad,
)
from handlers.wecom.events import event_from_xml

# wechatpy's own test vectors (tests/test_crypto.py), made with WeCom's reference library
TOKEN = "123456"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
CORP_ID = "wx49f0ab532d5d035a"

keys = st.binary(min_size=32, max_size=32).map(lambda key: base64.b64encode(key).decode()[:-1])
corp_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=32)


# The sample in WeCom's official WXBizMsgCrypt library (Sample.cpp/.py/.php, referred to by 加解密方案说明)
SAMPLE_TOKEN, SAMPLE_KEY, SAMPLE_CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
SAMPLE_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvu"
    "JTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwG"
    "c2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9"
    "EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0"
    "lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)


def test_wecom_sample_values() -> None:
    crypto = WeComCrypto(SAMPLE_TOKEN, SAMPLE_KEY, SAMPLE_CORP)
    echo = crypto.verify_url(
        "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
        "1409659589",
        "263014780",
        "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
    )
    assert echo.isdigit()
    plain = crypto.decrypt_message(
        "477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", SAMPLE_ENCRYPT
    )
    event = event_from_xml(plain)
    assert (event.kind, event.user_id, event.text, event.msg_id, event.agent_id, event.create_time) == (
        "text",
        "mycreate",
        "hello",
        "4561255354251345929",
        218,
        1409659813,
    )


def test_vector_url_verification() -> None:
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    echo = crypto.verify_url(
        "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
        "1411443780",
        "437374425",
        "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==",
    )
    assert echo.isdigit()
    with pytest.raises(InvalidSignature):
        crypto.verify_url("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", "1411443780", "437374424", "x")


def test_vector_encrypt_and_decrypt() -> None:
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    reply = (
        "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
        "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n"
        "<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>"
    )
    encrypted, signature = crypto.encrypt_message(reply, "1411525903", "461056294", b"1234567890123456")
    assert signature == "407518b7649e86ef23978113f92d27afa9296533"
    assert encrypted == (
        "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObv"
        "esEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8N"
        "RrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5"
        "oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
    )
    incoming = (
        "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymz"
        "xh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIi"
        "OAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvc"
        "cTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
    )
    plain = crypto.decrypt_message("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294", incoming)
    message = xmltodict.parse(plain)["xml"]
    assert (message["Content"], message["FromUserName"]) == ("test", "messense")


@settings(max_examples=60, deadline=None)
@given(key=keys, corp_id=corp_ids, message=st.text(max_size=3000), token=st.text(min_size=1, max_size=20))
def test_round_trip_and_wechatpy_both_ways(key: str, corp_id: str, message: str, token: str) -> None:
    ours = WeComCrypto(token, key, corp_id)
    theirs = WeChatCrypto(token, key, corp_id)
    encrypted, signature = ours.encrypt_message(message, "1700000000", "42")
    assert ours.decrypt_message(signature, "1700000000", "42", encrypted).decode() == message
    envelope = f"<xml><ToUserName>{corp_id}</ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    assert theirs.decrypt_message(envelope, signature, "1700000000", "42") == message
    reply = xmltodict.parse(theirs.encrypt_message(message, "7", "1700000001"))["xml"]
    assert ours.decrypt_message(reply["MsgSignature"], "1700000001", "7", reply["Encrypt"]).decode() == message
    with pytest.raises(InvalidSignatureException):
        theirs.decrypt_message(envelope, signature, "1700000000", "43")


def test_tampering_and_wrong_corp_are_refused() -> None:
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    encrypted, signature = crypto.encrypt_message("<xml/>", "1", "2")
    with pytest.raises(InvalidSignature):
        crypto.decrypt_message(signature, "1", "3", encrypted)
    with pytest.raises(InvalidReceiveId):
        WeComCrypto(TOKEN, AES_KEY, "another").decrypt(encrypted)
    with pytest.raises(DecryptError):
        crypto.decrypt("not base64!")
    with pytest.raises(DecryptError):
        crypto.decrypt(base64.b64encode(os.urandom(32)).decode())  # garbage: bad padding or length, never a crash
    with pytest.raises(InvalidAesKey):
        WeComCrypto(TOKEN, AES_KEY[:-1], CORP_ID)


@given(st.binary(max_size=200))
def test_padding_to_32(data: bytes) -> None:
    padded = pad(data)
    assert len(padded) % 32 == 0 and len(padded) > len(data)
    assert unpad(padded) == data
