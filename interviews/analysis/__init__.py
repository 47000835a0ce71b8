"""The analysis package: providers that turn transcript chunks into insights,
speakers into roles, and a finished interview into a scorecard.

`base.py` is the contract; `builtin.py` the offline default; `openai.py` and
`anthropic.py` the LLM providers; `chain.py` the ordered failover list.
"""
