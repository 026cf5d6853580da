"""Action jobs: long ministry actions (a round's snapshot and run, a sync with a national
database, a payment reconciliation, invoicing) run in the background with recorded progress."""
