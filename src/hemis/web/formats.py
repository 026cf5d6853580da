"""Numbers, percentages, dates and times as the page's reader writes them.

Vietnamese: "13.029", "24,75", "40,5 %"; English: "13,029", "24.75", "40.5%". Every date and time
is shown in Vietnam's time zone (Asia/Ho_Chi_Minh, UTC+7): a moment stored in UTC at 20:00 on the
1st is the 2nd in Hà Nội. Templates reach these through the filters that templating.py installs;
charts get the same conventions from the page's language (indicators.js)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Number = int | float | Decimal


def number(value: Number | None, digits: int = 0, lang: str = "vi", empty: str = "—") -> str:
    """`value` with `digits` decimals and grouped thousands in the reader's convention."""
    if value is None:
        return empty
    text = f"{value:,.{digits}f}"
    if lang == "en":
        return text
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent(value: Number | None, digits: int = 1, lang: str = "vi", empty: str = "—") -> str:
    """A percentage given in percent (40.5 → "40,5 %"); Vietnamese puts a space before the sign."""
    if value is None:
        return empty
    shown = number(value, digits, lang)
    return f"{shown}%" if lang == "en" else f"{shown} %"


def in_vietnam(moment: dt.datetime) -> dt.datetime:
    """The moment in Vietnam's time; a naive value is taken as UTC (how the database keeps it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VN_TZ)


def date(value: dt.date | dt.datetime | None, empty: str = "") -> str:
    """dd/mm/yyyy; of a moment, the day it is in Vietnam."""
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        value = in_vietnam(value).date()
    return value.strftime("%d/%m/%Y")


def date_time(moment: dt.datetime | None, empty: str = "—", seconds: bool = False) -> str:
    """HH:MM dd/mm/yyyy in Vietnam's time."""
    if moment is None:
        return empty
    return in_vietnam(moment).strftime("%H:%M:%S %d/%m/%Y" if seconds else "%H:%M %d/%m/%Y")
