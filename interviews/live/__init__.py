"""Live: everything between speech-to-text and an open page.

Owns: reading Deepgram `Results` (`deepgram`), the ingest service (`ingest`) and its
API-token fast path before Django (`ingest_http`), transcript import (`imports`,
`views`, `admin`) and recordings (`recordings`), the per-interview event log
(`events`, `payloads`), waking the analysis runner after commit (`wakeup`), the
per-process fan-out (`fanout`), framing once and writing straight to Daphne's
socket (`wire`), the feed's ordering protocol (`feed`) and its websocket consumer
(`consumers`), and the browser-to-Deepgram audio relay (`audio`, `relay`).

May import: models and selectors. Never the analysis package: ingest commits rows
and wakes the runner, which finds pending work in the database.
"""
