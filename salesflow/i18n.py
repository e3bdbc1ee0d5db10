"""Every message a person reads, in English or Chinese, through a gettext catalog.

Messages are written in English in the code and wrapped in `_()`: `_("no rep {name!r}").format(name=x)`
(placeholders are named, so a translation may put them in its own order). `N_()` marks a string that is
translated later, where it is shown (a column label defined at import time). The Chinese is in
`salesflow/locale/zh/LC_MESSAGES/salesflow.po`; on first use it is compiled to a `.mo` by Babel into the
user cache directory (again whenever the .po changes), and the standard library's gettext reads that.

The language is chosen once per command (`use`): `--lang`, else `SALESFLOW_LANG`, else the locale
(`LC_ALL`, `LC_MESSAGES`, `LANG`: `zh_CN.UTF-8` → zh). English needs no catalog.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext

DOMAIN = "salesflow"
LANGUAGES = ("en", "zh")
_translation: gettext.NullTranslations | None = None  # None: English, the messages as written (nothing loaded)
_lang = "en"


def _(message: str) -> str:
    """The message in the current language ("" stays "": gettext would give the catalog's header)."""
    return _translation.gettext(message) if _translation is not None and message else message


def N_(message: str) -> str:
    """Marks a message for the catalog, translated later with `_()` where it is shown."""
    return message


def current() -> str:
    return _lang


def use(lang: str) -> None:
    """Show every message in `lang` from now on (en or zh)."""
    global _translation, _lang
    _lang = lang if lang in LANGUAGES else "en"
    _translation = None if _lang == "en" else _load(_lang)  # English loads nothing: every command starts fast


def po_path(lang: str) -> Path:
    return Path(__file__).resolve().parent / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _load(lang: str) -> gettext.NullTranslations:
    import gettext

    po = po_path(lang)
    try:
        stat = po.stat()
    except OSError:
        return gettext.NullTranslations()  # a broken install: English rather than a crash
    built = po.with_suffix(".mo")  # compiled when the package was built, if it was
    try:
        if built.stat().st_mtime_ns >= stat.st_mtime_ns:
            with open(built, "rb") as fp:
                return gettext.GNUTranslations(fp)
    except OSError:
        pass
    cached = _cache_dir() / f"{DOMAIN}-{lang}-{stat.st_mtime_ns}-{stat.st_size}.mo"
    try:
        with open(cached, "rb") as fp:
            return gettext.GNUTranslations(fp)
    except OSError:
        pass
    data = compile_po(po)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        partial.replace(cached)
    except OSError:
        pass  # a read-only home: compile again next time
    import io

    return gettext.GNUTranslations(io.BytesIO(data))


def compile_po(po: Path) -> bytes:
    """A .po file as .mo bytes (Babel; only when the catalog changed since the last compile)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as fp:
        catalog = read_po(fp)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def _cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("salesflow", appauthor=False))


def from_locale(environ: dict[str, str]) -> str | None:
    """zh when the locale says Chinese (LC_ALL, then LC_MESSAGES, then LANG, as gettext reads them)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return None
