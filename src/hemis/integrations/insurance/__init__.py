"""The social-insurance database: port, HTTP client and simulator."""
