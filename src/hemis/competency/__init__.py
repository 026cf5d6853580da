"""Digital competency of learners (Circular 02/2025/TT-BGDĐT).

framework.py and reference.py: the framework (versions, domains, competencies, levels) from the
files in data/ (SOURCES.md), and its tables. entities.py, rules_file.py, rules_db.py and apply.py:
program targets and learners' assessed levels as submission entities (templates, rules with IDs,
reports, all-or-nothing apply, sign-off through hemis.submissions). profile.py: a learner's
latest level per competency, with history. selfcheck.py: the self-assessment questionnaire
(never counted). credentials/: signed W3C VC 2.0 / Open Badges 3.0 credentials, their status
list and their verification. indicators.py: shares at or above target, gaps, open data.
"""
