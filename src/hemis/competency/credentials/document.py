"""The credential of a learner's profile: a W3C Verifiable Credential (Data Model 2.0) that is an
Open Badges 3.0 OpenBadgeCredential. Its achievement is the framework's profile, aligned to
each competency code assessed (targetCode "1.1" … in the framework TT02-2025), with one result
description per competency whose rubric is the framework's eight levels; the subject's results
give the latest assessed level of each. Only levels an institution assessed and submitted are in
it — never a self-assessment. The holder is named, identified by student code, and by a salted
SHA-256 of the national ID (OB 3.0 IdentityObject), so the ID itself is never in the file."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from hemis.competency.codes import method_label
from hemis.competency.credentials.proof import stamp
from hemis.competency.framework import Framework
from hemis.competency.profile import Profile

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
ISSUER_NAME = "Bộ Giáo dục và Đào tạo — HEMIS"


def identity_hash(value: str, salt: str) -> str:
    """OB 3.0's hashed identity: "sha256$" and the hex digest of the value followed by the salt."""
    return "sha256$" + hashlib.sha256((value + salt).encode()).hexdigest()


def _framework_url(base: str, fw: Framework) -> str:
    return f"{base}/competency/framework?version={fw.version}"


def _levels(base: str, fw: Framework) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{_framework_url(base, fw)}#level-{lv.level}",
            "type": ["RubricCriterionLevel"],
            "name": lv.code,
            "level": str(lv.level),
            "description": lv.description_vi,
        }
        for lv in fw.levels
    ]


def _alignment(base: str, fw: Framework, code: str) -> dict[str, Any]:
    item = fw.competency(code)
    return {
        "type": ["Alignment"],
        "targetCode": code,
        "targetName": f"{code} {item.name_vi}",
        "targetDescription": item.name_en,
        "targetFramework": f"{fw.title_vi} ({fw.legal_basis}, {fw.version})",
        "targetType": "Competency",
        "targetUrl": f"{_framework_url(base, fw)}#competency-{code}",
    }


def build(
    profile: Profile,
    *,
    full_name: str,
    national_id: str,
    salt: str,
    credential_uuid: str,
    issuer_id: str,
    base_url: str,
    status_url: str,
    status_index: int,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
) -> dict[str, Any]:
    """The unsigned credential of a profile's assessed competencies."""
    fw = profile.framework
    base = base_url.rstrip("/")
    assessed = [s for s in profile.items if s.latest is not None]
    achievement_id = f"{_framework_url(base, fw)}#profile"
    result_descriptions = []
    results = []
    evidence = []
    for state in assessed:
        latest = state.latest
        assert latest is not None
        code = state.competency.code
        description_id = f"{achievement_id}-{code}"
        result_descriptions.append(
            {
                "id": description_id,
                "type": ["ResultDescription"],
                "name": f"{code} {state.competency.name_vi}",
                "resultType": "RubricCriterionLevel",
                "alignment": [_alignment(base, fw, code)],
                "rubricCriterionLevel": _levels(base, fw),
            }
        )
        results.append(
            {
                "type": ["Result"],
                "resultDescription": description_id,
                "achievedLevel": f"{_framework_url(base, fw)}#level-{latest.level}",
                "value": latest.level_code,
                "alignment": [_alignment(base, fw, code)],
            }
        )
        shown = method_label(latest.method, "vi")
        evidence.append(
            {
                "type": ["Evidence"],
                "name": f"{code}: {latest.level_code}",
                "narrative": (
                    f"Đánh giá ngày {latest.assessed_on.isoformat()} — {shown}"
                    + (f" ({latest.evidence_ref})" if latest.evidence_ref else "")
                ),
            }
        )
    return {
        "@context": list(CONTEXT),
        "id": f"urn:uuid:{credential_uuid}",
        "type": list(TYPES),
        "name": f"Hồ sơ năng lực số — {full_name}",
        "description": (
            f"Mức năng lực số gần nhất đã được {profile.institution_name} đánh giá theo "
            f"{fw.legal_basis}; không gồm kết quả tự đánh giá."
        ),
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": ISSUER_NAME},
        "validFrom": stamp(valid_from),
        "validUntil": stamp(valid_until),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": full_name,
                },
                {
                    "type": "IdentityObject",
                    "identityType": "studentId",
                    "hashed": False,
                    "identityHash": f"{profile.institution_code}/{profile.student_code}",
                },
                {
                    "type": "IdentityObject",
                    "identityType": "nationalIdentityNumber",
                    "hashed": True,
                    "salt": salt,
                    "identityHash": identity_hash(national_id, salt),
                },
            ],
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Competency",
                "name": f"Năng lực số ({fw.legal_basis})",
                "description": fw.title_vi,
                "criteria": {
                    "narrative": (
                        "Mức của mỗi năng lực là mức gần nhất do cơ sở đào tạo đánh giá (bài thi, "
                        "học phần, chứng chỉ hoặc tự đánh giá đã được cơ sở xác nhận) và nộp về "
                        "HEMIS."
                    )
                },
                "alignment": [_alignment(base, fw, s.competency.code) for s in assessed],
                "resultDescription": result_descriptions,
            },
            "result": results,
            "source": {
                "id": f"{base}/institutions/{profile.institution_id}",
                "type": ["Profile"],
                "name": profile.institution_name,
            },
        },
        "evidence": evidence,
        "credentialStatus": {
            "id": f"{status_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_url,
        },
    }
