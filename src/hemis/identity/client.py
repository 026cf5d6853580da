"""HEMIS's OpenID Connect client of the national e-ID (authorization code + PKCE S256).

Authlib builds the authorization URL and redeems the code (client_secret_basic); joserfc checks
the ID token's signature against the provider's JWKS, fetched again when a token names a key
it does not hold (the provider rotated); Authlib's `CodeIDToken` checks the claims: issuer,
audience, expiry, nonce, access-token hash. Every failure is an `EidRefused` with its own
stable code and a message a person can act on.

The discovery document and the key set are cached per process (nodes share nothing; each
fetches its own).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import KeySet

from hemis.config import Settings
from hemis.errors import HemisError

ALGORITHMS = ("RS256", "ES256")
SCOPE = "openid profile"
METADATA_SECONDS = 3600
LEEWAY_SECONDS = 60

# Why an e-ID login was refused: code → (Vietnamese, English). One place for every reason.
REASONS: dict[str, tuple[str, str]] = {
    "eid.no_login": (
        "Không tìm thấy yêu cầu đăng nhập này, hoặc yêu cầu đã quá hạn. Vui lòng đăng nhập lại.",
        "This login request was not found or has expired. Please log in again.",
    ),
    "eid.state": (
        "Phản hồi từ hệ thống định danh không khớp với yêu cầu đăng nhập (state). "
        "Vui lòng đăng nhập lại.",
        "The identity provider's answer does not match the login request (state). "
        "Please log in again.",
    ),
    "eid.cancelled": (
        "Bạn đã hủy đăng nhập bằng định danh điện tử.",
        "You cancelled the e-ID login.",
    ),
    "eid.code": (
        "Mã đăng nhập không hợp lệ, đã hết hạn hoặc đã được sử dụng. Vui lòng đăng nhập lại.",
        "The login code is invalid, expired or already used. Please log in again.",
    ),
    "eid.provider": (
        "Hệ thống định danh điện tử tạm thời không phản hồi. Vui lòng thử lại sau ít phút.",
        "The e-ID provider is not answering. Please try again in a few minutes.",
    ),
    "eid.signature": (
        "Chữ ký của thẻ định danh không hợp lệ.",
        "The identity token's signature is not valid.",
    ),
    "eid.expired": (
        "Thẻ định danh đã hết hạn. Vui lòng đăng nhập lại.",
        "The identity token has expired. Please log in again.",
    ),
    "eid.issuer": (
        "Thẻ định danh không do hệ thống định danh điện tử quốc gia cấp.",
        "The identity token was not issued by the national e-ID provider.",
    ),
    "eid.audience": (
        "Thẻ định danh được cấp cho một ứng dụng khác, không phải HEMIS.",
        "The identity token was issued to another application, not HEMIS.",
    ),
    "eid.nonce": (
        "Thẻ định danh không thuộc về yêu cầu đăng nhập này (nonce).",
        "The identity token does not belong to this login request (nonce).",
    ),
    "eid.replayed": (
        "Thẻ định danh này đã được dùng để đăng nhập. Vui lòng đăng nhập lại.",
        "This identity token was already used to log in. Please log in again.",
    ),
    "eid.claims": (
        "Thẻ định danh thiếu hoặc sai thông tin công dân (số định danh, họ tên, ngày sinh, "
        "mức định danh).",
        "The identity token lacks valid citizen details (national ID, name, birth date, level).",
    ),
    "eid.token": (
        "Thẻ định danh không hợp lệ.",
        "The identity token is not valid.",
    ),
    "eid.account": (
        "Số định danh này gắn với một tài khoản không phải tài khoản thí sinh, hoặc tài khoản "
        "đã bị khóa. Vui lòng liên hệ Bộ GD&ĐT.",
        "This national ID belongs to an account that is not a candidate account, or that is "
        "locked. Please contact the ministry.",
    ),
}


class EidRefused(HemisError):
    code = "eid_refused"
    status = 400

    def __init__(self, reason: str, status: int = 400) -> None:
        vi, en = REASONS[reason]
        super().__init__(vi, en, code=reason, status=status)


_CLAIM_REASONS = {"iss": "eid.issuer", "aud": "eid.audience", "nonce": "eid.nonce"}


@dataclass
class _Cached:
    metadata: dict[str, Any]
    fetched_at: float
    keys: KeySet | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_CACHE: dict[str, _Cached] = {}
_CACHE_LOCK = threading.Lock()


def forget_provider(issuer: str) -> None:
    """Drop the cached discovery document and keys of an issuer (tests, a provider change)."""
    with _CACHE_LOCK:
        _CACHE.pop(issuer, None)


class EidClient:
    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.eid_issuer_url
        self.client_id = settings.eid_client_id
        self.secret = settings.eid_secret
        self.redirect_uri = settings.eid_redirect_uri
        self.timeout = settings.eid_timeout_seconds

    def _oauth(self) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.client_id,
            client_secret=self.secret,
            scope=SCOPE,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            timeout=self.timeout,
        )

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            with self._oauth() as oauth:
                response = oauth.request("GET", url, withhold_token=True)
                response.raise_for_status()
                body = response.json()
        except (httpx2.HTTPError, ValueError) as exc:
            raise EidRefused("eid.provider", 503) from exc
        if not isinstance(body, dict):
            raise EidRefused("eid.provider", 503)
        return body

    def _cached(self) -> _Cached:
        with _CACHE_LOCK:
            found = _CACHE.get(self.issuer)
        if found is not None and time.monotonic() - found.fetched_at < METADATA_SECONDS:
            return found
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        metadata = self._get_json(url)
        # A discovery document that names another issuer is not our provider's (OIDC
        # Discovery §4.3): its keys and endpoints are not trusted.
        needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if metadata.get("issuer") != self.issuer or not all(
            isinstance(metadata.get(k), str) for k in needed
        ):
            raise EidRefused("eid.provider", 503)
        fresh = _Cached(metadata, time.monotonic())
        with _CACHE_LOCK:
            _CACHE[self.issuer] = fresh
        return fresh

    def _keys(self, cached: _Cached, refresh: bool = False) -> KeySet:
        with cached.lock:
            if cached.keys is None or refresh:
                body = self._get_json(str(cached.metadata["jwks_uri"]))
                try:
                    cached.keys = KeySet.import_key_set({"keys": list(body.get("keys", []))})
                except (JoseError, ValueError, TypeError) as exc:
                    raise EidRefused("eid.provider", 503) from exc
            return cached.keys

    # --- the two legs of the flow --------------------------------------------------------------

    def authorization_url(self, state: str, nonce: str, code_verifier: str) -> str:
        endpoint = str(self._cached().metadata["authorization_endpoint"])
        with self._oauth() as oauth:
            url, _ = oauth.create_authorization_url(
                endpoint, state=state, code_verifier=code_verifier, nonce=nonce
            )
        return str(url)

    def redeem(self, code: str, code_verifier: str) -> dict[str, Any]:
        """The token response for a code (client_secret_basic, with the PKCE verifier)."""
        endpoint = str(self._cached().metadata["token_endpoint"])
        try:
            with self._oauth() as oauth:
                token = oauth.fetch_token(
                    endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
        except OAuthError as exc:
            raise EidRefused("eid.code") from exc
        except (httpx2.HTTPError, ValueError) as exc:
            raise EidRefused("eid.provider", 503) from exc
        return dict(token)

    def verify_id_token(self, token: dict[str, Any], nonce: str) -> dict[str, Any]:
        """The claims of the response's ID token, once its signature and claims hold."""
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise EidRefused("eid.token")
        cached = self._cached()
        try:
            try:
                decoded = jwt.decode(id_token, self._keys(cached), algorithms=ALGORITHMS)
            except InvalidKeyIdError:
                # A key we do not hold: the provider may have rotated; fetch its keys once more.
                decoded = jwt.decode(
                    id_token, self._keys(cached, refresh=True), algorithms=ALGORITHMS
                )
        except (BadSignatureError, InvalidKeyIdError) as exc:
            raise EidRefused("eid.signature") from exc
        except (JoseError, ValueError) as exc:
            raise EidRefused("eid.token") from exc
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": self.issuer},
                "aud": {"essential": True, "value": self.client_id},
                "exp": {"essential": True},
                "jti": {"essential": True},
                "nonce": {"essential": True},
            },
            {
                "nonce": nonce,
                "client_id": self.client_id,
                "access_token": token.get("access_token"),
            },
        )
        try:
            claims.validate(leeway=LEEWAY_SECONDS)
        except ExpiredTokenError as exc:
            raise EidRefused("eid.expired") from exc
        except ClaimError as exc:
            raise EidRefused(_CLAIM_REASONS.get(exc.claim, "eid.token")) from exc
        return dict(claims)
