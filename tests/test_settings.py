from __future__ import annotations

import pytest

from bartr.settings import MissingSecrets, Settings


def test_local_mode_starts_without_secrets() -> None:
    Settings(environment="local", secret_key="").check_ready()


def test_production_refuses_to_start_and_names_the_missing_secret() -> None:
    with pytest.raises(MissingSecrets) as err:
        Settings(
            environment="production", secret_key="", stripe_secret_key="sk_test_x"
        ).check_ready()
    assert "BARTR_SECRET_KEY" in str(err.value)
    assert "BARTR_STRIPE_WEBHOOK_SECRET" in str(err.value)
    Settings(environment="production", secret_key="s" * 40).check_ready()


def test_origins_are_a_comma_separated_setting() -> None:
    s = Settings(allowed_origins="https://bartr.example, http://localhost:3000")
    assert s.origins == ["https://bartr.example", "http://localhost:3000"]


def test_storage_origin_follows_the_s3_settings() -> None:
    assert Settings(s3_bucket="").storage_origin == ""
    assert (
        Settings(s3_bucket="media", s3_region="eu-west-1").storage_origin
        == "https://media.s3.eu-west-1.amazonaws.com https://media.s3.amazonaws.com"
    )
    assert (
        Settings(s3_bucket="m", s3_endpoint_url="http://127.0.0.1:9000/x").storage_origin
        == "http://127.0.0.1:9000"
    )
