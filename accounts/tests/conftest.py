"""Stand-ins for Clerk at its protocol boundary: svix-signed webhook deliveries
and RS256 session tokens signed with a key pair made here."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from svix.webhooks import Webhook

WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"interview-companion-test-secret!").decode()
ORIGIN = "http://testserver"
FRONTEND_API = "clerk.interviews.example.com"


# --- Webhooks ------------------------------------------------------------------


def clerk_user(
    clerk_id: str = "user_29w83sxmDNGwOuEthce5gg56FcC",
    *,
    email: str = "example@example.org",
    first_name: str | None = "Example",
    last_name: str | None = "Example",
    updated_at: int = 1654012591835,
) -> dict:
    """Clerk's documented `user.created` / `user.updated` data object."""
    email_id = "idn_29w83yL7CwVlJXylYLxcslromF1"
    return {
        "birthday": "",
        "created_at": 1654012591514,
        "email_addresses": [
            {
                "email_address": "secondary@example.org",
                "id": "idn_secondary000000000000000",
                "linked_to": [],
                "object": "email_address",
                "verification": {"status": "verified", "strategy": "email_code"},
            },
            {
                "email_address": email,
                "id": email_id,
                "linked_to": [],
                "object": "email_address",
                "verification": {"status": "verified", "strategy": "ticket"},
            },
        ],
        "external_accounts": [],
        "external_id": "567772",
        "first_name": first_name,
        "gender": "",
        "id": clerk_id,
        "image_url": "https://img.clerk.com/xxxxxx",
        "last_name": last_name,
        "last_sign_in_at": 1654012591514,
        "object": "user",
        "password_enabled": True,
        "phone_numbers": [],
        "primary_email_address_id": email_id,
        "primary_phone_number_id": None,
        "primary_web3_wallet_id": None,
        "private_metadata": {},
        "profile_image_url": "https://www.gravatar.com/avatar?d=mp",
        "public_metadata": {},
        "two_factor_enabled": False,
        "unsafe_metadata": {},
        "updated_at": updated_at,
        "username": None,
        "web3_wallets": [],
    }


def clerk_event(event_type: str, data: dict, *, timestamp: int = 1654012591835) -> dict:
    """Clerk's documented event envelope."""
    return {
        "data": data,
        "event_attributes": {
            "http_request": {"client_ip": "0.0.0.0", "user_agent": "Mozilla/5.0 (test)"}
        },
        "instance_id": "ins_123",
        "object": "event",
        "timestamp": timestamp,
        "type": event_type,
    }


def deleted_event(clerk_id: str, *, timestamp: int) -> dict:
    return clerk_event(
        "user.deleted", {"deleted": True, "id": clerk_id, "object": "user"}, timestamp=timestamp
    )


def svix_headers(
    body: str,
    *,
    msg_id: str | None = None,
    secret: str = WEBHOOK_SECRET,
    at: datetime | None = None,
) -> dict[str, str]:
    """Headers as Clerk's sender (svix) makes them, with svix's own signing code."""
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(tz=UTC)
    return {
        "svix-id": msg_id,
        "svix-timestamp": str(int(at.timestamp())),
        "svix-signature": Webhook(secret).sign(msg_id, at, body),
    }


@pytest.fixture
def webhook_secret(settings):
    settings.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


@pytest.fixture
def deliver(client, webhook_secret):
    """POST a Clerk event to the webhook, signed like Clerk signs it."""

    def _deliver(event: dict | str, *, msg_id: str | None = None, **header_kwargs):
        body = event if isinstance(event, str) else json.dumps(event)
        headers = svix_headers(body, msg_id=msg_id, **header_kwargs)
        return client.post(
            "/webhooks/clerk/",
            data=body,
            content_type="application/json",
            headers=headers,
        )

    return _deliver


# --- Session tokens --------------------------------------------------------------


def _pem_public(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="session")
def clerk_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def clerk_settings(settings, clerk_key):
    settings.CLERK_JWT_KEY = _pem_public(clerk_key)
    settings.CLERK_PUBLISHABLE_KEY = "pk_test_" + base64.b64encode(
        f"{FRONTEND_API}$".encode()
    ).decode().rstrip("=")
    settings.CLERK_FRONTEND_API = FRONTEND_API
    settings.CLERK_AUTHORIZED_PARTIES = [ORIGIN]
    settings.CLERK_ENABLED = True
    return settings


@pytest.fixture
def session_token(clerk_key):
    """A Clerk session token (v2 claim set) signed with the instance key."""

    def _token(sub: str, *, key=None, headers: dict | None = None, **overrides) -> str:
        now = int(time.time())
        claims = {
            "azp": ORIGIN,
            "exp": now + 60,
            "fva": [0, -1],
            "iat": now,
            "iss": f"https://{FRONTEND_API}",
            "nbf": now - 10,
            "sid": "sess_2mDMGMUUUgNHJOSrOGwnbd0UjD8",
            "sts": "active",
            "sub": sub,
            "v": 2,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(
            claims,
            key or clerk_key,
            algorithm="RS256",
            headers={"kid": "ins_2mDMGLf1pTYbBTqIjWMrXyBxnXu", **(headers or {})},
        )

    return _token
