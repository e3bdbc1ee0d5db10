"""The schema history, one function per version, never edited once released (append m002_… instead).

Tables are STRICT with CHECK constraints where they guard data: money is an INTEGER of minor
units and never negative; statuses, roles, grades and touch kinds are closed sets. Times are ISO
8601 local wall-clock text (`2026-11-23T09:30:00`), so text order is time order.

`NAMES` is read by `store.db` without importing sqlite-utils: the check that a database is current
costs one small query; sqlite-utils loads only when a migration must run.
"""

from __future__ import annotations

M001_INITIAL = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE pipeline (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    label_zh TEXT NOT NULL,
    definition TEXT NOT NULL,            -- the TOML source, exported as loaded
    compiled TEXT NOT NULL CHECK (json_valid(compiled)),  -- the parsed definition, read on every command
    loaded_at TEXT NOT NULL
) STRICT;

CREATE TABLE stage (
    pipeline TEXT NOT NULL REFERENCES pipeline(key),
    key TEXT NOT NULL,
    position INTEGER NOT NULL,           -- 0.. for open stages in order, then won, then lost
    kind TEXT NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    name TEXT NOT NULL,
    label_zh TEXT NOT NULL,
    prior REAL NOT NULL CHECK (prior >= 0 AND prior <= 1),
    idle_days INTEGER CHECK (idle_days >= 0),
    PRIMARY KEY (pipeline, key)
) STRICT;

CREATE TABLE rep (
    handle TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'rep' CHECK (role IN ('rep', 'manager', 'admin')),
    manager TEXT REFERENCES rep(handle),
    team TEXT,
    capacity INTEGER NOT NULL DEFAULT 50 CHECK (capacity >= 0),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE customer (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,       -- NFKC, trimmed, inner spaces folded, case-folded
    grade TEXT NOT NULL DEFAULT 'B' CHECK (grade IN ('A', 'B', 'C')),
    industry TEXT,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE contact (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer(id),
    name TEXT NOT NULL,
    title TEXT,
    phone TEXT,                          -- E.164 when it could be normalised
    email TEXT,                          -- lower-cased
    decision_maker INTEGER NOT NULL DEFAULT 0 CHECK (decision_maker IN (0, 1)),
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX contact_customer ON contact(customer_id);
CREATE INDEX contact_phone ON contact(phone) WHERE phone IS NOT NULL;
CREATE INDEX contact_email ON contact(email) WHERE email IS NOT NULL;

CREATE TABLE deal (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    customer_id INTEGER REFERENCES customer(id),
    contact_id INTEGER REFERENCES contact(id),
    owner TEXT REFERENCES rep(handle),   -- NULL = unassigned
    assigned_at TEXT,                    -- when the current owner got it (first-touch escalation counts from here)
    pipeline TEXT NOT NULL REFERENCES pipeline(key),
    stage TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    amount INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),
    close_date TEXT,
    source TEXT,
    next_followup TEXT,
    created_at TEXT NOT NULL,
    stage_entered_at TEXT NOT NULL,
    progressed_at TEXT,                  -- derived: the last forward stage move or win (rebuilt from stage_event)
    closed_at TEXT,
    lost_reason TEXT,
    lost_from_stage TEXT,
    external_id TEXT,
    fields TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(fields)),   -- process fields, free text
    CHECK ((status = 'open') = (closed_at IS NULL)),
    FOREIGN KEY (pipeline, stage) REFERENCES stage(pipeline, key)
) STRICT;
CREATE INDEX deal_owner_status ON deal(owner, status);
CREATE INDEX deal_pipeline_stage ON deal(pipeline, stage, status);
CREATE INDEX deal_customer ON deal(customer_id);
CREATE INDEX deal_contact ON deal(contact_id);
CREATE INDEX deal_created ON deal(created_at);
CREATE INDEX deal_closed ON deal(status, closed_at);
CREATE INDEX deal_owner_progress ON deal(owner, progressed_at);
CREATE UNIQUE INDEX deal_external ON deal(external_id) WHERE external_id IS NOT NULL;

CREATE TABLE command (                   -- one row per command that changed data: the undo unit
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    args TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,                    -- the command's --now
    by TEXT NOT NULL,
    undone_by INTEGER REFERENCES command(id)  -- set when `undo` reverted this command
) STRICT;

CREATE TABLE stage_event (
    id INTEGER PRIMARY KEY,
    deal_id INTEGER NOT NULL REFERENCES deal(id),
    from_stage TEXT,                     -- NULL when the deal was created
    to_stage TEXT NOT NULL,
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    reason TEXT,
    forced INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
    command_id INTEGER REFERENCES command(id)
) STRICT;
CREATE INDEX stage_event_deal ON stage_event(deal_id, at);

CREATE TABLE touch (
    id INTEGER PRIMARY KEY,
    deal_id INTEGER NOT NULL REFERENCES deal(id),
    kind TEXT NOT NULL CHECK (kind IN ('call', 'visit', 'meeting', 'email', 'wechat', 'demo', 'quote', 'note')),
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    contact_id INTEGER REFERENCES contact(id),
    notes TEXT,
    outcome TEXT,
    command_id INTEGER REFERENCES command(id)
) STRICT;
CREATE INDEX touch_deal ON touch(deal_id, at);

CREATE TABLE escalation (               -- `sweep`: an untouched lead raised to the owner's manager
    id INTEGER PRIMARY KEY,
    deal_id INTEGER NOT NULL REFERENCES deal(id),
    rep TEXT NOT NULL,                   -- the owner it was escalated about
    manager TEXT NOT NULL,
    rule TEXT NOT NULL,
    at TEXT NOT NULL,
    command_id INTEGER REFERENCES command(id),
    UNIQUE (deal_id, rep)
) STRICT;
CREATE INDEX escalation_manager ON escalation(manager);

CREATE TABLE target (                   -- `target set`: the amount the team or a rep should win in a month
    id INTEGER PRIMARY KEY,
    month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
    rep TEXT NOT NULL DEFAULT '',        -- '' = the whole team
    amount INTEGER NOT NULL CHECK (amount >= 0),
    UNIQUE (month, rep)
) STRICT;

CREATE TABLE forecast_snapshot (        -- `forecast snapshot`: what the forecast said on a day
    taken_on TEXT NOT NULL,              -- YYYY-MM-DD, one snapshot per day (re-taking replaces it)
    month TEXT NOT NULL,                 -- a YYYY-MM bucket, past-due or unscheduled
    rep TEXT NOT NULL DEFAULT '',        -- '' = the whole team's line
    deals INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    weighted INTEGER NOT NULL,
    method TEXT NOT NULL,
    PRIMARY KEY (taken_on, month, rep)
) STRICT;

CREATE TABLE change_log (
    id INTEGER PRIMARY KEY,
    command_id INTEGER NOT NULL REFERENCES command(id),
    entity TEXT NOT NULL,                -- deal | customer | contact | touch | stage_event | rep | pipeline
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    field TEXT,                          -- for updates
    old TEXT,
    new TEXT,
    at TEXT NOT NULL,
    by TEXT NOT NULL
) STRICT;
CREATE INDEX change_log_command ON change_log(command_id);
CREATE INDEX change_log_entity ON change_log(entity, entity_id);
"""

# Views for people who browse the file with other tools (Datasette, sqlite3, a BI tool); salesflow's
# own commands do not read them. Their "now" is the machine's clock (julianday('now', 'localtime')).
M002_VIEWS = """
CREATE VIEW open_deals AS
SELECT d.id AS deal_id, d.title, c.name AS customer, d.owner, r.name AS owner_name, r.team,
       d.pipeline, d.stage, ROUND(d.amount / 100.0, 2) AS amount, d.close_date, d.next_followup,
       d.created_at, d.stage_entered_at,
       CAST(julianday('now', 'localtime') - julianday(d.stage_entered_at) AS INTEGER) AS days_in_stage,
       (SELECT MAX(t.at) FROM touch t WHERE t.deal_id = d.id) AS last_touch_at
FROM deal d
LEFT JOIN customer c ON c.id = d.customer_id
LEFT JOIN rep r ON r.handle = d.owner
WHERE d.status = 'open';

CREATE VIEW stage_intervals AS
SELECT i.deal_id, i.owner, i.pipeline, i.stage, s.kind AS stage_kind, i.entered_at, i.left_at, i.next_stage,
       CASE WHEN s.kind = 'open'
            THEN ROUND(julianday(COALESCE(i.left_at, datetime('now', 'localtime'))) - julianday(i.entered_at), 1)
       END AS days
FROM (
    SELECT e.deal_id, d.owner, d.pipeline, e.to_stage AS stage, e.at AS entered_at,
           LEAD(e.at) OVER w AS left_at, LEAD(e.to_stage) OVER w AS next_stage
    FROM stage_event e JOIN deal d ON d.id = e.deal_id
    WINDOW w AS (PARTITION BY e.deal_id ORDER BY e.at, e.id)
) i
JOIN stage s ON s.pipeline = i.pipeline AND s.key = i.stage;
"""

# An imported closed deal whose file does not tell how far it got (a lost row with no stage and no stage
# dates): `history = 'unknown'`. Reports that learn from or count stage reach leave such deals out and
# say how many; NULL means the stage events tell the deal's history.
# `guessed`: which of an imported deal's times the file did not give ('created', 'closed' or both,
# space-separated): the deal has a time (the columns stay NOT NULL) but no period report places it by it.
M003_HISTORY = """
ALTER TABLE deal ADD COLUMN history TEXT CHECK (history IS NULL OR history = 'unknown');
ALTER TABLE deal ADD COLUMN guessed TEXT CHECK (guessed IS NULL OR guessed IN ('created', 'closed', 'created closed'));
"""

# What an imported deal's file said about its activity. `last_activity_at`: the last activity date another
# CRM recorded (Pipedrive's "Last activity date", 最后跟进时间); every follow-up rule counts it as a touch at
# that time. `review_from`: an open deal imported with no activity information at all; until a touch is
# logged its one follow-up deadline is this time ("imported without activity — review it"), not a flood
# of first-touch and stage-idle deadlines dated from years ago.
# `notice`: a condition a cron command has already told about (`sweep`: "has no manager to escalate to"),
# so that running it every 15 minutes says it once, not all day.
M004_ACTIVITY = """
ALTER TABLE deal ADD COLUMN last_activity_at TEXT;
ALTER TABLE deal ADD COLUMN review_from TEXT;
CREATE TABLE notice (
    key TEXT PRIMARY KEY,                -- what was noticed, e.g. sweep:no-manager:42:wang
    at TEXT NOT NULL,
    command_id INTEGER REFERENCES command(id)
) STRICT;
"""

# Playbooks. `action_done`: a stage's standard action recorded as done on a deal (`did`, `touch --did`),
# in the stage the deal was in; what counts for the exit criteria is what was done since it entered that
# stage. `touch.template` / `touch.steps`: a touch logged with a template, and each step's result (a JSON
# object, step key -> text). `touch_score`: a manager's spot check of a touch record (`review score`),
# one per touch (a second score replaces the first, both in the change log).
M005_PLAYBOOKS = """
CREATE TABLE action_done (
    id INTEGER PRIMARY KEY,
    deal_id INTEGER NOT NULL REFERENCES deal(id),
    stage TEXT NOT NULL,
    action TEXT NOT NULL,
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    touch_id INTEGER REFERENCES touch(id),
    notes TEXT,
    command_id INTEGER REFERENCES command(id)
) STRICT;
CREATE INDEX action_done_deal ON action_done(deal_id, stage, at);
ALTER TABLE touch ADD COLUMN template TEXT;
ALTER TABLE touch ADD COLUMN steps TEXT CHECK (steps IS NULL OR json_valid(steps));
CREATE TABLE touch_score (
    id INTEGER PRIMARY KEY,
    touch_id INTEGER NOT NULL UNIQUE REFERENCES touch(id),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    notes TEXT,
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    command_id INTEGER REFERENCES command(id)
) STRICT;
CREATE INDEX touch_by_at ON touch(by, at);
"""

# Derived facts (store/facts.py owns them: what each column means, how it is kept and rebuilt). Filled for
# an existing database by the migration itself, in its transaction, after the usual backup.
M006_FACTS = """
CREATE TABLE deal_fact (
    deal_id INTEGER PRIMARY KEY,         -- no foreign keys: derived rows go with their deal (facts.refresh)
    pipeline TEXT NOT NULL,              -- the deal's own columns the reports group and filter by, narrow:
    owner TEXT,                          --   a report scans these rows, not the deal table's wide ones
    customer_id INTEGER,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    amount INTEGER NOT NULL,
    close_date TEXT,
    source TEXT,
    grade TEXT NOT NULL,                 -- the customer's grade (B without a customer)
    created_at TEXT NOT NULL,
    closed_at TEXT,
    guessed TEXT,
    history TEXT,
    stage_entered_at TEXT NOT NULL,
    next_followup TEXT,
    reached INTEGER NOT NULL,            -- furthest open stage position reached (the open stages' count when won)
    last_touch TEXT,                     -- latest touch, or the imported last activity when later
    last_move TEXT,                      -- latest stage event (created, moved, won, lost, reopened)
    touch_at TEXT,                       -- latest touch (touches only)
    touch_id INTEGER,                    -- that touch (the highest id among those at touch_at)
    bare_visits TEXT,                    -- times of visit touches without notes, comma-separated
    due_at TEXT,                         -- open: the earliest deadline of every rule but stage-idle and escalated
    idle_at TEXT,                        -- open: the stage-idle deadline (counts unless a follow-up is planned)
    latest TEXT NOT NULL                 -- the latest time any of the deal's rows carries (facts.current)
) STRICT;
CREATE INDEX deal_fact_latest ON deal_fact(latest);
CREATE INDEX deal_fact_due ON deal_fact(due_at) WHERE due_at IS NOT NULL;
CREATE INDEX deal_fact_idle ON deal_fact(idle_at) WHERE idle_at IS NOT NULL;
CREATE INDEX deal_fact_customer ON deal_fact(customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX deal_fact_created ON deal_fact(pipeline, created_at);
CREATE INDEX deal_fact_move ON deal_fact(last_move);
CREATE TABLE stage_days (               -- deals whose stage history is known: time per stage, kept in order
    pipeline TEXT NOT NULL,
    stage TEXT NOT NULL,
    seconds INTEGER NOT NULL,            -- time in the stage over the visits that ended (a visit ends at the next event)
    deal_id INTEGER NOT NULL,
    owner TEXT,                          -- the deal's cohort columns, so a funnel reads this table alone
    source TEXT,
    grade TEXT NOT NULL,
    created_at TEXT NOT NULL,
    guessed TEXT,
    PRIMARY KEY (pipeline, stage, seconds, deal_id)   -- sorted: a median is a walk to the middle, not a sort
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX stage_days_deal ON stage_days(deal_id, stage);
CREATE INDEX stage_days_owner ON stage_days(pipeline, stage, owner, seconds);
"""


def m006_facts(conn) -> None:
    from salesflow.store import facts

    for statement in M006_FACTS.split(";"):
        if statement.strip():
            conn.execute("\n".join(line.split("--", 1)[0] for line in statement.splitlines()))
    facts.rebuild(conn)


# ---------------------------------------------------------------------------------------------
# The PostgreSQL form of each migration, beside the SQLite one. The tables, columns, constraints and
# indexes are the same (tests/test_postgres.py compares both dialects' finished schemas); what differs is
# spelled by `pg_form`, one rule per difference:
#
# | SQLite                          | PostgreSQL                                                       |
# |---------------------------------|------------------------------------------------------------------|
# | `id INTEGER PRIMARY KEY`        | `id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY` (copy keeps ids) |
# | `INTEGER`, `REAL`               | `BIGINT`, `DOUBLE PRECISION`                                     |
# | `CHECK (json_valid(x))`         | `CHECK ((x)::jsonb IS NOT NULL)` (an invalid document fails the cast) |
# | `month GLOB '[0-9]…'`           | `month ~ '^[0-9]{4}-[0-9]{2}$'`                                  |
# | `) STRICT;`, `WITHOUT ROWID`    | `);` (PostgreSQL's columns are strict; a primary key is an index) |
#
# Times stay ISO text in both, so text order is time order and every query compares them alike. The views
# (m002) compute days with each dialect's date arithmetic and are written out in full.

def pg_form(ddl: str) -> str:
    import re

    out = re.sub(r"\bid INTEGER PRIMARY KEY\b", "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", ddl)
    out = re.sub(r"\bINTEGER\b", "BIGINT", out)
    out = re.sub(r"\bREAL\b", "DOUBLE PRECISION", out)
    out = re.sub(r"json_valid\((\w+)\)", r"(\1)::jsonb IS NOT NULL", out)
    out = out.replace("month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'", "month ~ '^[0-9]{4}-[0-9]{2}$'")
    out = re.sub(r"\)\s*STRICT(, WITHOUT ROWID)?;", ");", out)
    if re.search(r"\b(STRICT|GLOB|json_valid|julianday|strftime|WITHOUT ROWID)\b", out):
        raise ValueError("a migration uses SQLite that pg_form does not translate: write its PostgreSQL form")
    return out


M002_VIEWS_PG = """
CREATE VIEW open_deals AS
SELECT d.id AS deal_id, d.title, c.name AS customer, d.owner, r.name AS owner_name, r.team,
       d.pipeline, d.stage, ROUND(d.amount / 100.0, 2) AS amount, d.close_date, d.next_followup,
       d.created_at, d.stage_entered_at,
       TRUNC(EXTRACT(EPOCH FROM LOCALTIMESTAMP - d.stage_entered_at::timestamp) / 86400)::BIGINT AS days_in_stage,
       (SELECT MAX(t.at) FROM touch t WHERE t.deal_id = d.id) AS last_touch_at
FROM deal d
LEFT JOIN customer c ON c.id = d.customer_id
LEFT JOIN rep r ON r.handle = d.owner
WHERE d.status = 'open';

CREATE VIEW stage_intervals AS
SELECT i.deal_id, i.owner, i.pipeline, i.stage, s.kind AS stage_kind, i.entered_at, i.left_at, i.next_stage,
       CASE WHEN s.kind = 'open'
            THEN ROUND((EXTRACT(EPOCH FROM COALESCE(i.left_at::timestamp, LOCALTIMESTAMP(0)) - i.entered_at::timestamp)
                        / 86400)::numeric, 1)
       END AS days
FROM (
    SELECT e.deal_id, d.owner, d.pipeline, e.to_stage AS stage, e.at AS entered_at,
           LEAD(e.at) OVER w AS left_at, LEAD(e.to_stage) OVER w AS next_stage
    FROM stage_event e JOIN deal d ON d.id = e.deal_id
    WINDOW w AS (PARTITION BY e.deal_id ORDER BY e.at, e.id)
) i
JOIN stage s ON s.pipeline = i.pipeline AND s.key = i.stage;
"""

# Who sees what. SQLite, a single-user file, has no logins: everything in it is visible to whoever can
# open it, so its form is empty (and applying it needs no backup). On PostgreSQL each rep logs in as a
# database role named by their handle, a member of salesflow_user, and row-level security on every table
# shows and lets change, by the rep's role: a rep the deals they own and the unassigned leads; a manager
# also those of their reps (transitively, through rep.manager) and of their team; an admin everything —
# and through the deal the same rule for its touches, stage events, actions, escalations, scores, derived
# facts and change-log rows (and the views, which run as the reader). A command row is seen by its author,
# by admins, and where it changed a deal the reader sees. Reference data (reps, customers, contacts,
# pipelines, settings, targets, forecast snapshots) is read by the reps of this database only (a role that
# is no rep here sees nothing); customers and contacts are changed with a deal of theirs one sees (or by
# managers), targets by managers, reps, pipelines, settings and snapshots by admins.
# A new row's id is the largest so far plus one, as SQLite's rowid gives it (writers take turns under the write
# lock, so the same commands give the same ids on both): salesflow_next_id looks past the policies for it.
# The role that ran `init` owns the tables, and PostgreSQL does not hold a table's owner to its policies:
# that role is the team's administrator account, not a rep's.
M007_ACCESS = ""

M007_ACCESS_PG = """
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'salesflow_user') THEN
        CREATE ROLE salesflow_user NOLOGIN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO salesflow_user', current_schema());
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO salesflow_user', current_schema());
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO salesflow_user', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO salesflow_user', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO salesflow_user', current_schema());
END $$;
REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM salesflow_user;
ALTER VIEW open_deals SET (security_invoker = true);
ALTER VIEW stage_intervals SET (security_invoker = true);

CREATE FUNCTION salesflow_role(who text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $f$ SELECT role FROM rep WHERE handle = who $f$;

CREATE FUNCTION salesflow_team_owners(who text) RETURNS SETOF text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $f$
    WITH RECURSIVE me AS (SELECT handle, team FROM rep WHERE handle = who AND role = 'manager'),
    under(handle) AS (SELECT r.handle FROM rep r JOIN me ON r.manager = me.handle
                      UNION SELECT r.handle FROM rep r JOIN under u ON r.manager = u.handle)
    SELECT handle FROM under
    UNION SELECT r.handle FROM rep r JOIN me ON r.team = me.team
$f$;

CREATE FUNCTION salesflow_next_id(tbl text) RETURNS bigint LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $f$
DECLARE found bigint;
BEGIN
    EXECUTE format('SELECT COALESCE(MAX(id), 0) + 1 FROM %I', tbl) INTO found;
    RETURN found;
END $f$;

CREATE FUNCTION salesflow_no_deals(cust bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $f$ SELECT NOT EXISTS (SELECT 1 FROM deal d WHERE d.customer_id = cust) $f$;

CREATE FUNCTION salesflow_command_by(cid bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $f$ SELECT c.by FROM command c WHERE c.id = cid $f$;

CREATE FUNCTION salesflow_sees(owner text) RETURNS boolean LANGUAGE sql STABLE
AS $f$ SELECT (SELECT salesflow_role(current_user)) IS NOT NULL
              AND (owner IS NULL OR owner = current_user OR (SELECT salesflow_role(current_user)) = 'admin'
                   OR owner IN (SELECT salesflow_team_owners(current_user))) $f$;

ALTER TABLE deal ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_owner ON deal USING (salesflow_sees(owner));
ALTER TABLE deal_fact ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_owner ON deal_fact USING (salesflow_sees(owner));
ALTER TABLE stage_days ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_owner ON stage_days USING (salesflow_sees(owner));

ALTER TABLE touch ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_deal ON touch USING (EXISTS (SELECT 1 FROM deal d WHERE d.id = deal_id));
ALTER TABLE stage_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_deal ON stage_event USING (EXISTS (SELECT 1 FROM deal d WHERE d.id = deal_id));
ALTER TABLE escalation ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_deal ON escalation USING (EXISTS (SELECT 1 FROM deal d WHERE d.id = deal_id));
ALTER TABLE action_done ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_deal ON action_done USING (EXISTS (SELECT 1 FROM deal d WHERE d.id = deal_id));
ALTER TABLE touch_score ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_touch ON touch_score USING (EXISTS (SELECT 1 FROM touch t WHERE t.id = touch_id));

ALTER TABLE change_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_by_row ON change_log FOR SELECT USING (
    by = current_user OR (SELECT salesflow_role(current_user)) = 'admin' OR CASE entity
        WHEN 'deal' THEN EXISTS (SELECT 1 FROM deal d WHERE d.id = CAST(entity_id AS BIGINT))
        WHEN 'touch' THEN EXISTS (SELECT 1 FROM touch t WHERE t.id = CAST(entity_id AS BIGINT))
        WHEN 'stage_event' THEN EXISTS (SELECT 1 FROM stage_event e WHERE e.id = CAST(entity_id AS BIGINT))
        WHEN 'action_done' THEN EXISTS (SELECT 1 FROM action_done a WHERE a.id = CAST(entity_id AS BIGINT))
        WHEN 'escalation' THEN EXISTS (SELECT 1 FROM escalation e WHERE e.id = CAST(entity_id AS BIGINT))
        WHEN 'touch_score' THEN EXISTS (SELECT 1 FROM touch_score s WHERE s.id = CAST(entity_id AS BIGINT))
        ELSE false END);
CREATE POLICY write_own ON change_log FOR INSERT WITH CHECK ((SELECT salesflow_role(current_user)) = 'admin'
    OR (by = current_user AND salesflow_command_by(command_id) = current_user));

ALTER TABLE command ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON command FOR SELECT USING (
    by = current_user OR (SELECT salesflow_role(current_user)) = 'admin'
    OR EXISTS (SELECT 1 FROM change_log l WHERE l.command_id = command.id AND l.by = command.by
               AND l.entity IN ('deal', 'touch', 'stage_event', 'action_done', 'escalation', 'touch_score')));
CREATE POLICY write_own ON command FOR INSERT WITH CHECK (by = current_user OR (SELECT salesflow_role(current_user)) = 'admin');
CREATE POLICY change_own ON command FOR UPDATE USING (by = current_user OR (SELECT salesflow_role(current_user)) = 'admin')
    WITH CHECK (by = current_user OR (SELECT salesflow_role(current_user)) = 'admin');
CREATE POLICY drop_own ON command FOR DELETE USING (by = current_user OR (SELECT salesflow_role(current_user)) = 'admin');

ALTER TABLE customer ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON customer FOR SELECT USING ((SELECT salesflow_role(current_user)) IS NOT NULL);
CREATE POLICY add ON customer FOR INSERT WITH CHECK ((SELECT salesflow_role(current_user)) IS NOT NULL);
CREATE POLICY change_with_deal ON customer FOR UPDATE USING ((SELECT salesflow_role(current_user)) IN ('manager', 'admin')
    OR EXISTS (SELECT 1 FROM deal d WHERE d.customer_id = customer.id));
CREATE POLICY drop_with_deal ON customer FOR DELETE USING ((SELECT salesflow_role(current_user)) IN ('manager', 'admin')
    OR EXISTS (SELECT 1 FROM deal d WHERE d.customer_id = customer.id) OR salesflow_no_deals(customer.id));
ALTER TABLE contact ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON contact FOR SELECT USING ((SELECT salesflow_role(current_user)) IS NOT NULL);
CREATE POLICY add ON contact FOR INSERT WITH CHECK ((SELECT salesflow_role(current_user)) IS NOT NULL);
CREATE POLICY change_with_deal ON contact FOR UPDATE USING ((SELECT salesflow_role(current_user)) IN ('manager', 'admin')
    OR EXISTS (SELECT 1 FROM deal d WHERE d.customer_id = contact.customer_id));
CREATE POLICY drop_with_deal ON contact FOR DELETE USING ((SELECT salesflow_role(current_user)) IN ('manager', 'admin')
    OR EXISTS (SELECT 1 FROM deal d WHERE d.customer_id = contact.customer_id) OR salesflow_no_deals(contact.customer_id));
ALTER TABLE notice ENABLE ROW LEVEL SECURITY;
CREATE POLICY reps ON notice USING ((SELECT salesflow_role(current_user)) IS NOT NULL);

ALTER TABLE rep ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON rep FOR SELECT USING ((SELECT salesflow_role(current_user)) IS NOT NULL);
CREATE POLICY admins_write ON rep FOR ALL USING ((SELECT salesflow_role(current_user)) = 'admin') WITH CHECK ((SELECT salesflow_role(current_user)) = 'admin');
ALTER TABLE pipeline ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON pipeline FOR SELECT USING ((SELECT salesflow_role(current_user)) IS NOT NULL);
CREATE POLICY admins_write ON pipeline FOR ALL USING ((SELECT salesflow_role(current_user)) = 'admin') WITH CHECK ((SELECT salesflow_role(current_user)) = 'admin');
ALTER TABLE stage ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON stage FOR SELECT USING ((SELECT salesflow_role(current_user)) IS NOT NULL);
CREATE POLICY admins_write ON stage FOR ALL USING ((SELECT salesflow_role(current_user)) = 'admin') WITH CHECK ((SELECT salesflow_role(current_user)) = 'admin');
ALTER TABLE meta ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON meta FOR SELECT USING ((SELECT salesflow_role(current_user)) IS NOT NULL);
CREATE POLICY admins_write ON meta FOR ALL USING ((SELECT salesflow_role(current_user)) = 'admin') WITH CHECK ((SELECT salesflow_role(current_user)) = 'admin');
ALTER TABLE forecast_snapshot ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON forecast_snapshot FOR SELECT USING ((SELECT salesflow_role(current_user)) IS NOT NULL);
CREATE POLICY admins_write ON forecast_snapshot FOR ALL USING ((SELECT salesflow_role(current_user)) = 'admin')
    WITH CHECK ((SELECT salesflow_role(current_user)) = 'admin');
ALTER TABLE target ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON target FOR SELECT USING ((SELECT salesflow_role(current_user)) IS NOT NULL);
CREATE POLICY managers_write ON target FOR ALL USING ((SELECT salesflow_role(current_user)) IN ('manager', 'admin'))
    WITH CHECK ((SELECT salesflow_role(current_user)) IN ('manager', 'admin'));
"""

# The order pipelines came in, kept in the schema (SQLite listed them by rowid, which no other database
# has, and which a copy did not keep): 0, 1, … as first stored; a reload keeps its place.
M008_PIPELINE_ORDER = """
ALTER TABLE pipeline ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE pipeline SET position = (SELECT COUNT(*) FROM pipeline AS p WHERE p.rowid < pipeline.rowid);
"""

# PostgreSQL databases before m008 listed pipelines by key: that order is kept.
M008_PIPELINE_ORDER_PG = """
ALTER TABLE pipeline ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
UPDATE pipeline SET position = o.n FROM (SELECT key, row_number() OVER (ORDER BY key) - 1 AS n FROM pipeline) AS o
    WHERE o.key = pipeline.key;
"""

# A customer's grade sets the follow-up windows of all its deals, and a deal's derived facts hold them: a
# role that does not see every deal of the customer could not refresh the facts of those it does not see. So
# the grade is changed by whoever sees all the customer's deals (an admin always); store/changes.py says so
# first in the user's language, this trigger holds for anyone writing with psql. And `undo` refuses over a
# colleague's later change to the same rows, which a rep's policies hide (a shared customer's log rows are
# the colleague's): salesflow_later_writers is store/undo.py's query past the policies, for the command's
# author or an admin only (the role logged in: inside a SECURITY DEFINER function current_user is the
# owner), and only over shared records (customers, contacts…): a deal's log rows are the reader's to see.
# An import by a rep's role asks salesflow_deal_taken whether a row's deal is already here, unseen (its id
# or external id is taken), to reject that row by name rather than fail on the unique index, and moves the
# id sequences past the rows it gave ids with salesflow_ids_given (setval needs rights a rep has not).
# Hardening, from two outside checks of what a rep can do with psql:
# - every salesflow_ function that reads with rights or fires as a trigger resolves names in this schema
#   and then pg_temp only: a temporary table named `rep` shadowed the real one (search_path looks in pg_temp
#   first unless it is named), which let a rep make itself admin;
# - a change-log row a rep writes names a row the rep may write (or one deleted: an undo's), so a forged
#   row neither blocks a colleague's undo nor reads through salesflow_later_writers;
# - every row a rep's role inserts is a rep of this database's (salesflow_user spans the cluster), with an
#   id no further than the next (a forged huge id made salesflow_next_id overflow for everyone), and a
#   change-log id comes from its sequence only (a forged one collided with the next);
# - derived facts are written for a deal one sees, with its owner and the deal's own columns as the deal
#   has them (fake rows blocked others' writes, and a rep's amounts inflated the forecast); spot-check
#   scores are written by managers; an inactive rep signs in to nothing;
# - a rep reads a row's history only after its last deletion (an undo's): ids are the largest + 1, so an
#   id an undo freed is given again, and the new row's writer read the old row's notes and commands;
# - salesflow_ids_given moves a sequence forward only (called in a loop it handed out ids again).
# SQLite has one user: empty.
M009_SHARING = ""

M009_SHARING_PG = """
CREATE FUNCTION salesflow_deals_of(cust bigint) RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $f$ SELECT count(*) FROM deal d WHERE d.customer_id = cust $f$;

CREATE FUNCTION salesflow_grade_seen() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $f$
BEGIN
    IF NEW.grade IS DISTINCT FROM OLD.grade
       AND (SELECT count(*) FROM deal d WHERE d.customer_id = NEW.id) < salesflow_deals_of(NEW.id) THEN
        RAISE EXCEPTION 'customer % has deals this role cannot see: its grade is changed by whoever sees them all', NEW.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $f$;

CREATE TRIGGER grade_seen BEFORE UPDATE OF grade ON customer FOR EACH ROW EXECUTE FUNCTION salesflow_grade_seen();

CREATE FUNCTION salesflow_deal_taken(did bigint, ext text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $f$ SELECT EXISTS (SELECT 1 FROM deal d WHERE d.id = did OR d.external_id = ext) $f$;

CREATE FUNCTION salesflow_later_writers(cid bigint) RETURNS TABLE (id bigint, name text, by text, at text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $f$
    SELECT DISTINCT c.id, c.name, c.by, c.at
    FROM change_log mine
    JOIN change_log later ON later.command_id > mine.command_id
         AND ((later.entity = mine.entity AND later.entity_id = mine.entity_id)
              OR (mine.entity IN ('touch', 'action_done') AND mine.op = 'insert'
                  AND later.entity = 'stage_event' AND later.op = 'insert'
                  AND (CAST(later.new AS json) ->> 'deal_id') = (CAST(mine.new AS json) ->> 'deal_id')))
    JOIN command c ON c.id = later.command_id
    WHERE mine.command_id = cid AND c.undone_by IS NULL AND c.name != 'undo'
      AND mine.entity NOT IN ('deal', 'touch', 'stage_event', 'action_done', 'escalation', 'touch_score')
      AND (salesflow_command_by(cid) = session_user OR salesflow_role(session_user) = 'admin')  -- the login role
    ORDER BY c.id
$f$;

CREATE FUNCTION salesflow_ids_given(tbl text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $f$
DECLARE seq text := pg_get_serial_sequence(tbl, 'id'); top bigint; last bigint; called boolean;
BEGIN  -- forward only: moving a sequence back would hand out ids another transaction holds
    IF seq IS NULL THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT MAX(id) FROM %I', tbl) INTO top;
    EXECUTE format('SELECT last_value, is_called FROM %s', seq) INTO last, called;
    IF top > last OR (top = last AND NOT called) THEN
        PERFORM setval(seq, top);
    END IF;
END $f$;

CREATE FUNCTION salesflow_row_gone(tbl text, key text) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER AS $f$
DECLARE found boolean;
BEGIN
    IF tbl NOT IN ('deal', 'touch', 'stage_event', 'action_done', 'escalation', 'touch_score', 'customer', 'contact') THEN
        RETURN false;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = salesflow_id($1))', tbl) INTO found USING key;
    RETURN NOT found;
END $f$;

CREATE OR REPLACE FUNCTION salesflow_role(who text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $f$ SELECT role FROM rep WHERE handle = who AND active = 1 $f$;

CREATE FUNCTION salesflow_id(key text) RETURNS bigint LANGUAGE sql IMMUTABLE
AS $f$ SELECT CASE WHEN key ~ '^[0-9]{1,18}$' THEN CAST(key AS bigint) END $f$;

CREATE FUNCTION salesflow_gone_at(ent text, key text) RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $f$
    SELECT COALESCE(MAX(l.command_id), 0) FROM change_log l WHERE l.entity = ent AND l.entity_id = key AND l.op = 'delete'
$f$;

DROP POLICY read_by_row ON change_log;
CREATE POLICY read_by_row ON change_log FOR SELECT USING (
    by = current_user OR (SELECT salesflow_role(current_user)) = 'admin' OR ((CASE entity
        WHEN 'deal' THEN EXISTS (SELECT 1 FROM deal d WHERE d.id = salesflow_id(entity_id))
        WHEN 'touch' THEN EXISTS (SELECT 1 FROM touch t WHERE t.id = salesflow_id(entity_id))
        WHEN 'stage_event' THEN EXISTS (SELECT 1 FROM stage_event e WHERE e.id = salesflow_id(entity_id))
        WHEN 'action_done' THEN EXISTS (SELECT 1 FROM action_done a WHERE a.id = salesflow_id(entity_id))
        WHEN 'escalation' THEN EXISTS (SELECT 1 FROM escalation e WHERE e.id = salesflow_id(entity_id))
        WHEN 'touch_score' THEN EXISTS (SELECT 1 FROM touch_score s WHERE s.id = salesflow_id(entity_id))
        ELSE false END) AND command_id > salesflow_gone_at(entity, entity_id)));

DROP POLICY write_own ON change_log;
CREATE POLICY write_own ON change_log FOR INSERT WITH CHECK ((SELECT salesflow_role(current_user)) = 'admin'
    OR (by = current_user AND salesflow_command_by(command_id) = current_user AND ((CASE entity
        WHEN 'deal' THEN EXISTS (SELECT 1 FROM deal d WHERE d.id = salesflow_id(entity_id))
        WHEN 'touch' THEN EXISTS (SELECT 1 FROM touch t WHERE t.id = salesflow_id(entity_id))
        WHEN 'stage_event' THEN EXISTS (SELECT 1 FROM stage_event e WHERE e.id = salesflow_id(entity_id))
        WHEN 'action_done' THEN EXISTS (SELECT 1 FROM action_done a WHERE a.id = salesflow_id(entity_id))
        WHEN 'escalation' THEN EXISTS (SELECT 1 FROM escalation e WHERE e.id = salesflow_id(entity_id))
        WHEN 'touch_score' THEN EXISTS (SELECT 1 FROM touch_score s WHERE s.id = salesflow_id(entity_id))
        WHEN 'customer' THEN (SELECT salesflow_role(current_user)) = 'manager'
            OR EXISTS (SELECT 1 FROM deal d WHERE d.customer_id = salesflow_id(entity_id))
            OR salesflow_no_deals(salesflow_id(entity_id))
        WHEN 'contact' THEN (SELECT salesflow_role(current_user)) = 'manager'
            OR EXISTS (SELECT 1 FROM contact c WHERE c.id = salesflow_id(entity_id)
                       AND (EXISTS (SELECT 1 FROM deal d WHERE d.customer_id = c.customer_id)
                            OR salesflow_no_deals(c.customer_id)))
        WHEN 'target' THEN (SELECT salesflow_role(current_user)) = 'manager'
        WHEN 'notice' THEN true
        ELSE false END) OR (op = 'delete' AND salesflow_row_gone(entity, entity_id)))));

DO $$
DECLARE t text;
BEGIN
    -- every row a rep's role writes: only a rep of this database (salesflow_user spans the cluster's
    -- salesflow databases), and ids no further than the next one (a forged huge id would push every
    -- later id out of range); change-log ids come from their sequence only
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname != 'schema_migrations' LOOP
        IF EXISTS (SELECT 1 FROM information_schema.columns i WHERE i.table_schema = current_schema()
                   AND i.table_name = t AND i.column_name = 'id' AND i.is_identity = 'YES') AND t != 'change_log' THEN
            EXECUTE format('CREATE POLICY a_rep_here ON %I AS RESTRICTIVE FOR INSERT TO salesflow_user WITH CHECK'
                           ' ((SELECT salesflow_role(current_user)) IS NOT NULL AND id <= salesflow_next_id(%L))', t, t);
            EXECUTE format('CREATE POLICY ids_kept ON %I AS RESTRICTIVE FOR UPDATE TO salesflow_user USING (true)'
                           ' WITH CHECK (id <= salesflow_next_id(%L))', t, t);
        ELSE
            EXECUTE format('CREATE POLICY a_rep_here ON %I AS RESTRICTIVE FOR INSERT TO salesflow_user WITH CHECK'
                           ' ((SELECT salesflow_role(current_user)) IS NOT NULL)', t);
        END IF;
    END LOOP;
END $$;
REVOKE INSERT ON change_log FROM salesflow_user;
GRANT INSERT (command_id, entity, entity_id, op, field, old, new, at, by) ON change_log TO salesflow_user;

-- derived facts are a deal's, as its owner has it: no rows for deals one cannot see, or that are not there
CREATE POLICY of_a_deal ON deal_fact AS RESTRICTIVE FOR INSERT TO salesflow_user WITH CHECK (EXISTS (SELECT 1 FROM deal d WHERE d.id = deal_id AND d.owner IS NOT DISTINCT FROM deal_fact.owner
    AND d.pipeline = deal_fact.pipeline AND d.status = deal_fact.status AND d.stage = deal_fact.stage
    AND d.amount = deal_fact.amount AND d.close_date IS NOT DISTINCT FROM deal_fact.close_date
    AND d.created_at = deal_fact.created_at AND d.closed_at IS NOT DISTINCT FROM deal_fact.closed_at));
CREATE POLICY of_a_deal_kept ON deal_fact AS RESTRICTIVE FOR UPDATE TO salesflow_user USING (true) WITH CHECK (EXISTS (SELECT 1 FROM deal d WHERE d.id = deal_id AND d.owner IS NOT DISTINCT FROM deal_fact.owner
    AND d.pipeline = deal_fact.pipeline AND d.status = deal_fact.status AND d.stage = deal_fact.stage
    AND d.amount = deal_fact.amount AND d.close_date IS NOT DISTINCT FROM deal_fact.close_date
    AND d.created_at = deal_fact.created_at AND d.closed_at IS NOT DISTINCT FROM deal_fact.closed_at));
CREATE POLICY of_a_deal ON stage_days AS RESTRICTIVE FOR INSERT TO salesflow_user
    WITH CHECK (EXISTS (SELECT 1 FROM deal d WHERE d.id = deal_id AND d.owner IS NOT DISTINCT FROM stage_days.owner));
CREATE POLICY of_a_deal_kept ON stage_days AS RESTRICTIVE FOR UPDATE TO salesflow_user USING (true)
    WITH CHECK (EXISTS (SELECT 1 FROM deal d WHERE d.id = deal_id AND d.owner IS NOT DISTINCT FROM stage_days.owner));

-- a spot-check score is the manager's record of a rep's touch: the rep reads it, managers write it
CREATE POLICY managers_score ON touch_score AS RESTRICTIVE FOR INSERT TO salesflow_user
    WITH CHECK ((SELECT salesflow_role(current_user)) IN ('manager', 'admin'));
CREATE POLICY managers_rescore ON touch_score AS RESTRICTIVE FOR UPDATE TO salesflow_user
    USING ((SELECT salesflow_role(current_user)) IN ('manager', 'admin'));
CREATE POLICY managers_unscore ON touch_score AS RESTRICTIVE FOR DELETE TO salesflow_user
    USING ((SELECT salesflow_role(current_user)) IN ('manager', 'admin'));

DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'salesflow\\_%'
               AND (p.prosecdef OR p.prorettype = 'trigger'::regtype) LOOP  -- salesflow_sees stays inlinable
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
END $$;
"""

# Ordered; each name is recorded in _sqlite_migrations (set "salesflow") when applied.
MIGRATIONS: list[tuple[str, object]] = [
    ("m001_initial", M001_INITIAL),
    ("m002_views", M002_VIEWS),
    ("m003_history", M003_HISTORY),
    ("m004_activity", M004_ACTIVITY),
    ("m005_playbooks", M005_PLAYBOOKS),
    ("m006_facts", m006_facts),  # DDL, then the facts of the deals already there
    ("m007_access", M007_ACCESS),  # nothing on SQLite
    ("m008_pipeline_order", M008_PIPELINE_ORDER),
    ("m009_sharing", M009_SHARING),  # nothing on SQLite
]
NAMES = [name for name, _ in MIGRATIONS]

# The same history for PostgreSQL (store/pg.py records it in schema_migrations). No PostgreSQL database
# predates m006, so its facts migration is the tables alone: a new database has no deals to derive from.
PG_MIGRATIONS: list[tuple[str, str]] = [
    ("m001_initial", pg_form(M001_INITIAL)),
    ("m002_views", M002_VIEWS_PG),
    ("m003_history", pg_form(M003_HISTORY)),
    ("m004_activity", pg_form(M004_ACTIVITY)),
    ("m005_playbooks", pg_form(M005_PLAYBOOKS)),
    ("m006_facts", pg_form(M006_FACTS)),
    ("m007_access", M007_ACCESS_PG),
    ("m008_pipeline_order", M008_PIPELINE_ORDER_PG),
    ("m009_sharing", M009_SHARING_PG),
]
assert [name for name, _ in PG_MIGRATIONS] == NAMES, "one numbered history for both dialects"
