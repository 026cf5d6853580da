"""Settings: one pydantic-settings class read from HEMIS_* environment variables.

Build it with `get_settings()` (cached) and pass it down; nothing else reads the environment.
"""

from __future__ import annotations

import base64
import ipaddress
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development defaults: public on purpose, so they are refused outside development and test.
DEV_SECRET_KEY = "dev-only-secret-key-change-me-0000000000000000"  # noqa: S105 - refused in production
DEV_ID_ENCRYPTION_KEY = base64.b64encode(b"dev-only-aes-key-32-bytes-long!!").decode()
DEV_BLIND_INDEX_KEY = base64.b64encode(b"dev-only-hmac-blind-index-key-32").decode()
# Ed25519: HEMIS's seed, and the public key of the (simulated) registries' dev seed.
DEV_EXCHANGE_SIGNING_KEY = base64.b64encode(b"dev-only-ed25519-hemis-seed-32b!").decode()
DEV_REGISTRY_SEED = b"dev-only-ed25519-registry-seed!!"
DEV_REGISTRY_PUBLIC_KEY = "a85BOIg2SYYCQz4sLziNz7RT/kVEsqDwY+bHEctSQP8="
# Ed25519 seed of the ministry's key that signs digital competency credentials.
DEV_CREDENTIAL_SIGNING_KEY = base64.b64encode(b"dev-only-ed25519-credential-key!").decode()
DEV_VNPAY_HASH_SECRET = "dev-only-vnpay-hash-secret-0000000000000"  # noqa: S105 - refused in production
DEV_EID_CLIENT_SECRET = "dev-only-eid-client-secret-000000000000"  # noqa: S105 - refused in production

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    """All runtime settings of HEMIS. Each field is documented in docs/settings.md (generated)."""

    # A refused value is never echoed back: errors name the setting, not what it was set to (a
    # secret must not reach a terminal or a log because it was mistyped).
    model_config = SettingsConfigDict(
        env_prefix="HEMIS_", extra="ignore", hide_input_in_errors=True
    )

    env: Environment = Field(
        Environment.development,
        description="development, test or production; production refuses development keys.",
    )
    database_url: str = Field(
        f"sqlite:///{PROJECT_ROOT / 'var' / 'hemis.db'}",
        description="SQLAlchemy URL the application connects with (SQLite file or PostgreSQL).",
    )
    migration_database_url: str | None = Field(
        None,
        description=(
            "SQLAlchemy URL of the role that owns the tables, used by `hemis db upgrade` and bulk "
            "loads; defaults to database_url."
        ),
    )
    app_db_role: str = Field(
        "hemis_app",
        description=(
            "PostgreSQL role the application uses; it owns no table, so row-level security"
            " binds it."
        ),
    )
    var_dir: Path = Field(
        PROJECT_ROOT / "var",
        description="Directory for local state: the demo's generated logins, job files.",
    )
    secret_key: str = Field(
        DEV_SECRET_KEY,
        repr=False,
        description="Secret for session and CSRF tokens (at least 32 characters).",
    )
    id_encryption_key: str = Field(
        DEV_ID_ENCRYPTION_KEY,
        repr=False,
        description="Base64 of the 32-byte AES-GCM key that encrypts national IDs at rest.",
    )
    blind_index_key: str = Field(
        DEV_BLIND_INDEX_KEY,
        repr=False,
        description="Base64 of the 32-byte HMAC key of the national-ID blind index.",
    )
    session_hours: int = Field(
        8, ge=1, le=72, description="Lifetime of a staff web session in hours (from its login)."
    )
    candidate_session_hours: int = Field(
        14,
        ge=12,
        le=72,
        description=(
            "Lifetime of a candidate's web session in hours (from its login, not extended by"
            " use): at least 12, so one login lasts a results day."
        ),
    )
    cookie_secure: bool = Field(
        True, description="Send session cookies with the Secure flag (production refuses false)."
    )
    login_max_failures: int = Field(
        5,
        ge=1,
        description=(
            "Login attempts per username from one client address in a window; further attempts"
            " from that address are refused (429) without checking the password."
        ),
    )
    login_window_seconds: int = Field(
        300, ge=10, description="Window over which login attempts are counted."
    )
    login_slow_after: int = Field(
        20,
        ge=1,
        description=(
            "Login attempts on one username from every address in a window after which each"
            " further attempt is slowed down (never refused: the owner can still log in)."
        ),
    )
    login_slow_max_seconds: float = Field(
        3.0, ge=0, le=30, description="Longest slow-down of one login attempt, in seconds."
    )
    trusted_proxies: str = Field(
        "",
        description=(
            "Comma-separated addresses or networks (CIDR) of the reverse proxies in front of"
            " HEMIS; only their X-Forwarded-For is believed when finding a client's address."
        ),
    )
    metrics_token: str | None = Field(
        None,
        repr=False,
        min_length=32,
        description=(
            "Bearer token that lets a scraper outside loopback and the trusted proxy networks"
            " read /metrics (at least 32 characters); unset: only those addresses may."
        ),
    )
    token_days: int = Field(90, ge=1, description="Lifetime of a machine bearer token in days.")
    log_level: str = Field("INFO", description="Log level (DEBUG, INFO, WARNING, ERROR).")
    exchange_signing_key: str = Field(
        DEV_EXCHANGE_SIGNING_KEY,
        repr=False,
        description="Base64 of HEMIS's 32-byte Ed25519 seed that signs requests to registries.",
    )
    registry_public_key: str = Field(
        DEV_REGISTRY_PUBLIC_KEY,
        description="Base64 of the national registries' Ed25519 public key (checks responses).",
    )
    credential_signing_key: str = Field(
        DEV_CREDENTIAL_SIGNING_KEY,
        repr=False,
        description=(
            "Base64 of the ministry's 32-byte Ed25519 seed that signs learners' digital "
            "competency credentials and their status lists."
        ),
    )
    population_url: str = Field(
        "http://127.0.0.1:8701", description="Base URL of the population database."
    )
    insurance_url: str = Field(
        "http://127.0.0.1:8702", description="Base URL of the social-insurance database."
    )
    civil_service_url: str = Field(
        "http://127.0.0.1:8703", description="Base URL of the civil-servant database."
    )
    registry_timeout_seconds: float = Field(
        10.0, gt=0, description="Timeout of one request to a national registry."
    )
    registry_max_attempts: int = Field(
        6, ge=1, description="Attempts per registry request (retries with backoff and jitter)."
    )
    registry_rate_per_second: float = Field(
        50.0, gt=0, description="Requests per second HEMIS sends to one registry at most."
    )
    registry_breaker_failures: int = Field(
        8, ge=1, description="Consecutive failures that open a registry's circuit breaker."
    )
    registry_breaker_cooldown_seconds: float = Field(
        5.0, gt=0, description="How long an open circuit breaker refuses calls."
    )
    sync_batch_size: int = Field(
        1000, ge=1, le=1000, description="Records per registry request in a sync job."
    )
    exchange_retention_days: int = Field(
        1825, ge=1, description="Days the exchange log keeps messages before a purge."
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="Public base URL of the portal (the payment gateway returns the browser here).",
    )
    payment_gateway_url: str = Field(
        "http://127.0.0.1:8700",
        description="Base URL of the VNPay-protocol gateway (the sandbox: hemis gateway sandbox).",
    )
    vnpay_tmn_code: str = Field("HEMISDEV", description="Merchant (terminal) code at VNPay.")
    vnpay_hash_secret: str | None = Field(
        None,
        repr=False,
        description=(
            "VNPay HMAC-SHA512 secret (signs pay URLs, checks IPNs); required in production, a "
            "public development secret is used elsewhere when unset."
        ),
    )
    payment_pending_minutes: int = Field(
        15, ge=1, description="A payment pending longer than this is queried by the reconciler."
    )
    gateway_timeout_seconds: float = Field(
        10.0, gt=0, description="Timeout of calls to the payment gateway (query, refund)."
    )
    eid_issuer_url: str = Field(
        "http://127.0.0.1:8704",
        description=(
            "Issuer URL of the national e-ID provider (OpenID Connect; the simulator: hemis "
            "idp-sim). Its discovery document is at /.well-known/openid-configuration."
        ),
    )
    eid_client_id: str = Field("hemis", description="HEMIS's client id at the e-ID provider.")
    eid_client_secret: str | None = Field(
        None,
        description=(
            "HEMIS's client secret at the e-ID provider; required in production, a public "
            "development secret is used elsewhere when unset."
        ),
    )
    eid_timeout_seconds: float = Field(
        10.0, gt=0, description="Timeout of calls to the e-ID provider (discovery, keys, token)."
    )
    # Address space, not resident memory: the reader of a national file of 3 M learners with 24
    # competency levels each reserves over 3 GB of it while its resident peak is 1.8 GB
    # (docs/benchmarks.md, digital competency); the unzipped-size and cell limits stop bombs.
    import_reader_memory_mb: int = Field(
        4096,
        ge=256,
        description=(
            "Address space a submitted file's reader process may use (MB); a file that needs more "
            "is refused as unreadable."
        ),
    )
    import_reader_seconds: int = Field(
        300, ge=5, description="Time (wall clock and CPU) a submitted file's reader may take."
    )
    import_max_columns: int = Field(
        1000, ge=50, description="Columns a submitted file (or JSON batch) may have."
    )
    import_max_cell_chars: int = Field(
        32767, ge=1000, description="Characters one cell may hold (Excel's own limit)."
    )
    import_max_sheet_cells: int = Field(
        30_000_000,
        ge=1_000_000,
        description="Cells a worksheet may declare or span (rows × columns of its used range).",
    )
    import_max_unzipped_mb: int = Field(
        1024, ge=16, description="Uncompressed size of all the parts of an .xlsx workbook (MB)."
    )
    import_max_zip_ratio: int = Field(
        100,
        ge=10,
        description="Compression ratio a large part of an .xlsx may have (zip bombs exceed it).",
    )

    @property
    def owner_database_url(self) -> str:
        return self.migration_database_url or self.database_url

    @property
    def vnpay_secret(self) -> str:
        if self.vnpay_hash_secret:
            return self.vnpay_hash_secret
        if self.env == Environment.production:
            raise ValueError("HEMIS_VNPAY_HASH_SECRET is required in production")
        return DEV_VNPAY_HASH_SECRET

    @property
    def eid_secret(self) -> str:
        if self.eid_client_secret:
            return self.eid_client_secret
        if self.env == Environment.production:
            raise ValueError("HEMIS_EID_CLIENT_SECRET is required in production")
        return DEV_EID_CLIENT_SECRET

    @property
    def eid_redirect_uri(self) -> str:
        """Where the e-ID provider returns the browser (registered with the provider)."""
        return self.public_url.rstrip("/") + "/eid/callback"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @field_validator(
        "id_encryption_key",
        "blind_index_key",
        "exchange_signing_key",
        "registry_public_key",
        "credential_signing_key",
    )
    @classmethod
    def _key_is_32_bytes(cls, value: str) -> str:
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise ValueError("must be base64") from exc
        if len(raw) != 32:
            raise ValueError("must decode to 32 bytes")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for item in _split(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError("must be IP addresses or CIDR networks, comma-separated") from exc
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(
            ipaddress.ip_network(item, strict=False) for item in _split(self.trusted_proxies)
        )

    @model_validator(mode="after")
    def _no_dev_keys_in_production(self) -> Settings:
        if self.env == Environment.production:
            dev = {
                "HEMIS_SECRET_KEY": self.secret_key == DEV_SECRET_KEY,
                "HEMIS_ID_ENCRYPTION_KEY": self.id_encryption_key == DEV_ID_ENCRYPTION_KEY,
                "HEMIS_BLIND_INDEX_KEY": self.blind_index_key == DEV_BLIND_INDEX_KEY,
                "HEMIS_EXCHANGE_SIGNING_KEY": self.exchange_signing_key == DEV_EXCHANGE_SIGNING_KEY,
                "HEMIS_REGISTRY_PUBLIC_KEY": self.registry_public_key == DEV_REGISTRY_PUBLIC_KEY,
                "HEMIS_CREDENTIAL_SIGNING_KEY": (
                    self.credential_signing_key == DEV_CREDENTIAL_SIGNING_KEY
                ),
                "HEMIS_VNPAY_HASH_SECRET": self.vnpay_hash_secret == DEV_VNPAY_HASH_SECRET,
                "HEMIS_EID_CLIENT_SECRET": self.eid_client_secret == DEV_EID_CLIENT_SECRET,
            }
            left = [name for name, is_dev in dev.items() if is_dev]
            if left:
                raise ValueError(f"development keys are refused in production: {', '.join(left)}")
            if len(self.secret_key) < 32:
                raise ValueError("HEMIS_SECRET_KEY must be at least 32 characters")
            if not self.cookie_secure:
                # A session cookie sent over plain HTTP can be read on the wire.
                raise ValueError("HEMIS_COOKIE_SECURE=false is refused in production")
        return self


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
