"""Helpers of the page tests: users, a small registry, and logging in through the real form."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.accounts import passwords
from hemis.accounts.models import User
from hemis.accounts.passwords import hash_password
from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.models import Institution
from tests import factories

PASSWORD = "mat-khau-thu-nghiem-1"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# Learner names, shuffled; their Vietnamese order (by given name, then middle, then family) is
# LEARNERS_IN_ORDER, which differs from the order of the folded full names.
LEARNERS_IN_ORDER = [
    "Nguyễn Văn An",
    "Phạm Văn An",
    "Lê Thị Ánh",
    "Đặng Văn Bình",
    "Nguyễn Văn Dũng",
    "Trần Văn Đức",
]
LEARNERS_SHUFFLED = [LEARNERS_IN_ORDER[i] for i in (5, 2, 4, 0, 3, 1)]
STAFF_IN_ORDER = ["Hoàng Thị Hà", "Đỗ Minh Hải", "Vũ Văn Hải", "Bùi Thị Lan"]


@dataclass(frozen=True)
class Registry:
    bk_id: int  # Đại học Bách khoa Hà Nội: programs, learners, staff
    ktqd_id: int  # Trường Đại học Kinh tế Quốc dân: one learner
    private_id: int  # a private university in another province


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no csrf_token field in the page"
    return found.group(1)


def hidden_fields(html: str, action: str) -> dict[str, str]:
    """The hidden inputs of the form posting to `action`, as a browser would send them."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action}"
    hidden = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(1))
    return dict(hidden)


@lru_cache(maxsize=4)
def _password_hash_with(_parameters: tuple[int, int, int]) -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash the test password once


def _password_hash() -> str:
    """PASSWORD hashed by the hasher in use (some fixtures swap in a cheap one): a hash made by
    another hasher would be rehashed, and audited, at the first login."""
    hasher = passwords._hasher
    return _password_hash_with((hasher.time_cost, hasher.memory_cost, hasher.parallelism))


def make_user(
    sessions: sessionmaker[HemisSession],
    username: str,
    role: Role,
    institution_code: str | None = None,
    display_name: str | None = None,
    *,
    signatory: bool = False,
) -> None:
    """A user whose password is PASSWORD (inserted directly; create_user has its own tests)."""
    with scoped_session(sessions, Scope.system("test")) as session:
        institution_id = None
        if institution_code:
            institution_id = session.scalar(
                select(Institution.id).where(Institution.moet_code == institution_code)
            )
            assert institution_id is not None, institution_code
        session.add(
            User(
                username=username,
                display_name=display_name or username,
                password_hash=_password_hash(),
                role=role.value,
                institution_id=institution_id,
                is_active=True,
                signatory=signatory,
            )
        )
        session.commit()


def seed_registry(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> Registry:
    with scoped_session(sessions, Scope.system("test")) as s:
        bk = factories.institution(s, "BKA", name_vi="Đại học Bách khoa Hà Nội")
        ktqd = factories.institution(s, "KHA", name_vi="Trường Đại học Kinh tế Quốc dân")
        private = factories.institution(s, "DTT", name_vi="Trường Đại học Tư thục Phương Nam")
        private.ownership, private.province_code, private.province_code_63 = "private", "079", "079"
        bk.province_code = ktqd.province_code = "001"
        s.flush()
        prog = factories.program(s, bk, "CNTT1", name_vi="Công nghệ thông tin")
        factories.program(s, bk, "KTDT1", name_vi="Kỹ thuật điện tử", level="master")
        for n, name in enumerate(LEARNERS_SHUFFLED):
            who = factories.person(s, cipher, f"0010990{n:05d}", name, "male", dt.date(2004, 1, 2))
            factories.learner(s, prog, who, f"BK{n:03d}")
        for n, name in enumerate(STAFF_IN_ORDER[::-1]):
            who = factories.person(s, cipher, f"0010800{n:05d}", name, "female")
            factories.staff(s, bk, who, f"GV{n:03d}")
        kprog = factories.program(s, ktqd, "QTKD1", name_vi="Quản trị kinh doanh")
        other = factories.person(s, cipher, "001099999999", "Ngô Thị Khác", "female")
        factories.learner(s, kprog, other, "KT001")
        s.commit()
        return Registry(bk.id, ktqd.id, private.id)


def login(
    client: TestClient, username: str, password: str = PASSWORD, next_path: str = "/"
) -> Response:
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_of(page.text),
            "next": next_path,
        },
        follow_redirects=False,
    )
