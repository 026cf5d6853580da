"""Verifying a credential file: one verdict, never a crash. In order: it must be JSON and a W3C
VC 2.0 Open Badges credential (else malformed, or foreign when it is someone else's kind of
credential); its eddsa-jcs-2022 proof must hold under a key HEMIS trusts (else foreign, or
tampered when the content no longer matches the signature — one level, the holder or a date
changed); its place in the status list must not be set (else revoked; unknown when the list
cannot be read); and today must lie between validFrom and validUntil."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hemis.competency.credentials.document import TYPES
from hemis.competency.credentials.keys import TrustedKeys
from hemis.competency.credentials.proof import ProofProblem, verify_proof
from hemis.competency.credentials.status_list import bit, decode_list

VC2 = "https://www.w3.org/ns/credentials/v2"
MAX_BYTES = 1_000_000


class Verdict(StrEnum):
    valid = "valid"
    revoked = "revoked"
    tampered = "tampered"
    expired = "expired"
    not_yet_valid = "not_yet_valid"
    foreign = "foreign"
    malformed = "malformed"
    status_unknown = "status_unknown"


VERDICT_TEXT: dict[Verdict, tuple[str, str]] = {
    Verdict.valid: (
        "Hợp lệ: chứng nhận do Bộ GD&ĐT cấp, nội dung nguyên vẹn và chưa bị thu hồi.",
        "Valid: issued by the ministry, unaltered and not revoked.",
    ),
    Verdict.revoked: (
        "Đã bị thu hồi: chữ ký đúng nhưng chứng nhận đã bị thu hồi.",
        "Revoked: the signature holds but the credential has been revoked.",
    ),
    Verdict.tampered: (
        "Không hợp lệ: nội dung đã bị thay đổi sau khi ký (mức năng lực, người được cấp hoặc "
        "ngày tháng).",
        "Invalid: the content was changed after signing (a level, the holder or a date).",
    ),
    Verdict.expired: ("Hết hạn: chứng nhận đã quá hạn hiệu lực.", "Expired."),
    Verdict.not_yet_valid: ("Chưa có hiệu lực.", "Not valid yet."),
    Verdict.foreign: (
        "Không phải chứng nhận do HEMIS cấp (khóa ký hoặc loại chứng nhận không được chấp nhận).",
        "Not a HEMIS credential (the signing key or the kind of credential is not accepted).",
    ),
    Verdict.malformed: (
        "Tệp không đọc được như một chứng nhận (không phải JSON hoặc thiếu thành phần).",
        "The file cannot be read as a credential (not JSON, or parts are missing).",
    ),
    Verdict.status_unknown: (
        "Chữ ký đúng nhưng chưa kiểm tra được tình trạng thu hồi.",
        "The signature holds but the revocation status could not be checked.",
    ),
}

# (status list URL, index, credential id) → revoked? (None: unknown)
StatusLookup = Callable[[str, int, str], bool | None]


@dataclass
class Outcome:
    verdict: Verdict
    reason: str = ""  # what exactly, in English (shown under the verdict)
    credential_id: str | None = None
    holder: str | None = None
    student_id: str | None = None
    institution: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    levels: list[tuple[str, str]] = field(default_factory=list)  # (competency code, level code)

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.valid

    def message(self, lang: str = "vi") -> str:
        vi, en = VERDICT_TEXT[self.verdict]
        return en if lang == "en" else vi

    def as_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "valid": self.ok,
            "message": self.message(lang),
            "reason": self.reason,
            "credential_id": self.credential_id,
            "holder": self.holder,
            "student_id": self.student_id,
            "institution": self.institution,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "levels": [{"competency": c, "level": lv} for c, lv in self.levels],
        }


def _instant(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _summary(doc: dict[str, Any], outcome: Outcome) -> None:
    subject = doc.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    for item in subject.get("identifier") or []:
        if isinstance(item, dict) and not item.get("hashed"):
            if item.get("identityType") == "name":
                outcome.holder = str(item.get("identityHash"))
            elif item.get("identityType") == "studentId":
                outcome.student_id = str(item.get("identityHash"))
    source = subject.get("source")
    if isinstance(source, dict):
        outcome.institution = str(source.get("name", ""))
    for result in subject.get("result") or []:
        if not isinstance(result, dict):
            continue
        aligned = result.get("alignment") or [{}]
        code = aligned[0].get("targetCode") if isinstance(aligned[0], dict) else None
        outcome.levels.append((str(code), str(result.get("value"))))
    outcome.valid_from = doc.get("validFrom") if isinstance(doc.get("validFrom"), str) else None
    outcome.valid_until = doc.get("validUntil") if isinstance(doc.get("validUntil"), str) else None


def parse(raw: bytes | str) -> dict[str, Any] | Outcome:
    """The JSON object of a file, or the malformed outcome saying why not."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            return Outcome(Verdict.malformed, f"larger than {MAX_BYTES} bytes")
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return Outcome(Verdict.malformed, "not UTF-8 text")
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        return Outcome(Verdict.malformed, "not JSON")
    if not isinstance(doc, dict):
        return Outcome(Verdict.malformed, "not a JSON object")
    return doc


def verify(
    raw: bytes | str, trusted: TrustedKeys, status: StatusLookup | None, now: dt.datetime
) -> Outcome:
    doc = parse(raw)
    if isinstance(doc, Outcome):
        return doc
    context, types = doc.get("@context"), doc.get("type")
    if not isinstance(context, list) or not context or context[0] != VC2:
        return Outcome(Verdict.foreign, "not a W3C Verifiable Credential 2.0")
    if not isinstance(types, list) or not all(t in types for t in TYPES):
        return Outcome(Verdict.foreign, "not an Open Badges 3.0 credential")
    if not isinstance(doc.get("credentialSubject"), dict) or "issuer" not in doc:
        return Outcome(Verdict.malformed, "credentialSubject or issuer missing")
    outcome = Outcome(Verdict.valid, credential_id=str(doc.get("id", "")) or None)
    try:
        _summary(doc, outcome)
    except (AttributeError, IndexError, TypeError):
        return Outcome(Verdict.malformed, "the subject's parts are not as the model defines")
    try:
        verify_proof(doc, trusted.resolve)
    except ProofProblem as problem:
        outcome.verdict, outcome.reason = Verdict(problem.kind), problem.reason
        return outcome
    entry = doc.get("credentialStatus")
    index = entry.get("statusListIndex") if isinstance(entry, dict) else None
    url = entry.get("statusListCredential") if isinstance(entry, dict) else None
    if not (isinstance(index, str) and index.isdigit() and isinstance(url, str)):
        outcome.verdict, outcome.reason = Verdict.status_unknown, "no credentialStatus"
        return outcome
    revoked = status(url, int(index), outcome.credential_id or "") if status else None
    if revoked:
        outcome.verdict, outcome.reason = Verdict.revoked, f"bit {index} of {url} is set"
        return outcome
    start, end = _instant(doc.get("validFrom")), _instant(doc.get("validUntil"))
    if start is not None and now < start:
        outcome.verdict, outcome.reason = Verdict.not_yet_valid, f"valid from {start.isoformat()}"
        return outcome
    if end is not None and now > end:
        outcome.verdict, outcome.reason = Verdict.expired, f"valid until {end.isoformat()}"
        return outcome
    if revoked is None:
        outcome.verdict, outcome.reason = Verdict.status_unknown, f"status list {url} unknown"
    return outcome


def status_from_list(raw: bytes | str, trusted: TrustedKeys) -> StatusLookup:
    """A lookup answered from a status list credential file (its own proof checked first);
    ValueError when the file is not a status list the issuer signed."""
    doc = parse(raw)
    if isinstance(doc, Outcome):
        raise ValueError(doc.reason)
    try:
        verify_proof(doc, trusted.resolve)
    except ProofProblem as problem:
        raise ValueError(f"status list: {problem.reason}") from problem
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("statusPurpose") != "revocation":
        raise ValueError("not a revocation status list")
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise ValueError("not a revocation status list")
    bits, url = decode_list(encoded), doc.get("id")

    def lookup(list_url: str, index: int, _credential: str) -> bool | None:
        if list_url != url or index >= len(bits) * 8:
            return None
        return bit(bits, index)

    return lookup
