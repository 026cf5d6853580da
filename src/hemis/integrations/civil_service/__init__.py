"""The civil-servant database: port, HTTP client and simulator."""
