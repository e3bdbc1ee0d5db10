"""Creating a database and managing its pipelines (`init`, `pipeline show|export|load`)."""

from __future__ import annotations

import math
import sqlite3
import tomllib
import uuid
from importlib.resources import files
from pathlib import Path

from salesflow.app.context import Act, writes
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput, NotFound, Refused
from salesflow.domain.money import DEFAULT_CURRENCY
from salesflow.domain.pipeline import Pipeline, parse_pipeline_toml
from salesflow.output import labels
from salesflow.output.report import Column, Report
from salesflow.store import changes, dialect
from salesflow.store import pipelines as store
from salesflow.store.changes import Cmd
from salesflow.store.backend import open_database
from salesflow.i18n import N_, _


def template_names() -> list[str]:
    return sorted(p.name[:-5] for p in files("salesflow.templates").iterdir() if p.name.endswith(".toml"))


def template_source(name: str) -> str:
    if name not in template_names():
        raise NotFound(_("no template {name!r}").format(name=name), hint=_("templates: ") + ", ".join(template_names()))
    return files("salesflow.templates").joinpath(f"{name}.toml").read_text(encoding="utf-8")


def init_db(path: Path | str, template: str, act: Act, *, fresh: bool = False, currency: str | None = None) -> list[str]:
    """Create the database — an SQLite file, or the schema in a PostgreSQL database named by a URL — or add
    a template's pipeline to an existing one. Returns messages."""
    source = template_source(template)
    code = None
    if currency is not None:
        from salesflow.app.currency import check_code

        code = check_code(currency)
    conn = open_database(path, create=True)
    if isinstance(path, str):
        from salesflow.store.pg import redact

        path = redact(path)  # the URL as messages may print it
    try:
        return _init(conn, path, template, source, fresh, code, act)
    finally:
        conn.close()


@writes
def _init(conn: sqlite3.Connection, cmd: Cmd, path: Path, template: str, source: str, fresh: bool, currency: str | None,
          act: Act) -> list[str]:
    if fresh and store.pipeline_keys(conn):  # the demo's file: someone else initialised it meanwhile
        if dialect.is_pg(conn):  # a database named by URL: there is no "meanwhile", it held data before
            raise Refused(_("{path} already holds a salesflow database; the demo never touches an existing one").format(path=path),
                          hint=_("create a new, empty database for it"))
        raise Refused(_("{path} was initialised by another command meanwhile; the demo never touches an existing database").format(path=path),
                      hint=_("run the demo again with a new file name"))
    first = store.get_meta(conn, "default_pipeline") is None
    if not first and currency is not None and currency != (store.get_meta(conn, "currency") or DEFAULT_CURRENCY):
        raise Refused(_("{path} already counts money in {value}").format(path=path, value=store.get_meta(conn, 'currency') or DEFAULT_CURRENCY),
                      hint=_("a database has one currency, chosen when it is created; amounts in others need a rate (salesflow config set rate.CODE RATE)"))
    if not first and template in store.pipeline_keys(conn):
        raise Refused(_("{path} is already initialised with pipeline {template!r}").format(path=path, template=template),
                      hint=_("edit it with: salesflow pipeline export / pipeline load"))
    pipeline = _save(conn, cmd, source, f"template {template}", act)
    if store.get_meta(conn, "default_pipeline") is None:
        store.set_meta(conn, "default_pipeline", pipeline.key)
        store.set_meta(conn, "created_at", iso(act.now))
        store.set_meta(conn, "database_id", uuid.uuid4().hex)  # stable calendar UIDs, exports
        store.set_meta(conn, "currency", currency or DEFAULT_CURRENCY)
        return [_("created {path} with pipeline {key} ({stages}), amounts in {currency}").format(
            path=path, key=pipeline.key, stages=" → ".join(s.key for s in pipeline.stages), currency=currency or DEFAULT_CURRENCY)]
    return [_("added pipeline {key} to {path}").format(key=pipeline.key, path=path)]


def load_pipeline_file(conn: sqlite3.Connection, file: Path, act: Act) -> str:
    return _load(conn, _read_toml(file), str(file), act)


def load_pipeline_template(conn: sqlite3.Connection, name: str, act: Act) -> str:
    """A shipped template stored again (a database made by an older salesflow gets the template's new
    parts, such as its playbook); stages in use must survive, as for a file."""
    return _load(conn, template_source(name), f"template {name}", act)


def _read_toml(file: Path) -> str:
    from salesflow.domain.pipeline import MAX_TOML

    try:
        with open(file, "rb") as f:  # never more than the limit (a device like /dev/zero never ends)
            data = f.read(MAX_TOML + 1)
        if len(data) > MAX_TOML:
            raise BadInput(_("{file} is larger than a pipeline definition can be").format(file=file),
                           hint=_("a pipeline definition is at most {max_toml:,} bytes").format(max_toml=MAX_TOML))
        source = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise NotFound(_("no file {file}").format(file=file)) from None
    except UnicodeDecodeError:
        raise BadInput(_("{file} is not UTF-8 text").format(file=file), hint=_("save the TOML file as UTF-8")) from None
    except OSError as exc:
        raise BadInput(_("cannot read {file}: {strerror}").format(file=file, strerror=exc.strerror)) from None
    return source


@writes
def _load(conn: sqlite3.Connection, cmd: Cmd, source: str, where: str, act: Act) -> str:
    existed = parse_key(source) in store.pipeline_keys(conn)
    pipeline = _save(conn, cmd, source, where, act)
    stages = " → ".join(s.key for s in pipeline.stages)
    return (_("replaced pipeline {key} ({stages})") if existed else _("added pipeline {key} ({stages})")).format(
        key=pipeline.key, stages=stages)


def parse_key(source: str) -> str | None:
    try:
        return tomllib.loads(source).get("key")
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):  # parse_pipeline_toml says what is wrong
        return None


def _save(conn: sqlite3.Connection, cmd: Cmd, source: str, where: str, act: Act) -> Pipeline:
    pipeline = parse_pipeline_toml(source, where)
    in_use = store.stage_keys_in_use(conn, pipeline.key) - {s.key for s in pipeline.stages}
    if in_use:
        raise Refused(_("{where}: pipeline {key} would drop stages that deals are in: {join}").format(where=where, key=pipeline.key, join=', '.join(sorted(in_use))),
                      hint=_("keep those stages, or move the deals first"))
    store.save_pipeline(conn, pipeline, source, _compiled(source), iso(act.now))
    return pipeline


def _compiled(source: str) -> dict:
    # The stored JSON is the parsed TOML itself; domain.pipeline validates it again on every load.
    return tomllib.loads(source)


def default_pipeline(conn: sqlite3.Connection) -> str:
    key = store.get_meta(conn, "default_pipeline")
    if key is None:
        raise NotFound(_("this database has no pipeline"), hint=_("create one with: salesflow init"))
    return key


def pipeline_report(conn: sqlite3.Connection, key: str | None) -> Report:
    pipeline = store.load_pipeline(conn, key or default_pipeline(conn))
    rows = [
        {
            "key": s.key, "name": s.name, "label": s.label_zh, "kind": s.kind, "prior": s.prior,
            "idle_limit": s.idle_days, "entry": ", ".join(c.replace("|", " or ") for c in s.entry),
            "exit": ", ".join([f"{r.kind} touch" + (" with notes" if r.with_notes else "") for r in s.exit]
                              + [f"did {a.key}" for a in s.actions if a.required]),
        }
        for s in pipeline.stages
    ]
    sla = "; ".join(f"{g}: first touch {v.first_touch_days}d, then every {v.cadence_days}d" for g, v in pipeline.grades.items())
    return Report(
        title=_("Pipeline {key} — {name} ({label_zh})").format(key=pipeline.key, name=pipeline.name, label_zh=pipeline.label_zh),
        columns=[Column("key"), Column("name", label=N_("Stage name")), Column("label"), Column("kind", words=labels.KINDS),
                 Column("prior", "rate"),
                 Column("idle_limit", "int"), Column("entry"), Column("exit")],
        rows=rows,
        footer=[_("Grade SLAs — {sla}").format(sla=sla), _("Lost reasons: {join}").format(join=', '.join(pipeline.lost_reasons)),
                _("Process fields: {join}").format(join=', '.join(f.key for f in pipeline.fields))],
    )


def pipeline_export(conn: sqlite3.Connection, key: str | None) -> str:
    return store.pipeline_source(conn, key or default_pipeline(conn))


# ---------------------------------------------------------------------------------------------
# config: per-database settings (urgency weights)


def _settings() -> dict[str, float]:
    from salesflow.app.dashboard import THRESHOLDS
    from salesflow.domain.urgency import DEFAULT_WEIGHTS

    return {f"urgency.{name}": value for name, value in DEFAULT_WEIGHTS.items()} | {
        key: default for key, (default, _largest) in THRESHOLDS.items()}


def _largest(key: str) -> float:
    from salesflow.app.dashboard import THRESHOLDS

    return THRESHOLDS[key][1] if key in THRESHOLDS else 1000


def config_report(conn: sqlite3.Connection) -> Report:
    from salesflow.app.currency import RATE_PREFIX, currency_of

    rows = []
    for key, default in _settings().items():
        value = store.get_meta(conn, key)
        rows.append({"key": key, "value": float(value) if value is not None else default, "default": default})
    cur = currency_of(conn)
    for code, rate in sorted(cur.rates.items()):
        rows.append({"key": f"{RATE_PREFIX}{code}", "value": float(rate), "default": None})
    return Report(title=_("Settings"), columns=[Column("key"), Column("value", "number"), Column("default", "number")],
                  rows=rows, footer=[_("amounts in {code} (chosen at init) · rate.CODE: 1 CODE = RATE {code} · change with: salesflow config set KEY VALUE (urgency: see salesflow why DEAL; dashboard: salesflow dashboard)").format(code=cur.code)])


@writes
def set_config(conn: sqlite3.Connection, cmd: Cmd, key: str, value: str, act: Act) -> str:
    from salesflow.app.currency import RATE_PREFIX

    settings = _settings()
    if key.lower().startswith(RATE_PREFIX):
        return _set_rate(conn, cmd, key[len(RATE_PREFIX):], value)
    if key not in settings:
        raise BadInput(_("{key!r} is not a setting").format(key=key), hint=_("settings: ") + ", ".join(settings) + ", rate.CODE")
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0 or number > _largest(key):
        raise BadInput(_("{key} must be a number from 0 to {largest:g}, not {value!r}").format(key=key, largest=_largest(key), value=value))
    if store.get_meta(conn, key) is None:
        changes.insert(conn, cmd, "meta", {"key": key, "value": repr(number)})
    else:
        changes.update(conn, cmd, "meta", key, {"value": repr(number)})
    return f"{key} = {number:g} (default {settings[key]:g})"


def _set_rate(conn: sqlite3.Connection, cmd: Cmd, code: str, value: str) -> str:
    from salesflow.app.currency import RATE_PREFIX, check_code, currency_of
    from salesflow.domain.money import parse_rate

    base = currency_of(conn).code
    code = check_code(code)
    if code == base:
        other = "EUR" if base == "USD" else "USD"
        raise BadInput(_("{code} is this database's own currency").format(code=code), hint=_("set rates of other currencies, e.g. rate.{other} 7.10").format(other=other))
    rate = parse_rate(code, value)
    text = format(rate.normalize(), "f")  # 1E+6 → 1000000, 0.000001 as written
    key = f"{RATE_PREFIX}{code}"
    if store.get_meta(conn, key) is None:
        changes.insert(conn, cmd, "meta", {"key": key, "value": text})
    else:
        changes.update(conn, cmd, "meta", key, {"value": text})
    return f"{key} = {text} (1 {code} = {text} {base})"
