"""Data Integrity proofs with the eddsa-jcs-2022 cryptosuite (W3C "Data Integrity EdDSA
Cryptosuites v1.0", §3.3): the document and the proof options are each canonicalised with JCS
and hashed with SHA-256; the Ed25519 signature covers hash(options) ‖ hash(document) and is
carried base58-btc encoded in `proofValue`. Changing any member of the document (a level, the
holder, a date) or of the proof options changes what was signed."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hemis.competency.credentials import multibase
from hemis.competency.credentials.jcs import canonicalize

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"
PURPOSE = "assertionMethod"


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    return (
        hashlib.sha256(canonicalize(options)).digest()
        + hashlib.sha256(canonicalize(document)).digest()
    )


def stamp(moment: dt.datetime) -> str:
    """An XML Schema dateTime in UTC, to the second (as the specifications show them)."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def add_proof(
    document: dict[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: dt.datetime,
) -> dict[str, Any]:
    """The document secured with an eddsa-jcs-2022 proof (any earlier proof replaced)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": stamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": PURPOSE,
    }
    if "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    signature = key.sign(_hash_data(unsecured, options))
    return {**unsecured, "proof": {**options, "proofValue": multibase.encode(signature)}}


class ProofProblem(Exception):
    """Why a proof does not verify: `kind` is malformed, foreign or tampered."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Verified:
    verification_method: str
    created: str


KeyResolver = Callable[[str], bytes | None]  # verification method → raw Ed25519 public key


def verify_proof(secured: dict[str, Any], resolve: KeyResolver) -> Verified:
    """Check the document's eddsa-jcs-2022 proof (eddsa-jcs-2022 §3.3.2); ProofProblem if it
    does not hold."""
    proof = secured.get("proof")
    if isinstance(proof, list):
        raise ProofProblem("foreign", "several proofs (a proof set) are not accepted")
    if not isinstance(proof, dict):
        raise ProofProblem("malformed", "no proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofProblem(
            "foreign", f"proof {proof.get('type')!r}/{proof.get('cryptosuite')!r} not supported"
        )
    if proof.get("proofPurpose") != PURPOSE:
        raise ProofProblem("foreign", "the proof is not an assertion")
    value, method = proof.get("proofValue"), proof.get("verificationMethod")
    if not isinstance(value, str) or not isinstance(method, str):
        raise ProofProblem("malformed", "proofValue or verificationMethod missing")
    try:
        signature = multibase.decode(value)
    except ValueError as exc:
        raise ProofProblem("malformed", "proofValue is not base58-btc") from exc
    if len(signature) != 64:
        raise ProofProblem("malformed", "proofValue is not an Ed25519 signature")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    if "@context" in options:
        context, claimed = unsecured.get("@context"), options["@context"]
        if not isinstance(context, list) or not isinstance(claimed, list):
            raise ProofProblem("malformed", "@context must be a list")
        if context[: len(claimed)] != claimed:
            raise ProofProblem("tampered", "the document's @context differs from the proof's")
        unsecured["@context"] = claimed
    public = resolve(method)
    if public is None:
        raise ProofProblem("foreign", "signed by a key HEMIS does not trust")
    try:
        data = _hash_data(unsecured, options)
    except ValueError as exc:
        raise ProofProblem("malformed", f"not canonical JSON: {exc}") from exc
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except InvalidSignature as exc:
        raise ProofProblem("tampered", "the signature does not match the content") from exc
    return Verified(method, str(options.get("created", "")))
