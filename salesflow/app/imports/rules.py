"""The import's rules: one row of another system's file → a checked `Draft`, by pure functions.

Each rule takes literal values and the `Plan` and returns values (or raises `Problem` / `Unknown`);
none reads the database, so each is tested with a literal row. The order a row goes through them:
status and stage (`status_and_stage`), the dates the file gives and the ones it does not
(`close_times`), the stage history (domain.history), the lost reason, the amount, the contact fields,
and the key that makes a re-import idempotent (`row_key`). What a rule had to assume is counted in
`warn`, which the summary prints.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from salesflow.app.currency import in_currency
from salesflow.app.imports.common import Problem, Unknown
from salesflow.app.imports.plan import Plan, Stages
from salesflow.domain.errors import BadInput
from salesflow.domain.history import History, lost_reason, stage_history
from salesflow.domain.money import currency_code, is_currency, split_currency
from salesflow.domain.text import clean_text, name_key, normalise_email
from salesflow.domain.vocabulary import GRADES, UNKNOWN_REASON
from salesflow.ingest.files import normalise_header
from salesflow.ingest.values import import_amount, import_datetime, import_phone
from salesflow.i18n import _

Row = dict[str, str]  # field -> the stripped cell ("" when empty; a field the file does not map is absent)


@dataclass(frozen=True, slots=True)
class Draft:
    """One row, checked and converted; the writer gives it ids. Times are ISO text, as stored."""

    key: str                        # idempotence: id:N, the file's external id, or row:HASH
    deal_id: int | None             # this database's id (a salesflow export), else None
    title: str
    owner: str | None               # a known rep's handle
    new_owner: str | None           # an owner to create (--create-reps)
    pipeline: str
    stage: str
    status: str
    amount: int
    close_date: str | None
    source: str | None
    next_followup: str | None
    created_at: str
    stage_entered_at: str
    progressed_at: str | None
    closed_at: str | None
    lost_reason: str | None
    lost_from_stage: str | None
    external_id: str | None
    fields: str                     # JSON object
    history: str | None             # 'unknown' when the file does not say how far a lost deal got
    guessed: str | None             # 'created', 'closed' or 'created closed': times the file did not give
    last_activity_at: str | None    # the last activity the file records (counts as a touch then)
    review_from: str | None         # an open deal the file gives no activity for: due for review from now
    entry: str                      # the open stage the deal reached
    events: tuple[tuple[str | None, str, str], ...]  # (from, to, at) of its stage history
    customer: str | None
    customer_key: str | None        # name_key(customer)
    grade: str | None
    industry: str | None
    contact: str | None
    phone: str | None
    email: str | None


def draft(get: Row, plan: Plan, reps: dict[str, str], warn: Counter) -> Draft | None:
    """The deal a row describes, or None for a row the file marks deleted (a `skip` status).
    `reps`: normalised display name or handle -> handle, the reps known so far."""
    stages = _pipeline(get.get("pipeline"), plan)
    p = stages.pipeline
    unknown: list[tuple[str, str]] = []
    try:
        status, stage = status_and_stage(get.get("status"), get.get("stage"), stages, plan.statuses)
    except Unknown as stage_unknown:  # said together with an unknown owner of the same row
        unknown.extend(stage_unknown.pairs)
        status, stage = "open", None
    if status == "skip":
        warn[_("skipped: deleted in the source system")] += 1
        return None
    owner_raw = get.get("owner")
    owner = owner_of(owner_raw, reps)
    if owner_raw and owner is None and not plan.create_reps:
        unknown.append(("owner", owner_raw))
    try:  # a currency without a rate is listed with the row's other unknowns: one pass fixes them all
        amount, original = amount_of(get.get("amount"), get.get("currency"), plan)
    except Unknown as currency:
        unknown.extend(currency.pairs)
    if unknown:
        raise Unknown(*unknown)
    fmt = plan.date_format
    created_raw = get.get("created_at")
    close_raw = get.get("close_date")
    closed_raw = get.get("closed_at")
    created = import_datetime(created_raw, fmt) if created_raw else None
    close = import_datetime(close_raw, fmt).date() if close_raw else None
    closed = import_datetime(closed_raw, fmt) if closed_raw and status != "open" else None
    created, closed, guessed = close_times(status, created, close, closed, plan.now, warn,
                                           created_raw=created_raw, closed_raw=closed_raw or close_raw)
    entered = entered_dates(get, plan, stages)
    open_stage = stage if stage is not None and stage in stages.opens else None
    if status == "open" and not entered:  # the common row, without the general rule's work (a million rows)
        h = History([(None, open_stage or stages.first, created)], open_stage or stages.first, None, True)
        progressed = None
    else:
        h = stage_history(p, status=status, stage=open_stage, entered=entered, created=created, closed=closed)
        progressed = max((at for f, t, at in h.events if f is not None and p.is_progress(f, t)), default=None)
    if not h.known:
        warn[_("lost without saying how far it got: history unknown (left out of stage-reach reports)")] += 1
    reason = reason_of(get.get("lost_reason"), stages, warn) if status == "lost" else None
    last_raw = get.get("last_activity")
    last = import_datetime(last_raw, fmt) if last_raw else None
    if last is not None and last > plan.now:
        raise Problem(_("last activity date {last_raw!r} is in the future").format(last_raw=last_raw))
    if last is not None and last < created:
        last = created
        warn[_("last activity before the deal was created: counted from the created date")] += 1
    customer = clean_text(get.get("customer"), "customer", max_len=200)
    title = clean_text(get.get("title"), "title", max_len=200)
    external = clean_text(get.get("external_id"), _("external id"), max_len=200)
    contact = clean_text(get.get("contact"), "contact", max_len=100)
    phone_raw = get.get("phone")
    phone = import_phone(clean_text(phone_raw, "phone", max_len=64), plan.region) if phone_raw else None
    email = email_of(get.get("email"), warn)
    grade = grade_of(get.get("grade"))
    if customer is None:
        warn[_("no customer: imported without one")] += 1
    if title is None:
        title = customer or (f"deal {external}" if external else "(untitled)")
    deal_id = deal_id_of(get.get("deal_id"))
    key = row_key(deal_id, external, customer, contact, title, created_raw)
    follow_raw = get.get("next_followup")
    follow = import_datetime(follow_raw, fmt) if follow_raw and status == "open" else None
    fields = fields_of(get) | original
    return Draft(
        key=key, deal_id=deal_id, title=title, owner=owner, new_owner=owner_raw if owner_raw and owner is None else None, pipeline=p.key,
        stage=h.entry if status == "open" else stages.closed[status], status=status, amount=amount,
        close_date=close.isoformat() if close else None,
        source=clean_text(get.get("source"), "source", max_len=100), next_followup=_iso(follow),
        created_at=_iso(created), stage_entered_at=_iso(h.events[-1][2]), progressed_at=_iso(progressed),
        closed_at=_iso(closed), lost_reason=reason, lost_from_stage=h.lost_from,
        external_id=external if deal_id else key,
        fields=json.dumps(fields, ensure_ascii=False, sort_keys=True) if fields else "{}",
        history=None if h.known else "unknown", guessed=guessed, entry=h.entry, last_activity_at=_iso(last),
        review_from=_iso(plan.now) if status == "open" and last is None else None,
        events=tuple((f, t, _iso(at)) for f, t, at in h.events),
        customer=customer, customer_key=name_key(customer) if customer else None, grade=grade,
        industry=clean_text(get.get("industry"), "industry", max_len=100), contact=contact, phone=phone, email=email)


# --------------------------------------------------------------------------------------------------
# the rules


def _pipeline(raw: str | None, plan: Plan) -> Stages:
    if not raw:
        return plan.pipelines[plan.default_pipeline]
    key = plan.pipeline_words.get(normalise_header(raw))
    if key is None:
        raise Unknown(("pipeline", raw))
    return plan.pipelines[key]


def owner_of(raw: str | None, reps: dict[str, str]) -> str | None:
    """A rep's handle from an owner cell, by display name or handle (None: not a rep yet)."""
    if not raw:
        return None
    return reps.get(normalise_header(raw)) or reps.get(raw)


def status_and_stage(status_raw: str | None, stage_raw: str | None, stages: Stages,
                     statuses: dict[str, str]) -> tuple[str, str | None]:
    """(open | won | lost | skip, the stage key the row names or None). A won or lost stage gives the
    status; a status that contradicts it is a problem. A status column and a stage column may both be
    mapped to `stage` (--map Stage=stage --map Status=stage): the first non-empty one names it."""
    status = None
    if status_raw:
        status = statuses.get(normalise_header(status_raw))
        if status is None:
            raise Unknown(("status", status_raw))
        if status == "skip":
            return status, None
    stage = None
    if stage_raw:
        stage = stages.words.get(normalise_header(stage_raw))
        if stage is None:
            raise Unknown(("stage", stage_raw))
        kind = "open" if stage in stages.opens else ("won" if stage == stages.closed["won"] else "lost")
        if kind != "open":
            if status not in (None, kind):
                raise Problem(_("stage {stage_raw!r} is {kind} but status {status_raw!r} says {status}").format(stage_raw=stage_raw, kind=kind, status_raw=status_raw, status=status))
            status = kind
    return status or "open", stage


def close_times(status: str, created: datetime | None, close: date | None, closed: datetime | None,
                now: datetime, warn: Counter, *, created_raw: str | None = None,
                closed_raw: str | None = None) -> tuple[datetime, datetime | None, str | None]:
    """(created, closed, guessed). A time the file does not give is filled in (the columns are never empty)
    and marked as guessed, so that no period report places the deal by it."""
    closed_guessed = status != "open" and closed is None
    if closed_guessed:
        if close is not None:
            closed = datetime.combine(close, datetime.min.time())
            warn[_("won/lost without a close time: closed at the expected close date (in no period)")] += 1
        else:
            closed = now
            warn[_("won/lost without a close date: closed now (in no period)")] += 1
    created_guessed = created is None
    if created is None:
        created = closed or (datetime.combine(close, datetime.min.time()) if close and close <= now.date() else now)
        warn[_("no created date: used the close date, else now (in no period)")] += 1
    if created > now:
        raise Problem(_("created date {created_raw!r} is in the future (now is {replace})").format(created_raw=created_raw, replace=now.isoformat(timespec='minutes').replace('T', ' ')))
    if closed is not None:
        if closed > now:
            raise Problem(_("close date {closed_raw!r} of a {status} deal is in the future").format(closed_raw=closed_raw, status=status))
        if closed < created:
            created = closed
            warn[_("closed before it was created: created date set to the close date")] += 1
    guessed = " ".join(g for g, yes in (("created", created_guessed), ("closed", closed_guessed)) if yes) or None
    return created, closed, guessed


def entered_dates(get: Row, plan: Plan, stages: Stages) -> dict[str, datetime]:
    """Open stage key -> the date the row says the deal entered it (the entered:STAGE columns)."""
    entered = {}
    for target, word in plan.entered:
        raw = get.get(target)
        if raw:
            key = stages.words.get(normalise_header(word))
            if key is None or key not in stages.opens:
                raise Problem(_("{target}: {word!r} is not an open stage of pipeline {key}").format(target=target, word=word, key=stages.pipeline.key))
            entered[key] = import_datetime(raw, plan.date_format)
    return entered


def reason_of(raw: str | None, stages: Stages, warn: Counter) -> str:
    """A lost row's reason key: its wording through the pipeline's words and --reason-map; none → unknown."""
    text = clean_text(raw, _("lost reason"), max_len=500)
    reason, recognised = lost_reason(stages.reasons, text)
    if not recognised:
        raise Unknown((_("lost reason"), text))
    if reason == UNKNOWN_REASON:
        warn[_("lost without a reason: reason 'unknown' (kept apart from 'other')")] += 1
    return reason


def amount_of(raw: str | None, currency_raw: str | None, plan: Plan) -> tuple[int, dict[str, str]]:
    """The amount in the database's currency, and the fields keeping the original when it was converted.
    The currency is the row's currency column, else a mark in the amount (`$12,000`, `USD 12000`, `12万元`);
    one the database does not count in needs a rate (--rate, config set rate.X): without one the value is
    unknown, and the import lists every such currency."""
    code = plan.amount_currency
    if currency_raw:
        column = currency_code(currency_raw)
        if column is None or not _is_currency(column):
            raise Problem(_("currency {currency_raw!r} is not a currency code").format(currency_raw=currency_raw), hint=_("e.g. CNY, USD, EUR, 人民币, 美元"))
        if code is not None and column != code:
            raise Problem(_("currency {currency_raw!r} but the amount column's header says {code}").format(currency_raw=currency_raw, code=code))
        code = column
    if not raw:
        return 0, {}
    text = raw
    if not raw.isdigit():
        marked, text = split_currency(raw)
        if marked is not None and code is not None and marked != code:
            raise Problem(_("amount {raw!r} is in {marked} but the {value} says {code}").format(raw=raw, marked=marked, value='currency column' if currency_raw else 'header', code=code))
        if marked is not None and not _is_currency(marked):
            raise Problem(_("amount {raw!r}: {marked} is not a currency code").format(raw=raw, marked=marked), hint=_("e.g. CNY, USD, EUR"))
        code = code or marked
        if plan.unit and _OWN_UNIT.search(text):
            raise Problem(_("amount {raw!r} has a unit of its own, and the column's header already multiplies by {unit:,}").format(raw=raw, unit=plan.unit),
                          hint=_("write plain numbers under a header like 金额(万元)"))
    minor = import_amount(text, plan.unit)
    cur = plan.currency
    if code is not None and code != cur.code and code not in cur.rates:
        raise Unknown(("currency", code))
    return in_currency(minor, code, cur, raw)


_OWN_UNIT = re.compile(r"[万千亿kmw]", re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def _is_currency(code: str) -> bool:
    return is_currency(code)


def email_of(raw: str | None, warn: Counter) -> str | None:
    if not raw:
        return None
    try:
        return normalise_email(raw)
    except BadInput:
        warn[_("email that does not look like an address: kept as written")] += 1
        return clean_text(raw, "email", max_len=320)


def grade_of(raw: str | None) -> str | None:
    grade = raw.strip().upper()[:1] if raw else None
    if grade is not None and grade not in GRADES:
        raise Problem(_("grade {raw!r} is not A, B or C").format(raw=raw))
    return grade


def deal_id_of(raw: str | None) -> int | None:
    if not raw:
        return None
    digits = raw.lstrip("#")
    if not digits.isdigit() or int(digits) == 0:
        raise Problem(_("deal id {raw!r} is not a deal id").format(raw=raw))
    return int(digits)


def row_key(deal_id: int | None, external: str | None, customer: str | None, contact: str | None, title: str,
            created_raw: str | None) -> str:
    """What makes a re-import find the deal it made: this database's id, else the file's own id, else a
    hash of what the row says about the deal (its customer, contact, title and created date)."""
    if deal_id:
        return f"id:{deal_id}"
    if external:
        return external
    text = "\x1f".join(x or "" for x in (customer, contact, title, created_raw))
    return "row:" + hashlib.sha1(text.encode()).hexdigest()[:16]


def fields_of(get: Row) -> dict[str, str]:
    """Process fields: a `fields` JSON object (our own export) and fields.KEY columns."""
    fields: dict[str, str] = {}
    raw = get.get("fields")
    if raw and raw != "{}":
        try:
            loaded = json.loads(raw)
        except ValueError:
            loaded = None
        if not isinstance(loaded, dict):
            raise Problem(_("fields {raw!r} is not a JSON object").format(raw=raw[:40]))
        fields.update({str(k): str(v) for k, v in loaded.items() if v not in (None, "")})
    for name, value in get.items():
        if name.startswith("fields.") and value:
            value = clean_text(value, name, max_len=2000)
            if value:
                fields[name.split(".", 1)[1]] = value
    return fields


def _iso(moment: datetime | None) -> Any:
    """The times a file gave (whole seconds already) as stored text: the hot path of a million-row import."""
    return None if moment is None else moment.isoformat(timespec="seconds")
