"""Data submission, second half: rules against the database (tiers d–f), applying files to the
registry, background jobs, and the lifecycle of an institution's submission per reporting period
(draft → validated → submitted → accepted or returned), with overrides, sign-off snapshots and
versions."""
