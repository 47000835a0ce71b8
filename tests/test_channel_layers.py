"""The embedded channel layer: expiry walked once per interval, not per call."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from channels.layers import InMemoryChannelLayer

from interview_companion.channel_layers import ThrottledInMemoryChannelLayer

ROOT = Path(__file__).resolve().parent.parent


def test_the_stock_layer_still_has_the_cleanup_this_one_times():
    # Were Channels to rename it, the override would go unused (cleaning on every
    # call again, as stock): this says so at the upgrade.
    assert callable(getattr(InMemoryChannelLayer, "_clean_expired", None))


async def test_expired_messages_wait_for_the_next_cleanup_then_go():
    layer = ThrottledInMemoryChannelLayer(clean_every=0.2, expiry=0.01)
    await layer.group_send("warm", {"type": "x"})  # the first cleanup, now
    channel = await layer.new_channel("feed.")
    await layer.group_add("interview-1", channel)
    await layer.send(channel, {"type": "feed.events"})
    await asyncio.sleep(0.05)
    await layer.group_send("other", {"type": "x"})
    # Expired, but the walk ran less than clean_every ago: still queued.
    assert channel in layer.channels
    await asyncio.sleep(0.2)
    await layer.group_send("other", {"type": "x"})
    # The walk ran: the message and the channel's membership are gone.
    assert channel not in layer.channels
    assert channel not in layer.groups.get("interview-1", {})


async def test_messages_are_delivered_as_by_the_stock_layer():
    layer = ThrottledInMemoryChannelLayer()
    channel = await layer.new_channel("feed.")
    await layer.group_add("interview-1", channel)
    await layer.group_send("interview-1", {"type": "feed.events", "events": [[1, "{}"]]})
    assert await asyncio.wait_for(layer.receive(channel), 1) == {
        "type": "feed.events",
        "events": [[1, "{}"]],
    }


def _layer_setting(clean_seconds: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["INMEMORY_LAYER_CLEAN_SECONDS"] = clean_seconds
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.CHANNEL_LAYERS['default']))",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "interview_companion.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_zero_in_the_environment_selects_the_stock_layer():
    assert _layer_setting("0")["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    throttled = _layer_setting("0.5")
    assert throttled["BACKEND"].endswith("ThrottledInMemoryChannelLayer")
    assert throttled["CONFIG"] == {"clean_every": 0.5}
