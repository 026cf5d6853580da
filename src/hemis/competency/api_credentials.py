"""Public routes of the credentials: the issuer's controller document (its public key, so that
anyone can check a proof), the revocation status lists, and verification of a credential file
(the body is the file as it is; a malformed or foreign one gets a verdict, not an error)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from hemis.competency.access import PublicDB
from hemis.competency.credentials.keys import ISSUER_PATH, STATUS_PATH, issuer_key
from hemis.competency.credentials.verify import MAX_BYTES
from hemis.competency.service_credentials import status_list, verify_file
from hemis.web.api_deps import ERROR_RESPONSES
from hemis.web.deps import Context, get_lang

router = APIRouter(tags=["credentials"], responses=ERROR_RESPONSES)


@router.get(ISSUER_PATH)
def issuer(ctx: Context) -> dict[str, Any]:
    """The ministry's controller document: the Multikey that signs competency credentials."""
    key = issuer_key(ctx.settings)
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": key.issuer_id,
        "name": "Bộ Giáo dục và Đào tạo — HEMIS",
        "verificationMethod": [
            {
                "id": key.verification_method,
                "type": "Multikey",
                "controller": key.issuer_id,
                "publicKeyMultibase": key.multikey,
            }
        ],
        "assertionMethod": [key.verification_method],
    }


@router.get(STATUS_PATH + "/{number}")
def status(
    ctx: Context, db: PublicDB, number: Annotated[int, Path(ge=1, le=1_000_000)]
) -> dict[str, Any]:
    """A revocation status list (W3C Bitstring Status List), signed by the ministry."""
    return status_list(db, ctx.settings, number)


@router.post("/api/public/credentials/verify")
async def verify_credential(request: Request, ctx: Context, db: PublicDB) -> dict[str, Any]:
    """Verify a credential: send the file itself as the body. The answer is always a verdict
    (valid, revoked, tampered, expired, not_yet_valid, foreign, malformed, status_unknown)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BYTES:
            break
    outcome = await run_in_threadpool(verify_file, db, ctx.settings, body)
    return outcome.as_dict(get_lang(request))
