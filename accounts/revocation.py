"""Telling every server process that credentials were withdrawn, so the websockets
opened with them are closed (4401) instead of receiving live events until the
browser leaves.

Services that deactivate a user, delete one or revoke an API token call
`sockets_revoke` inside their transaction; after it commits, one message goes to a
channel-layer group that each server process's registry of open sockets
(`accounts/websocket.py`) listens on, so it reaches every process through Redis
(and the one process of the in-memory layer). A message lost with Redis, or a
change that bypassed the services (SQL, the shell), is caught by the registry's
re-check against the database every `WEBSOCKET_AUTH_RECHECK_SECONDS`.

Below the services that call it; imports nothing of the project.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

REVOCATIONS_GROUP = "accounts.revocations"
REVOKED = "accounts.revoked"
# A revocation that cannot reach the channel layer in this time is left to the
# registries' re-check: the request that deactivated someone must not hang on Redis.
SEND_TIMEOUT_SECONDS = 1.0


def sockets_revoke(*, user_ids: Iterable[int] = (), token_ids: Iterable[int] = ()) -> None:
    """Close, on every server process, the websockets of these users (any
    credential) and of these API tokens, once the current transaction commits."""
    message = {
        "type": REVOKED,
        "user_ids": sorted({int(pk) for pk in user_ids}),
        "token_ids": sorted({int(pk) for pk in token_ids}),
    }
    if message["user_ids"] or message["token_ids"]:
        transaction.on_commit(partial(_send, message), robust=True)


def _send(message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(_send_async)(layer, message)
    except Exception:
        logger.warning(
            "Could not announce revoked credentials %s; the sockets' re-check will close them",
            {key: message[key] for key in ("user_ids", "token_ids")},
        )


async def _send_async(layer, message: dict) -> None:
    await asyncio.wait_for(layer.group_send(REVOCATIONS_GROUP, message), SEND_TIMEOUT_SECONDS)
