"""The VNPay 2.1.0 protocol, pure: signatures round-trip, any tamper fails, parameter order does
not matter, amounts are đồng × 100, and the IPN answers are the protocol's."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from hemis.payments.gateways import momo, vnpay

SECRET = "test-secret-0123456789"
names = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12
).map(lambda s: f"vnp_{s}")
values = st.text(min_size=1, max_size=30).filter(lambda v: "\x00" not in v)
params_strategy = st.dictionaries(names, values, min_size=1, max_size=12).filter(
    lambda d: vnpay.HASH_FIELD not in d and vnpay.HASH_TYPE_FIELD not in d
)


@given(params_strategy)
def test_sign_then_verify_round_trips(params: dict[str, str]) -> None:
    assert vnpay.verify(vnpay.signed(params, SECRET), SECRET)


@given(params_strategy, st.randoms())
def test_parameter_order_does_not_change_the_signature(
    params: dict[str, str], rnd: random.Random
) -> None:
    items = list(params.items())
    rnd.shuffle(items)
    assert vnpay.sign(dict(items), SECRET) == vnpay.sign(params, SECRET)


@given(params_strategy, st.data())
def test_any_single_character_tamper_fails(params: dict[str, str], data: st.DataObject) -> None:
    message = vnpay.signed(params, SECRET)
    name = data.draw(st.sampled_from(sorted(message)))
    value = message[name]
    at = data.draw(st.integers(0, len(value) - 1))
    replacement = data.draw(st.characters(codec="utf-8").filter(lambda c: c != value[at]))
    tampered = dict(message)
    tampered[name] = value[:at] + replacement + value[at + 1 :]
    assert not vnpay.verify(tampered, SECRET)


@given(params_strategy)
def test_another_secret_or_no_hash_fails(params: dict[str, str]) -> None:
    message = vnpay.signed(params, SECRET)
    assert not vnpay.verify(message, SECRET + "x")
    assert not vnpay.verify({k: v for k, v in message.items() if k != vnpay.HASH_FIELD}, SECRET)


@given(st.integers(0, 10**12))
def test_amount_is_dong_times_100(dong: int) -> None:
    assert vnpay.to_vnp_amount(dong) == str(dong * 100)
    assert vnpay.from_vnp_amount(vnpay.to_vnp_amount(dong)) == dong


def test_fractional_or_malformed_amounts_are_refused() -> None:
    assert vnpay.from_vnp_amount("1500050") is None
    assert vnpay.from_vnp_amount("-100") is None
    assert vnpay.from_vnp_amount("") is None


def test_canonical_string_is_sorted_url_encoded_and_skips_hash_and_empties() -> None:
    params = {
        "vnp_TxnRef": "42",
        "vnp_Amount": "1500000",
        "vnp_OrderInfo": "Lệ phí xét tuyển 2025",
        "vnp_BankCode": "",
        "vnp_SecureHash": "ignored",
        "other": "ignored",
    }
    assert vnpay.canonical(params) == (
        "vnp_Amount=1500000&vnp_OrderInfo=L%E1%BB%87+ph%C3%AD+x%C3%A9t+tuy%E1%BB%83n+2025"
        "&vnp_TxnRef=42"
    )


def test_pay_url_carries_every_field_and_a_valid_signature() -> None:
    req = vnpay.PayRequest(
        tmn_code="HEMISDEV",
        txn_ref="123",
        amount=15_000 * 3,
        order_info="Le phi",
        return_url="http://127.0.0.1:8000/payments/return",
        ip_addr="127.0.0.1",
        create_date="20250729080000",
        expire_date="20250729081500",
    )
    url = vnpay.pay_url("http://gw/paymentv2/vpcpay.html", req, SECRET)
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["vnp_Amount"] == "4500000"
    assert query["vnp_Version"] == "2.1.0"
    assert query["vnp_Command"] == "pay"
    assert vnpay.verify(query, SECRET)


def test_ipn_answers_are_the_protocol_codes() -> None:
    assert vnpay.ipn_answer(vnpay.RspCode.ok) == {"RspCode": "00", "Message": "Confirm Success"}
    assert {c.value for c in vnpay.RspCode} == {"00", "01", "02", "04", "97", "99"}


def test_pipe_signature_of_merchant_api_calls() -> None:
    body = {name: f"v{i}" for i, name in enumerate(vnpay.QUERY_FIELDS)}
    body[vnpay.HASH_FIELD] = vnpay.sign_pipe(body, vnpay.QUERY_FIELDS, SECRET)
    assert vnpay.verify_pipe(body, vnpay.QUERY_FIELDS, SECRET)
    assert not vnpay.verify_pipe(body | {"vnp_TxnRef": "other"}, vnpay.QUERY_FIELDS, SECRET)


@given(st.dictionaries(st.sampled_from(momo.IPN_FIELDS), st.text(max_size=20)))
def test_momo_hmac_sha256_round_trip_and_tamper(params: dict[str, str]) -> None:
    message = params | {"signature": momo.sign(params, SECRET)}
    assert momo.verify(message, SECRET)
    assert len(message["signature"]) == 64  # SHA-256, hex
    assert not momo.verify(message | {"amount": params.get("amount", "") + "1"}, SECRET)
