"""Analysis: providers that turn answers into insights, speakers into roles and a
finished interview into a scorecard, and the runner that feeds them.

Owns: the provider contract (`base`), the ordered failover list (`chain`), the
validation every provider's output passes (`validation`), the LLM providers (`llm`,
`openai`, `anthropic`), the offline default (`builtin/`), committing a chunk's
insights with its progress marker (`services`), and claiming and analysing pending
work (`runner`).

May import: models, selectors, services, the event log (`interviews.live.events`,
`payloads`, `wakeup`) and scorecard generation (the runner writes the scorecard of
a finished interview). The providers import no Django model. Imported by: the entry
points only (ASGI, commands, views that generate on demand).
"""
