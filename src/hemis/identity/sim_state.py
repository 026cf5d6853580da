"""The identity-provider simulator's memory: its signing keys (rotated), the clients it knows,
the authorization codes it issued (single use, PKCE-bound) and the faults it can be told to
commit, so the tests can drive HEMIS's client through every refusal over real HTTP.

Everything lives in the process: a restart forgets codes and keys, as a real provider's
rotation would retire them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from hemis.identity.claims import Citizen

ALG = "RS256"
CODE_SECONDS = 120
TOKEN_SECONDS = 300
PUBLISHED_KEYS = 2  # the current key and the one before it (tokens in flight still verify)

# What the simulator can be told to do wrong with the next ID token it issues.
FAULTS = (
    "expired",  # exp in the past
    "bad_signature",  # signed by a key that is not in the JWKS, under the current kid
    "wrong_audience",  # aud names another client
    "wrong_issuer",  # iss names another provider
    "wrong_nonce",  # nonce other than the one asked for
)


class ProviderError(Exception):
    """An OAuth error answered to the client: `error` as in RFC 6749, with a description."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def _new_key() -> RSAKey:
    kid = f"k{int(time.time())}-{secrets.token_hex(4)}"
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": ALG})


@dataclass
class KeyRing:
    """Signing keys, newest last. `rotate` makes a new current key; the JWKS publishes the
    current one and its predecessor, so a token signed just before a rotation still verifies,
    and a key two rotations old is gone."""

    rotate_seconds: float = 0.0
    keys: list[RSAKey] = field(default_factory=lambda: [_new_key()])
    rotated_at: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rotate(self) -> str:
        with self.lock:
            self.keys = [*self.keys[-(PUBLISHED_KEYS - 1) :], _new_key()]
            self.rotated_at = time.monotonic()
            return self.current_kid

    def _maybe_rotate(self) -> None:
        if self.rotate_seconds and time.monotonic() - self.rotated_at >= self.rotate_seconds:
            self.rotate()

    @property
    def current(self) -> RSAKey:
        self._maybe_rotate()
        return self.keys[-1]

    @property
    def current_kid(self) -> str:
        return str(self.keys[-1].kid)

    def jwks(self) -> dict[str, Any]:
        self._maybe_rotate()
        public = [RSAKey.import_key(k.as_dict(private=False)) for k in self.keys]
        return dict(KeySet(list(public)).as_dict())


@dataclass(frozen=True)
class Client:
    client_id: str
    secret: str
    redirect_uris: tuple[str, ...]


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    citizen: Citizen
    issued_at: float
    redeemed: dict[str, Any] | None = None  # the token response, once the code was used


@dataclass
class Provider:
    issuer: str
    clients: dict[str, Client]
    keys: KeyRing
    subject_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    grants: dict[str, Grant] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)  # applied to the next tokens, in order
    reuse_codes: bool = False  # a faulty provider that lets a code be redeemed again
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- authorization ------------------------------------------------------------------------

    def check_request(self, params: dict[str, str]) -> Client:
        """The client of an authorization request; ProviderError for a request that must not be
        answered by a redirect (unknown client or redirect URI) or is malformed."""
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            raise ProviderError("invalid_client", "Ứng dụng không được đăng ký / Unknown client")
        if params.get("redirect_uri") not in client.redirect_uris:
            raise ProviderError(
                "invalid_request", "Địa chỉ trả về không được đăng ký / Unregistered redirect_uri"
            )
        missing = [
            name
            for name in ("state", "nonce", "code_challenge")
            if not params.get(name) or len(params[name]) > 200
        ]
        if params.get("response_type") != "code":
            missing.append("response_type=code")
        if "openid" not in params.get("scope", "").split():
            missing.append("scope=openid")
        if params.get("code_challenge_method") != "S256":
            missing.append("code_challenge_method=S256")
        if missing:
            raise ProviderError(
                "invalid_request", "Yêu cầu thiếu / Missing or invalid: " + ", ".join(missing)
            )
        return client

    def issue_code(self, params: dict[str, str], citizen: Citizen) -> str:
        code = secrets.token_urlsafe(32)
        with self.lock:
            self._forget_old()
            self.grants[code] = Grant(
                client_id=params["client_id"],
                redirect_uri=params["redirect_uri"],
                code_challenge=params["code_challenge"],
                nonce=params["nonce"],
                citizen=citizen,
                issued_at=time.monotonic(),
            )
        return code

    def _forget_old(self) -> None:
        limit = time.monotonic() - 10 * CODE_SECONDS
        for code in [c for c, g in self.grants.items() if g.issued_at < limit]:
            del self.grants[code]

    # --- token ---------------------------------------------------------------------------------

    def authenticate_client(self, client_id: str, secret: str) -> Client:
        client = self.clients.get(client_id)
        if client is None or not hmac.compare_digest(client.secret.encode(), secret.encode()):
            raise ProviderError("invalid_client", "Client authentication failed", 401)
        return client

    def redeem(
        self, client: Client, code: str, redirect_uri: str, code_verifier: str
    ) -> dict[str, Any]:
        """The token response for a code: once only, to its client, with the PKCE verifier."""
        with self.lock:
            grant = self.grants.get(code)
            if grant is None or grant.client_id != client.client_id:
                raise ProviderError("invalid_grant", "Unknown authorization code")
            if grant.redeemed is not None:
                if self.reuse_codes:
                    return grant.redeemed
                raise ProviderError("invalid_grant", "Authorization code already used")
            if time.monotonic() - grant.issued_at > CODE_SECONDS:
                raise ProviderError("invalid_grant", "Authorization code expired")
            if grant.redirect_uri != redirect_uri:
                raise ProviderError("invalid_grant", "redirect_uri does not match")
            expected = create_s256_code_challenge(code_verifier) if code_verifier else ""
            if not hmac.compare_digest(expected.encode(), grant.code_challenge.encode()):
                raise ProviderError("invalid_grant", "PKCE verification failed")
            fault = self.faults.pop(0) if self.faults else None
            grant.redeemed = self._token_response(grant, fault)
            return grant.redeemed

    def subject(self, citizen: Citizen) -> str:
        """A stable subject per citizen that is not the national ID itself."""
        mac = hmac.new(self.subject_key, citizen.national_id.encode(), hashlib.sha256)
        return mac.hexdigest()[:32]

    def _token_response(self, grant: Grant, fault: str | None) -> dict[str, Any]:
        now = int(time.time())
        access_token = secrets.token_urlsafe(32)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": self.subject(grant.citizen),
            "aud": grant.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_SECONDS,
            "nonce": grant.nonce,
            "jti": secrets.token_urlsafe(16),
            **grant.citizen.claims(),
        }
        key = self.keys.current
        if fault == "expired":
            claims["iat"], claims["exp"] = now - 2 * TOKEN_SECONDS, now - TOKEN_SECONDS
        elif fault == "wrong_audience":
            claims["aud"] = "another-client"
        elif fault == "wrong_issuer":
            claims["iss"] = "http://idp.example.invalid"
        elif fault == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        elif fault == "bad_signature":
            key = RSAKey.generate_key(2048, parameters={"kid": self.keys.current_kid})
        header = {"alg": ALG, "kid": str(key.kid), "typ": "JWT"}
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "scope": "openid profile",
            "id_token": jwt.encode(header, claims, key, algorithms=[ALG]),
        }

    # --- control (the tests' and the demo's knobs) -----------------------------------------------

    def configure(self, body: dict[str, Any]) -> None:
        faults = body.get("faults", [])
        if not isinstance(faults, list) or any(f not in FAULTS for f in faults):
            raise ValueError(f"faults must be a list of {', '.join(FAULTS)}")
        reuse = body.get("reuse_codes", self.reuse_codes)
        if not isinstance(reuse, bool):
            raise ValueError("reuse_codes must be true or false")
        with self.lock:
            self.faults = list(faults)
            self.reuse_codes = reuse

    def discovery(self) -> dict[str, Any]:
        base = self.issuer.rstrip("/")
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": [ALG],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": ["sub", "name", "birthdate", "gender", "national_id", "acr"],
            "acr_values_supported": ["1", "2"],
        }
