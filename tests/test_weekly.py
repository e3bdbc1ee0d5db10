"""`report weekly`: week bucketing, sparklines, and the whole page as a reviewed golden file."""

from __future__ import annotations

from datetime import date, datetime
from html.parser import HTMLParser

import pytest

from conftest import at, check_golden

from salesflow.domain.weekly import sparkline, weeks


def test_weeks_start_on_monday_and_bucket_each_number():
    today = date(2026, 11, 25)  # a Wednesday; this week starts Monday 11-23
    table = weeks(today, 3, created=[datetime(2026, 11, 23, 9), datetime(2026, 11, 22, 23, 59), datetime(2026, 11, 9)],
                  valid=[datetime(2026, 11, 24)],
                  won=[(datetime(2026, 11, 17), datetime(2026, 11, 7), 500), (datetime(2026, 11, 18), datetime(2026, 11, 16), 100)])
    assert [w.start.isoformat() for w in table] == ["2026-11-09", "2026-11-16", "2026-11-23"]
    assert [(w.new_leads, w.valid_leads, w.lead_to_opportunity, w.avg_cycle_days, w.won_amount) for w in table] == [
        (1, 0, 0.0, None, 0), (1, 0, 0.0, 6.0, 600), (1, 1, 1.0, None, 0)]


def test_sparkline():
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([5, 5, 5]) == "▁▁▁"
    assert sparkline([None, 0, 10]) == "·▁█"
    assert sparkline([None, None]) == "··"


@pytest.fixture
def month(team):
    at(team, "2026-10-26T09:00")
    for i, owner in enumerate(("wang", "wang", "zhao", None)):
        extra = ["--owner", owner] if owner else []
        team.ok("lead", "add", f"客户{i}", "--contact", "c", "--email", f"{i}@x.cn", "--source", "web", *extra)
    at(team, "2026-11-03T10:00")
    team.ok("set", "1", "need=x", "budget=y", "decision_maker=z", "amount=12万", "close=2026-12-01")
    team.ok("advance", "1", "qualified")
    team.ok("advance", "1", "proposal")
    team.ok("touch", "1", "--kind", "quote", "--did", "confirm-decision-maker")
    at(team, "2026-11-10T10:00")
    team.ok("advance", "1", "negotiation")
    team.ok("touch", "1", "--kind", "meeting", "--note", "签约")
    team.ok("win", "1")
    team.ok("lose", "2", "--reason", "price")
    at(team, "2026-11-18T10:00")
    team.ok("touch", "3", "--kind", "call", "--note", "下周再约")
    return at(team, "2026-11-23T08:30")


def test_weekly_markdown_golden(month):
    check_golden("weekly.md", month.ok("report", "weekly").out)


def test_weekly_markdown_in_chinese(month):
    out = month.ok("report", "weekly", "--lang", "zh").out
    assert out.startswith("# 销售周报 — 2026 W48")
    for heading in ("## 关键指标", "## 停滞商机（按阶段）", "## 销售健康度", "## 逾期最紧急", "## 本月与下月预测"):
        assert heading in out


def test_weekly_html_is_a_page(month, tmp_path):
    target = tmp_path / "weekly.html"
    month.ok("report", "weekly", "-f", "html", "-o", str(target))
    text = target.read_text(encoding="utf-8")

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.headings, self._in = [], [], None

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            self._in = tag

        def handle_endtag(self, tag):
            self._in = None

        def handle_data(self, data):
            if self._in == "h2":
                self.headings.append(data)

    page = Collect()
    page.feed(text)
    assert page.headings == ["Dashboard", "Key numbers", "Stuck by stage", "Health", "Top overdue", "Forecast: this month and next",
                             "Activity: is the process worked?"]
    assert page.tags.count("table") == 7 and '<meta charset="utf-8">' in text
    assert "客户0" in text or "客户2" in text
