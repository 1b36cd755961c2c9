"""The planner dashboard: a Dash client of `sim` (see docs/dashboard.md).

    from dashboard.app import create_app, serve
"""


def is_local(host: str) -> bool:
    """Whether `host` is a loopback address (debug mode is refused on any other)."""
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
