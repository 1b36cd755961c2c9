"""The planner dashboard: a Dash client of `sim` (see docs/dashboard.md).

    from dashboard.app import create_app, serve
"""
