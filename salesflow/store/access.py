"""Who may see and change what, on PostgreSQL: database roles for reps and the row-level security that
schema.M007_ACCESS_PG declares (read there what each role sees). SQLite, a single-user file, has neither.

A rep logs in as a role named by their handle, a member of `salesflow_user` (which holds the table
privileges); `rep add HANDLE --login` / `rep set HANDLE --login` create that role or link an existing one.
Authentication (a password, a certificate, peer or LDAP) is the server administrator's: salesflow never
sees a password.
"""

from __future__ import annotations

from dataclasses import dataclass

GROUP = "salesflow_user"


def quote_name(name: str) -> str:
    """A role name as an SQL identifier (handles may hold '.' and '-')."""
    return '"' + name.replace('"', '""') + '"'


def link_login(conn, handle: str) -> bool:
    """Give the rep a login: create the role (LOGIN, no password) or grant an existing one the group.
    True when the role was created. In the caller's transaction: a refused command creates no role."""
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (handle,)).fetchone() is not None
    if not exists:
        conn.execute(f"CREATE ROLE {quote_name(handle)} LOGIN")
    conn.execute(f"GRANT {GROUP} TO {quote_name(handle)}")
    return not exists


def tables_without_rls(conn) -> list[str]:
    """salesflow's tables on which row-level security is not enabled (doctor)."""
    return [r[0] for r in conn.execute(
        """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname != 'schema_migrations'
             AND NOT c.relrowsecurity ORDER BY c.relname""")]


def collation(conn) -> str:
    """The database's text collation (C sorts by bytes, as SQLite does)."""
    return conn.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()").fetchone()[0]


def deals_hidden(conn, customer_id: int) -> int:
    """How many of the customer's deals the reader cannot see (always 0 on SQLite, where all is seen)."""
    from salesflow.store import dialect

    if not dialect.is_pg(conn):
        return 0
    return conn.execute("SELECT salesflow_deals_of(?) - (SELECT count(*) FROM deal WHERE customer_id = ?)",
                        (customer_id, customer_id)).fetchone()[0]


@dataclass(frozen=True)
class Reach:
    """What a rep's role may write on PostgreSQL: the deals of these owners, and the unassigned ones."""

    owners: frozenset[str]


def reach(conn) -> Reach | None:
    """None where every row may be written: SQLite; on PostgreSQL an admin's role or the tables' owner."""
    from salesflow.store import dialect

    if not dialect.is_pg(conn):
        return None
    if conn.execute("SELECT salesflow_role(current_user)").fetchone()[0] in (None, "admin"):
        return None
    return Reach(frozenset(r[0] for r in conn.execute("SELECT handle FROM rep WHERE salesflow_sees(handle)")))


def deal_taken(conn, deal_id: int | None, key: str | None) -> bool:
    """Whether a deal with this id or external id is here, seen or not (PostgreSQL, past the policies)."""
    return bool(conn.execute("SELECT salesflow_deal_taken(?, ?)", (deal_id, key)).fetchone()[0])
