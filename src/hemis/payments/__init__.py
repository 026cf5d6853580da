"""Fees and online payment: fee schedules, invoices, payment intents, gateway notifications,
idempotency keys, reconciliation and refunds (ADR 0010)."""
