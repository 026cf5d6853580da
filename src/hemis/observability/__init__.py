"""Observability: Prometheus metrics, the readiness check (served by web/health.py)."""
