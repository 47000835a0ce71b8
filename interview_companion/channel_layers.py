"""The embedded channel layer (no Redis): Channels' in-memory layer, cleaning
expired messages once a second instead of on every receive and group send.

The stock layer walks every channel and every group membership on each receive
and each group send. A process holds one feed channel per live interview
(`interviews.live.fanout`), so at 200 live interviews and ~250 events a second that
walk was 11% of the process's GIL time under `bench/answer_latency.py` (py-spy,
`--gil`), quadratic in the interviews held. Expired messages and memberships still
go, at most `INMEMORY_LAYER_CLEAN_SECONDS` late; 0 in the environment selects the
stock layer. Only the cleanup's timing changes: the method overridden is the
layer's own `_clean_expired` (channels is pinned in requirements.txt); were it
renamed, this override would go unused and the layer would clean on every call, as
stock (test_channel_layers.py notices the rename).
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer


class ThrottledInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, clean_every: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clean_every = clean_every
        self._cleaned_at = float("-inf")

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < self.clean_every:
            return
        self._cleaned_at = now
        super()._clean_expired()
