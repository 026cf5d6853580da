"""Use cases of the integrations that a person performs (the sync jobs are in sync.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from hemis.db.tenancy import get_scope
from hemis.errors import Conflict, NotFound
from hemis.integrations.codes import LinkMethod, LinkStatus
from hemis.integrations.models import PersonLink


def decide_link(session: Session, link_id: int, accept: bool) -> PersonLink:
    """A clerk's decision on a link in the review queue; it is kept by later linkage runs."""
    link = session.get(PersonLink, link_id)
    if link is None:
        raise NotFound("person_link", link_id)
    if link.status != LinkStatus.review.value:
        raise Conflict(
            "Liên kết này không ở hàng chờ xem xét.",
            "This link is not in the review queue.",
            code="link_not_in_review",
        )
    link.method = LinkMethod.clerical.value
    link.status = (LinkStatus.linked if accept else LinkStatus.rejected).value
    link.decided_by = get_scope(session).actor
    link.decided_at = dt.datetime.now(dt.UTC)
    session.commit()
    return link
