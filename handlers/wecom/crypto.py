"""WeCom's callback crypto (WXBizMsgCrypt, 加解密方案说明), on `cryptography`.

msg_signature = sha1(sorted(token, timestamp, nonce, encrypted)) in lower hex; the encrypted text is
base64(AES-256-CBC(key, iv=key[:16], PKCS#7 to 32 bytes)(random(16) + len(msg) as 4 bytes big-endian + msg +
receive_id)), where key = base64decode(EncodingAESKey + "="). receive_id is the corp id for a self-built app.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16


class WeComCryptoError(Exception):
    """A callback that cannot be trusted or read."""


class InvalidSignature(WeComCryptoError):
    pass


class InvalidAesKey(WeComCryptoError):
    pass


class DecryptError(WeComCryptoError):
    """Not base64, not whole blocks, bad padding, or a length that does not fit."""


class InvalidReceiveId(WeComCryptoError):
    """Decrypted well, but meant for another corp (or app)."""


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted((token, timestamp, nonce, encrypted))).encode()).hexdigest()


def pad(data: bytes) -> bytes:
    count = BLOCK - len(data) % BLOCK
    return data + bytes([count]) * count


def unpad(data: bytes) -> bytes:
    if not data:
        raise DecryptError("empty plaintext")
    count = data[-1]
    if not 1 <= count <= BLOCK or count > len(data) or data[-count:] != bytes([count]) * count:
        raise DecryptError("bad padding")
    return data[:-count]


class WeComCrypto:
    """One app's crypto: its Token, EncodingAESKey and receive id (the corp id)."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        if len(encoding_aes_key) != 43:
            raise InvalidAesKey("EncodingAESKey must be 43 characters")
        try:
            self.key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as error:
            raise InvalidAesKey(str(error)) from error
        if len(self.key) != 32:
            raise InvalidAesKey("EncodingAESKey does not decode to 32 bytes")
        self.token = token
        self.receive_id = receive_id
        self._cipher = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def sign(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return signature(self.token, timestamp, nonce, encrypted)

    def check(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = self.sign(timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, msg_signature.lower()):
            raise InvalidSignature("msg_signature does not match")

    def encrypt(self, message: str | bytes, random16: bytes | None = None) -> str:
        body = message.encode() if isinstance(message, str) else message
        prefix = os.urandom(16) if random16 is None else random16
        if len(prefix) != 16:
            raise ValueError("random16 must be 16 bytes")
        plain = pad(prefix + struct.pack(">I", len(body)) + body + self.receive_id.encode())
        encryptor = self._cipher.encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> bytes:
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as error:
            raise DecryptError("not base64") from error
        if not raw or len(raw) % 16:
            raise DecryptError("not whole AES blocks")
        decryptor = self._cipher.decryptor()
        plain = unpad(decryptor.update(raw) + decryptor.finalize())
        if len(plain) < 20:
            raise DecryptError("too short")
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise DecryptError("length beyond the plaintext")
        if plain[20 + length :] != self.receive_id.encode():
            raise InvalidReceiveId("receive id does not match")
        return plain[20 : 20 + length]

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """GET URL verification: the decrypted echostr, to be answered as it is."""
        self.check(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr).decode()

    def decrypt_message(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> bytes:
        self.check(msg_signature, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def encrypt_message(
        self, message: str, timestamp: str, nonce: str, random16: bytes | None = None
    ) -> tuple[str, str]:
        """(Encrypt, msg_signature) for a message from WeCom (the emulator) or a passive reply."""
        encrypted = self.encrypt(message, random16)
        return encrypted, self.sign(timestamp, nonce, encrypted)
