"""One typed settings object, read from the environment and an optional `.env`.

Local mode (the default) runs with embedded backends and development secrets so
`make run` works on a fresh machine; production mode refuses to start until every
secret is set, and names the missing ones.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _in_project(path: str) -> Path:
    """Relative folders in the settings are relative to the project, not the cwd."""
    p = Path(path)
    return p if p.is_absolute() else PROJECT_ROOT / p


class MissingSecrets(RuntimeError):
    """Raised at start-up in production when a required secret is not configured."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BARTR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["local", "test", "production"] = "local"
    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'data' / 'bartr.db'}",
        validation_alias="DATABASE_URL",
    )
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    # Origins allowed to open the Socket.IO connection (comma separated).
    allowed_origins: str = "http://localhost:3000,http://127.0.0.1:3000"
    public_url: str = "http://localhost:3000"

    # Secrets: empty means "not configured". Production refuses to start without them.
    secret_key: str = ""
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str | None = None
    livekit_url: str = ""
    livekit_api_key: str = ""
    livekit_api_secret: str = ""
    # The call of a scheduled session opens this long before its start and closes this
    # long after its end; after the call, each side needs this share of the booked time
    # in the room for the session to complete by itself.
    video_open_before_minutes: int = Field(default=10, ge=0, le=120)
    video_close_after_minutes: int = Field(default=30, ge=0, le=240)
    video_min_attendance_percent: int = Field(default=50, ge=1, le=100)
    s3_bucket: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    # How long a presigned S3 download URL stays valid (seconds): minutes, never hours.
    s3_presign_seconds: int = Field(default=300, ge=10, le=3600)
    aws_access_key_id: str = Field(default="", validation_alias="AWS_ACCESS_KEY_ID")
    aws_secret_access_key: str = Field(default="", validation_alias="AWS_SECRET_ACCESS_KEY")

    # Accounts
    bcrypt_rounds: int = 12
    session_ttl_hours: int = 24 * 14
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    # Per client address (in each app process), besides the per-email lock above.
    login_attempts_per_address: int = 30
    signup_attempts_per_address: int = 10
    address_window_minutes: int = 10
    # bcrypt runs at most this many at once per process (the rest queue, off the event loop).
    password_work_concurrency: int = 2

    # Credits (integers of the minor unit: 1 credit = 1 hour = 60 minor units)
    welcome_credits: int = 2
    referral_credits: int = 5
    # "id:credits:price_cents" entries, comma separated.
    credit_packs: str = "starter:5:2500,learner:12:5500,scholar:30:12000"

    # Upload limits
    avatar_max_bytes: int = 2 * 1024 * 1024
    course_video_max_bytes: int = 2 * 1024 * 1024 * 1024
    course_pdf_max_bytes: int = 50 * 1024 * 1024
    # Request bodies, enforced in front of the whole app (bartr/api/request_limits.py):
    # one course upload request (one drop of files) in total, the Stripe webhook, and
    # every other request (log-in and sign-up forms, pings).
    course_upload_max_bytes: int = 2 * 1024 * 1024 * 1024 + 1024 * 1024
    stripe_webhook_max_bytes: int = 512 * 1024
    request_max_bytes: int = 64 * 1024
    # Files of course items deleted longer ago than this are removed by the daily purge.
    course_purge_days: int = Field(default=30, ge=0)

    # Files (avatars, course content) live here, outside every public web root.
    media_dir: str = str(PROJECT_ROOT / "data" / "media")

    # Mail: SMTP URL (smtp://user:pass@host:587?starttls=1); empty = .eml files in outbox_dir.
    smtp_url: str = ""
    outbox_dir: str = str(PROJECT_ROOT / "data" / "outbox")
    mail_from: str = "BARTR <no-reply@bartr.local>"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def media_path(self) -> Path:
        return _in_project(self.media_dir)

    @property
    def outbox_path(self) -> Path:
        return _in_project(self.outbox_dir)

    @property
    def origins(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]

    @property
    def s3_enabled(self) -> bool:
        return bool(self.s3_bucket)

    @property
    def storage_origin(self) -> str:
        """The origin(s) presigned S3 URLs point at ("" with local storage), for the CSP."""
        if not self.s3_enabled:
            return ""
        if self.s3_endpoint_url:
            from urllib.parse import urlsplit

            parts = urlsplit(self.s3_endpoint_url)
            return f"{parts.scheme}://{parts.netloc}"
        # boto3 may sign either the regional or the global virtual-host name.
        return (
            f"https://{self.s3_bucket}.s3.{self.s3_region}.amazonaws.com"
            f" https://{self.s3_bucket}.s3.amazonaws.com"
        )

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_secret_key and self.stripe_webhook_secret)

    @property
    def livekit_enabled(self) -> bool:
        return bool(self.livekit_url and self.livekit_api_key and self.livekit_api_secret)

    def missing_production_secrets(self) -> list[str]:
        required = {"BARTR_SECRET_KEY": self.secret_key}
        if self.stripe_secret_key or self.stripe_webhook_secret:
            required["BARTR_STRIPE_SECRET_KEY"] = self.stripe_secret_key
            required["BARTR_STRIPE_WEBHOOK_SECRET"] = self.stripe_webhook_secret
        if self.livekit_url:
            required["BARTR_LIVEKIT_API_KEY"] = self.livekit_api_key
            required["BARTR_LIVEKIT_API_SECRET"] = self.livekit_api_secret
        return [name for name, value in required.items() if not value]

    def check_ready(self) -> None:
        if self.environment == "production":
            missing = self.missing_production_secrets()
            if missing:
                raise MissingSecrets(
                    "BARTR refuses to start in production: missing " + ", ".join(missing)
                )


@lru_cache
def get_settings() -> Settings:
    return Settings()
