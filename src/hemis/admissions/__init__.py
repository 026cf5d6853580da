"""National admissions: exam registration, results, the offer catalogue, admission scores,
wishes, rounds over hashed snapshots, and enrolment confirmation.

Pure rules: codes.py, combinations.py, rules.py (priority points, conversion tables, rule sets by
year), explain.py (one candidate's score, explained), vector.py (every wish's score at once),
eligibility.py (registration, windows, wishes). Use cases: service.py (calendar, registration),
results_import.py, service_offers.py, service_wishes.py, rounds.py with snapshot.py,
snapshot_build.py and round_results.py. Read side: queries.py (a candidate's own records) and
queries_public.py. Who may see what: access.py. Web: api.py, api_rounds.py, pages.py,
pages_staff.py.
"""
