"""Office hours: when a peer can be expected to pick up a hand-off.

Written like "Mon-Fri 09:00-17:00; Sat 10:00-14:00" in a named timezone, or
"always". Parsed once into `OfficeHours`, checked with aware datetimes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peerpath.errors import ConfigError

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SPAN = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)


@dataclass(frozen=True)
class Span:
    days: frozenset[int]
    start: dt.time
    end: dt.time


def _time(text: str, key: str) -> dt.time:
    hour, minute = (int(part) for part in text.split(":"))
    if hour == 24 and minute == 0:
        return dt.time.max
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ConfigError(key, "times must look like 09:00 or 17:30")
    return dt.time(hour, minute)


@dataclass(frozen=True)
class OfficeHours:
    """When peers are on, in `zone`."""

    spans: tuple[Span, ...]
    zone: ZoneInfo
    always: bool = False
    text: str = ""

    @classmethod
    def parse(cls, text: str, zone: str, key: str = "HANDOFF_HOURS") -> OfficeHours:
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError("HANDOFF_TIMEZONE", "is not a known timezone name") from None
        cleaned = text.strip().lower()
        if cleaned in {"always", "24/7"}:
            return cls((), tz, always=True, text="any time")
        spans = []
        for part in filter(None, (p.strip() for p in cleaned.split(";"))):
            match = SPAN.match(part)
            if not match or match["first"] not in DAYS or (match["last"] or "mon") not in DAYS:
                raise ConfigError(key, 'write spans like "Mon-Fri 09:00-17:00; Sat 10:00-14:00"')
            first = DAYS.index(match["first"])
            last = DAYS.index(match["last"]) if match["last"] else first
            days = (
                frozenset(range(first, last + 1))
                if first <= last
                else frozenset([*range(first, 7), *range(0, last + 1)])
            )
            start, end = _time(match["start"], key), _time(match["end"], key)
            if end <= start:
                raise ConfigError(key, "each span must end after it starts")
            spans.append(Span(days, start, end))
        if not spans:
            raise ConfigError(key, 'set office hours, e.g. "Mon-Fri 09:00-17:00", or "always"')
        return cls(tuple(spans), tz, text=text.strip())

    def is_open(self, when: dt.datetime) -> bool:
        if self.always:
            return True
        local = when.astimezone(self.zone)
        return any(
            local.weekday() in span.days and span.start <= local.time() < span.end
            for span in self.spans
        )

    def next_opening(self, when: dt.datetime) -> dt.datetime | None:
        """The next time peers are on (None when they are on now, or always)."""
        if self.always or self.is_open(when):
            return None
        local = when.astimezone(self.zone)
        for offset in range(8):
            day = (local + dt.timedelta(days=offset)).date()
            starts = sorted(
                dt.datetime.combine(day, span.start, self.zone)
                for span in self.spans
                if day.weekday() in span.days
            )
            for start in starts:
                if start > local:
                    return start
        return None

    def describe_next(self, when: dt.datetime) -> str:
        """'Monday at 9:00 AM' (or 'today at ...', 'tomorrow at ...'), in the hours' zone."""
        nxt = self.next_opening(when)
        if nxt is None:
            return "now"
        local = when.astimezone(self.zone)
        delta = (nxt.date() - local.date()).days
        day = "today" if delta == 0 else "tomorrow" if delta == 1 else DAY_NAMES[nxt.weekday()]
        clock = nxt.strftime("%I:%M %p").lstrip("0")
        return f"{day} at {clock} ({self.zone.key.split('/')[-1].replace('_', ' ')} time)"
