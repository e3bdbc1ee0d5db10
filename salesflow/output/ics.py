"""iCalendar output (icalendar package, imported here only)."""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

from salesflow.output.emit import write_text


def write_ics(calendar: Any, out: Path | None) -> None:
    """`calendar` is an app.calendar.Calendar."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//salesflow//due//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", calendar.name)
    for e in calendar.events:
        event = icalendar.Event()
        event.add("uid", e.uid)
        event.add("dtstamp", calendar.now.astimezone(timezone.utc))  # local wall clock → UTC, as RFC 5545 asks
        if e.at is not None:
            event.add("dtstart", e.at)
            event.add("dtend", e.at + timedelta(minutes=30))
        else:
            event.add("dtstart", e.day)
            event.add("dtend", e.day + timedelta(days=1))
        event.add("summary", e.summary)
        event.add("description", e.description)
        cal.add_component(event)
    write_text(cal.to_ical().decode("utf-8"), out)
