"""An uploaded file at rest: encrypted in its job row until the job ends (ADR 0003), bound to
its institution, and opened only to be handed to the reader process."""

from __future__ import annotations

from cryptography.exceptions import InvalidTag

from hemis.common.crypto import IdCipher
from hemis.imports.limits import UnreadableFile


def upload_context(institution_id: int) -> bytes:
    """What an upload's encryption is bound to: its institution."""
    return f"submission_job:{institution_id}".encode()


def seal_upload(cipher: IdCipher, institution_id: int, payload: bytes) -> bytes:
    return cipher.seal_upload(payload, upload_context(institution_id))


def open_upload(cipher: IdCipher, institution_id: int, sealed: bytes | None) -> bytes:
    """An upload as sent; refused when missing or when it cannot be decrypted (the key
    changed since it was stored)."""
    try:
        if not sealed:
            raise ValueError("no file")
        return cipher.open_upload(sealed, upload_context(institution_id))
    except (ValueError, InvalidTag) as exc:
        raise UnreadableFile(
            "Không mở được tệp đã lưu của việc nhập này; hãy gửi lại tệp.",
            "The file stored for this import cannot be opened; send it again.",
            details={"reason": "stored_file"},
        ) from exc
