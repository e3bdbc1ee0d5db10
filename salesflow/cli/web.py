"""`datasette`: the database and the CLI's reports in a browser, read-only (Datasette, the `web` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

from salesflow.cli.app import command_module
from salesflow.cli.env import resolve

commands = command_module()


@commands.command("datasette", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def datasette(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8001,
    host: Annotated[str, typer.Option("--host", help="Address to bind; 0.0.0.0 shares it with the network (think first).")] = "127.0.0.1",
) -> None:
    """Browse the database in Datasette (read-only), with the CLI's reports as tables and canned queries.
    Arguments after `--` go to Datasette, e.g. `salesflow datasette -- --setting default_page_size 50`."""
    import importlib.util
    import json
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from salesflow.app.web import REPORTS, check_arguments, check_free, check_name, check_port, metadata, snapshot
    from salesflow.domain.errors import BadInput
    from salesflow.i18n import _

    env = resolve(ctx)
    check_port(port)
    check_arguments(ctx.args)
    check_name(env.db_path)
    if importlib.util.find_spec("datasette") is None:
        raise BadInput(_("Datasette is not installed"), hint=_("install it with: pip install 'salesflow[web]'"))
    check_free(host, port)
    conn = env.conn()
    with tempfile.TemporaryDirectory(prefix="salesflow-web-") as tmp:
        reports = Path(tmp) / f"{REPORTS}.db"
        snapshot(conn, env.now, reports)
        conn.close()
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(env.db_path.stem, env.now), ensure_ascii=False), encoding="utf-8")
        # the live database is not "immutable" (Datasette would read a file that changes as corrupt); Datasette
        # itself only runs read-only SQL on it. The snapshot is ours and never changes.
        command = [sys.executable, "-m", "datasette", "serve", str(env.db_path), "-i", str(reports),
                   "--metadata", str(meta), "--host", host, "--port", str(port), *ctx.args]
        print(_("serving {db} read-only at http://{host}:{port}/ — reports as of {now:%Y-%m-%d %H:%M}; Ctrl-C stops").format(
            db=env.db_path, host=host, port=port, now=env.now), file=sys.stderr)
        import signal

        # Ctrl-C is the way to stop a server: the terminal sends it to Datasette too, which stops; this
        # process waits for it, then removes the snapshot. A SIGTERM (a service manager) is passed on.
        child = subprocess.Popen(command)
        previous = {signal.SIGINT: signal.signal(signal.SIGINT, lambda *_args: None),
                    signal.SIGTERM: signal.signal(signal.SIGTERM, lambda *_args: child.terminate()),
                    # a closed terminal: stop Datasette too, and remove the snapshot (it holds the deals)
                    signal.SIGHUP: signal.signal(signal.SIGHUP, lambda *_args: child.terminate())}
        try:
            code = child.wait()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    if code not in (0, -signal.SIGINT, -signal.SIGTERM, -signal.SIGHUP, 130, 143):
        raise BadInput(_("Datasette stopped with an error (exit {code}); its messages are above").format(code=code),
                       hint=_("salesflow datasette --help"))
