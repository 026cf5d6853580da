"""The population database: port, HTTP client and simulator."""
