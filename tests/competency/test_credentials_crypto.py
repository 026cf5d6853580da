"""The credential's cryptography, checked without a database: JCS (RFC 8785, with the RFC's own
examples), base58-btc, an eddsa-jcs-2022 test vector published for the W3C specification, our
own proofs round-tripping and failing on any change, and the bitstring status list."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from hemis.competency.credentials import multibase
from hemis.competency.credentials.jcs import canonicalize, number
from hemis.competency.credentials.keys import TrustedKeys, public_bytes
from hemis.competency.credentials.proof import ProofProblem, add_proof, verify_proof
from hemis.competency.credentials.status_list import bit, decode_list, encode_list

# RFC 8785 §3.2.2 and §3.2.3: the input and its canonical form.
RFC_INPUT = (
    '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
    ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
    ' "literals": [null, true, false]}'
)
RFC_OUTPUT = (
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
    '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
)
# The eddsa-jcs-2022 test vector of Digital Bazaar (W3C vc-di-eddsa interoperability tests),
# signed by did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2.
VECTOR_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"]
VECTOR: dict[str, Any] = {
    "@context": CONTEXT,
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": f"did:key:{VECTOR_KEY}",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    "proof": {
        "type": "DataIntegrityProof",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": f"did:key:{VECTOR_KEY}#{VECTOR_KEY}",
        "cryptosuite": "eddsa-jcs-2022",
        "proofPurpose": "assertionMethod",
        "@context": CONTEXT,
        "proofValue": (
            "z5EhYRJkfPLkoT92FPXN8KK6M9rsBhq3xs19GBSsA6VdNYH4QMKSyNuA2Gfznz9QthVD7Rz3HTAfqxxay23htUpTg"
        ),
    },
}


def test_the_rfc_8785_example_canonicalises_as_published() -> None:
    assert canonicalize(json.loads(RFC_INPUT)).decode() == RFC_OUTPUT


def test_members_sort_by_utf16_code_units() -> None:
    # RFC 8785 §3.2.3: the emoji (surrogates D83D DE00) sorts before U+FB33, unlike code points.
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    text = canonicalize(dict.fromkeys(keys, 0)).decode()
    order = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    assert list(json.loads(text)) == order


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (123e-20, "1.23e-18"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992.0, "9007199254740992"),
        (295147905179352830000.0, "295147905179352830000"),
        (-4.5, "-4.5"),
    ],
)
def test_numbers_are_written_as_ecmascript_writes_them(value: float, expected: str) -> None:
    assert number(value) == expected


def test_values_json_cannot_carry_are_refused() -> None:
    for bad in (float("nan"), float("inf"), {1: "x"}, "\ud800", object()):
        with pytest.raises(ValueError):  # noqa: PT011 - each has its own reason
            canonicalize(bad)


@given(st.binary(max_size=80))
def test_base58_round_trips(data: bytes) -> None:
    assert multibase.decode(multibase.encode(data)) == data


def test_the_published_eddsa_jcs_2022_vector_verifies_and_fails_when_changed() -> None:
    keys = TrustedKeys(frozenset({VECTOR_KEY}))
    assert verify_proof(VECTOR, keys.resolve).created == "2023-02-24T23:36:38Z"
    changed = copy.deepcopy(VECTOR)
    changed["credentialSubject"]["alumniOf"] = "The School of Other Examples"
    with pytest.raises(ProofProblem) as problem:
        verify_proof(changed, keys.resolve)
    assert problem.value.kind == "tampered"
    with pytest.raises(ProofProblem) as untrusted:
        verify_proof(VECTOR, TrustedKeys(frozenset()).resolve)
    assert untrusted.value.kind == "foreign"


KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
MULTIKEY = multibase.multikey(public_bytes(KEY))
DOC: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "issuer": "https://hemis.example/credentials/issuer",
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {"name": "Nguyễn Thị Lan", "levels": {"1.1": "NC1", "3.4": "TC2"}},
}


def _signed() -> dict[str, Any]:
    return add_proof(
        DOC, KEY, f"https://hemis.example/credentials/issuer#{MULTIKEY}", dt.datetime(2026, 1, 1)
    )


def _leaves(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in _leaves(v, (*path, k))]
    if isinstance(doc, list):
        return [p for i, v in enumerate(doc) for p in _leaves(v, (*path, i))]
    return [path]


def test_our_proof_verifies_and_names_its_key() -> None:
    signed = _signed()
    assert multibase.decode(signed["proof"]["proofValue"]).__len__() == 64
    assert MULTIKEY.startswith("z6Mk")
    keys = TrustedKeys(frozenset({MULTIKEY}))
    assert verify_proof(signed, keys.resolve).verification_method.endswith(MULTIKEY)
    # the proof carries the document's @context (eddsa-jcs-2022 §3.3.1)
    assert signed["proof"]["@context"] == DOC["@context"]


@given(st.data())
def test_changing_any_string_of_the_document_or_proof_breaks_it(data: st.DataObject) -> None:
    signed = _signed()
    paths = [p for p in _leaves(signed) if p != ("proof", "proofValue")]
    path = data.draw(st.sampled_from(paths))
    target: Any = signed
    for step in path[:-1]:
        target = target[step]
    old = target[path[-1]]
    target[path[-1]] = (old + "x") if isinstance(old, str) else "changed"
    keys = TrustedKeys(frozenset({MULTIKEY}))
    with pytest.raises(ProofProblem):
        verify_proof(signed, keys.resolve)


@given(st.sets(st.integers(0, 131_071), max_size=50))
def test_status_bits_are_set_exactly_where_revoked(revoked: set[int]) -> None:
    bits = decode_list(encode_list(revoked))
    assert len(bits) == 16_384
    probes = revoked | {0, 7, 8, 131_071}
    assert {i for i in probes if bit(bits, i)} == revoked


def test_bit_zero_is_the_first_bytes_most_significant_bit() -> None:
    assert decode_list(encode_list({0, 9}))[:2] == bytes([0b1000_0000, 0b0100_0000])


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.one_of(st.binary(max_size=200), JSON.map(lambda v: json.dumps(v).encode())))
def test_any_input_gets_a_verdict_never_an_exception(raw: bytes) -> None:
    from hemis.competency.credentials.verify import Verdict, verify

    outcome = verify(raw, TrustedKeys(frozenset({MULTIKEY})), None, dt.datetime(2026, 1, 1))
    assert outcome.verdict in set(Verdict) - {Verdict.valid}


@given(st.data())
def test_a_signed_credential_with_any_member_changed_is_never_valid(data: st.DataObject) -> None:
    from hemis.competency.credentials.verify import Verdict, verify

    doc = add_proof(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://hemis.example/credentials/issuer"},
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {
                "result": [{"value": "NC1", "alignment": [{"targetCode": "1.1"}]}]
            },
            "credentialStatus": {
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "7",
                "statusListCredential": "https://hemis.example/credentials/status/1",
            },
        },
        KEY,
        f"https://hemis.example/credentials/issuer#{MULTIKEY}",
        dt.datetime(2026, 1, 1),
    )
    keys, now = TrustedKeys(frozenset({MULTIKEY})), dt.datetime(2026, 6, 1, tzinfo=dt.UTC)

    def not_revoked(url: str, index: int, credential: str) -> bool:
        return False

    assert verify(json.dumps(doc), keys, not_revoked, now).verdict is Verdict.valid
    paths = [p for p in _leaves(doc) if p[0] != "proof"]
    path = data.draw(st.sampled_from(paths))
    target: Any = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = data.draw(JSON.filter(lambda v: v != target[path[-1]]))
    assert verify(json.dumps(doc), keys, not_revoked, now).verdict is not Verdict.valid
