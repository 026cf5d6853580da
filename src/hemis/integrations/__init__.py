"""National databases: population, social insurance and civil service (ports, clients,
simulators), the signed exchange log, batched sync jobs, linkage and graduate outcomes."""
