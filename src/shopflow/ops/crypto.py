"""Encrypted archives: AES-256-GCM over 1 MiB chunks, so a multi-gigabyte dump never sits whole in memory.

Layout: MAGIC, a 4-byte random file id, then per chunk a 4-byte big-endian ciphertext length and the ciphertext
(tag included). Chunk i is sealed with nonce = file id + i (8 bytes) and the associated data says whether it is
the last one, so reordered, dropped or appended chunks fail to decrypt just like altered ones.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"SHOPFLOW-BACKUP-AESGCM-1\n"
CHUNK = 1 << 20
_LENGTH = struct.Struct(">I")
_TAG = 16


class DecryptionError(Exception):
    """The key is wrong or the encrypted archive was altered or cut short."""


def new_key() -> str:
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode("ascii")


def load_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise ValueError("BACKUP_ENCRYPTION_KEY is not urlsafe base64 (make one with `shopflow backup key`)") from None
    if len(key) != 32:
        raise ValueError(f"BACKUP_ENCRYPTION_KEY must decode to 32 bytes, got {len(key)}")
    return key


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def _nonce(file_id: bytes, index: int) -> bytes:
    return file_id + struct.pack(">Q", index)


def encrypt_stream(source: BinaryIO, target: BinaryIO, key: bytes) -> None:
    aead = AESGCM(key)
    file_id = os.urandom(4)
    target.write(MAGIC + file_id)
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        sealed = aead.encrypt(_nonce(file_id, index), chunk, b"last" if last else b"more")
        target.write(_LENGTH.pack(len(sealed)) + sealed)
        if last:
            return
        chunk, index = following, index + 1


def decrypt_stream(source: BinaryIO, target: BinaryIO, key: bytes) -> None:
    aead = AESGCM(key)
    if source.read(len(MAGIC)) != MAGIC:
        raise DecryptionError("not an encrypted ShopFlow backup")
    file_id = source.read(4)
    index = 0
    while True:
        header = source.read(_LENGTH.size)
        if len(header) < _LENGTH.size:
            raise DecryptionError("the encrypted archive is cut short")
        (length,) = _LENGTH.unpack(header)
        sealed = source.read(length)
        if len(sealed) != length or length < _TAG or length > CHUNK + _TAG:
            raise DecryptionError("the encrypted archive is cut short or damaged")
        last = not source.peek(1) if hasattr(source, "peek") else None
        if last is None:
            raise TypeError("decrypt_stream needs a buffered source")
        try:
            plain = aead.decrypt(_nonce(file_id, index), sealed, b"last" if last else b"more")
        except InvalidTag:
            if index == 0:
                raise DecryptionError("wrong BACKUP_ENCRYPTION_KEY, or the archive is damaged") from None
            raise DecryptionError(f"the encrypted archive is damaged (chunk {index})") from None
        target.write(plain)
        if last:
            return
        index += 1
