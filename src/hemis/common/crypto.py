"""National IDs at rest: AES-GCM encryption plus a keyed HMAC blind index for lookup; uploaded
files waiting for their import job, AES-GCM under a key derived from the national-ID key.

The ciphertext is random per write (a fresh 96-bit nonce), so equal IDs do not look equal in the
database; the blind index (HMAC-SHA256 under a separate key) is deterministic, so a lookup or a
uniqueness check never needs the plaintext. Uploads (ADR 0003) use their own key, derived with
HKDF-SHA256 from the national-ID encryption key, so no ciphertext of one kind can be opened as
the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"
_UPLOAD_VERSION = b"\x01"
_UPLOAD_KEY_INFO = b"hemis/submission-upload/aes-256-gcm/v1"


@dataclass(frozen=True)
class IdCipher:
    encryption_key: bytes
    index_key: bytes

    @classmethod
    def from_settings(cls, encryption_key_b64: str, index_key_b64: str) -> IdCipher:
        return cls(base64.b64decode(encryption_key_b64), base64.b64decode(index_key_b64))

    def encrypt(self, national_id: str) -> bytes:
        nonce = os.urandom(12)
        sealed = AESGCM(self.encryption_key).encrypt(nonce, national_id.encode(), _VERSION)
        return _VERSION + nonce + sealed

    def decrypt(self, blob: bytes) -> str:
        if blob[:1] != _VERSION:
            raise ValueError("unknown national-ID ciphertext version")
        return AESGCM(self.encryption_key).decrypt(blob[1:13], blob[13:], _VERSION).decode()

    def blind_index(self, national_id: str) -> bytes:
        return hmac.new(self.index_key, national_id.encode(), hashlib.sha256).digest()

    def _upload_key(self) -> bytes:
        kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_UPLOAD_KEY_INFO)
        return kdf.derive(self.encryption_key)

    def seal_upload(self, data: bytes, context: bytes) -> bytes:
        """An uploaded file, encrypted; CONTEXT (the owning institution) is authenticated with
        it, so a file cannot be moved to another institution's job unnoticed."""
        nonce = os.urandom(12)
        sealed = AESGCM(self._upload_key()).encrypt(nonce, data, _UPLOAD_VERSION + context)
        return _UPLOAD_VERSION + nonce + sealed

    def open_upload(self, blob: bytes, context: bytes) -> bytes:
        """The file of `seal_upload`; raises InvalidTag when the key or context differ."""
        if blob[:1] != _UPLOAD_VERSION:
            raise ValueError("unknown upload ciphertext version")
        return AESGCM(self._upload_key()).decrypt(blob[1:13], blob[13:], _UPLOAD_VERSION + context)

    def claim_index(self, institution_id: int, national_id: str) -> bytes:
        """The index of an institution's claim on a national ID (registry/models/person.py):
        the same HMAC in a namespace of its own, which no national ID's index can equal."""
        return self.blind_index(claim_key(institution_id, national_id))


def claim_key(institution_id: int, national_id: str) -> str:
    """What a claim index is the HMAC of (also computed in bulk by submissions/persons.py)."""
    return f"claim:{institution_id}:{national_id}"


def mask(national_id: str) -> str:
    """What a person may be shown of an ID: the last three digits."""
    return "*" * max(len(national_id) - 3, 0) + national_id[-3:]
