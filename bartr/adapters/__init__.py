"""The outside world behind small interfaces: file storage, payments, video, mail.

Each module holds one interface (a `Protocol`), the real implementation(s) and nothing
else. Services receive an adapter as an argument and never build one, so unit tests can
hand them a test double (tests/doubles.py) while the running app and the browser tests
use the real thing. The composition root is `bartr.adapters.registry`, which builds each
adapter once from the settings; only the web layer (state, api, background loop) calls it.
"""
