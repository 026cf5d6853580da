"""Verifiable credentials of a learner's digital competency profile.

jcs.py: JSON canonicalisation (RFC 8785). multibase.py: base58-btc and Ed25519 Multikeys.
proof.py: Data Integrity proofs with the eddsa-jcs-2022 cryptosuite (W3C VC Data Integrity
EdDSA Cryptosuites v1.0). document.py: the credential (W3C Verifiable Credentials Data Model
2.0, Open Badges 3.0 achievement aligned to the framework's competency codes). status_list.py:
the revocation list (W3C Bitstring Status List v1.0). verify.py: one verdict per file, never a
crash. keys.py: the ministry's signing key from the settings.
"""
