"""The demo year: a national admission year lived in the product, for `hemis demo`.

rules.py (pure): the phases, each phase's calendar around now, the demo candidate, the cohort's
size. cohort.py and offers.py (pure, seeded): the applicants, results files, offers, wishes, who
pays and who confirms. setup.py and steps.py: the year built and moved forward through the
admissions, payments and registry services; load.py writes the cohort's registrations and wishes
set-based. service.py: building the year, moving it between phases (the phase on record in the
audit log), rewinding, re-laying dates. queries.py: where it stands. pages.py: the ministry's
calendar page, served only in the development environment.
"""
