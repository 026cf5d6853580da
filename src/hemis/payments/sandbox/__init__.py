"""The sandbox gateway: a separate process that speaks the VNPay 2.1.0 protocol (ADR 0010)."""
