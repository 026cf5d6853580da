"""Standards and indicators: Circular 01/2024 criteria per institution, data quality, national
indicators, dashboard pages and exports (ADR 0012)."""
