"""Is a delivery really from Procore / Xero? Constant-time checks of what each one publishes.

Procore sends the ``Authorization`` header the hook was registered with (``destination_headers``); Xero
signs the raw body with HMAC-SHA256 and the webhook key, base64, in ``x-xero-signature``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def procore_authorized(sent: str | None, token: str) -> bool:
    """The delivery carries ``Bearer <token>``, the header the sync registered its hooks with."""
    return (
        bool(token)
        and sent is not None
        and hmac.compare_digest(sent.encode(), procore_header(token).encode())
    )


def procore_header(token: str) -> str:
    return f"Bearer {token}"


def xero_signature(key: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def xero_signed(sent: str | None, key: str, body: bytes) -> bool:
    return (
        bool(key)
        and sent is not None
        and hmac.compare_digest(sent.encode(), xero_signature(key, body).encode())
    )
