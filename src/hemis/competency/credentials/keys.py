"""The ministry's credential key (settings.credential_signing_key, an Ed25519 seed), its
public Multikey, the issuer's id and the verification method a proof names. Verifiers trust a
key by its Multikey, whatever host the issuer id names (a deployment's public URL varies)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hemis.competency.credentials import multibase
from hemis.config import Settings

ISSUER_PATH = "/credentials/issuer"
STATUS_PATH = "/credentials/status"


@dataclass(frozen=True)
class IssuerKey:
    private: Ed25519PrivateKey
    multikey: str
    issuer_id: str

    @property
    def verification_method(self) -> str:
        return f"{self.issuer_id}#{self.multikey}"


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def issuer_key(settings: Settings) -> IssuerKey:
    private = Ed25519PrivateKey.from_private_bytes(
        base64.b64decode(settings.credential_signing_key)
    )
    return IssuerKey(
        private,
        multibase.multikey(public_bytes(private)),
        settings.public_url.rstrip("/") + ISSUER_PATH,
    )


def status_list_url(settings: Settings, number: int) -> str:
    return f"{settings.public_url.rstrip('/')}{STATUS_PATH}/{number}"


@dataclass(frozen=True)
class TrustedKeys:
    """The Multikeys a verifier accepts (the issuer's current key, and any given explicitly)."""

    multikeys: frozenset[str]

    def resolve(self, verification_method: str) -> bytes | None:
        _, _, fragment = verification_method.partition("#")
        if fragment not in self.multikeys:
            return None
        try:
            return multibase.public_key_of(fragment)
        except ValueError:
            return None


def trusted(settings: Settings, *extra: str) -> TrustedKeys:
    return TrustedKeys(frozenset({issuer_key(settings).multikey, *extra}))
