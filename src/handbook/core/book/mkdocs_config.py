"""An MkDocs site's ``mkdocs.yml`` read as plain data: nothing from the site runs.

``mkdocs.yml`` is read with a YAML loader that builds only plain data: ``!!python/name:``,
``!!python/object`` and any other tag become :class:`Placeholder` values; ``hooks:`` and
``plugins:`` are not acted on. Also the extensions a site may name, the ``toc`` slugs
(:func:`site_slugify`) and a page's metadata. Both the site's loader (``book/mkdocs.py``) and
its renderer (``render/mkdocs.py``) read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from handbook.core.book.errors import BookError
from handbook.core.book.model import BookProblem

MAX_CONFIG_BYTES = 1024 * 1024
MAX_NAV_ENTRIES = 20_000  # nav entries (and configuration values) visited at most


Slugify = Callable[[str, str], str]


# the extensions a site may name (either spelling), and the module each one loads
ALLOWED_EXTENSIONS: dict[str, str] = {
    name: f"markdown.extensions.{name}"
    for name in (
        "abbr", "admonition", "attr_list", "def_list", "footnotes", "tables", "toc",
        "md_in_html", "fenced_code", "sane_lists", "smarty", "nl2br", "meta", "extra",
    )
} | {
    f"pymdownx.{name}": f"pymdownx.{name}"
    for name in (
        "details", "superfences", "tabbed", "blocks.tab", "blocks.admonition",
        "blocks.details", "snippets", "highlight", "inlinehilite", "mark", "tilde", "caret",
        "keys", "betterem", "smartsymbols", "emoji", "arithmatex", "tasklist", "saneheaders",
        "magiclink", "critic", "escapeall", "blocks.html", "blocks.definition", "caption",
    )
}  # fmt: skip


ALWAYS = ("toc", "tables", "fenced_code")  # MkDocs adds these to every site


class Placeholder(str):
    """A tagged YAML value (``!!python/name:x``, ``!ENV X``...) kept as text, never built."""

    tag: str = ""


class _SiteLoader(yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader that turns every tag it does not know into a :class:`Placeholder`."""


def _placeholder(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Placeholder:
    if isinstance(node, yaml.ScalarNode):
        value = Placeholder(f"{node.tag} {node.value}".strip())
    else:
        value = Placeholder(node.tag)
    value.tag = node.tag
    if isinstance(node, yaml.MappingNode):  # object/apply with kwds: kept for the slugs
        value.kwds = _plain(loader.construct_mapping(node, deep=True))  # type: ignore[attr-defined]
    return value


def _plain(value: Any) -> Any:
    return value if isinstance(value, dict) else {}


_SiteLoader.add_multi_constructor("tag:yaml.org,2002:python/", _placeholder)
_SiteLoader.add_multi_constructor("!", _placeholder)
_SiteLoader.add_multi_constructor("tag:", _placeholder)


def read_yaml(text: str) -> Any:
    """YAML as plain data; tagged values are :class:`Placeholder` (raises ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=_SiteLoader)  # a SafeLoader: builds no objects


@dataclass(frozen=True)
class SiteConfig:
    """What handbook uses of ``mkdocs.yml``, types checked."""

    path: Path
    site_name: str = ""
    docs_dir: str = "docs"
    nav: Any = None
    exclude_docs: str = ""
    draft_docs: str = ""
    not_in_nav: str = ""
    extensions: tuple[tuple[str, dict[str, Any]], ...] = ()  # (name, its configuration)
    literate_nav: str | None = None  # literate-nav's nav file name, when that plugin is listed
    text: str = ""
    problems: tuple[BookProblem, ...] = field(default=(), compare=False)

    def line_of(self, value: str) -> int | None:
        """The first line of mkdocs.yml naming ``value`` (for messages)."""
        index = self.text.find(value) if value else -1
        return self.text.count("\n", 0, index) + 1 if index >= 0 else None


def read_site_config(path: Path) -> SiteConfig:
    """``mkdocs.yml`` at ``path``; a broken file is a problem and the defaults are used."""
    from handbook.core.book.files import _decode, _read_file, _Unreadable

    try:
        data = _read_file(path)
        if len(data) > MAX_CONFIG_BYTES:
            raise _Unreadable(f"is over {MAX_CONFIG_BYTES // 1024} KB; it is not read")
        text = _decode(data)
    except _Unreadable as exc:
        raise BookError(exc.message, path, exc.line) from None
    try:
        loaded = read_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = f"not valid YAML ({exc.problem or exc}); the defaults are used"
        return SiteConfig(path, text=text, problems=(BookProblem(path, line, message),))
    except (yaml.YAMLError, RecursionError) as exc:
        message = f"not valid YAML ({type(exc).__name__}); the defaults are used"
        return SiteConfig(path, text=text, problems=(BookProblem(path, None, message),))
    if not isinstance(loaded, dict):
        message = "is not a mapping of settings; the defaults are used"
        return SiteConfig(path, text=text, problems=(BookProblem(path, 1, message),))
    return _config_from(path, text, loaded)


def _config_from(path: Path, text: str, data: dict[str, Any]) -> SiteConfig:
    problems: list[BookProblem] = []

    def text_setting(key: str, default: str) -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return "\n".join(value)
        if isinstance(value, str) and not isinstance(value, Placeholder):
            return value
        problems.append(BookProblem(path, _line(text, key), f"{key} must be text; it is ignored"))
        return default

    return SiteConfig(
        path=path,
        site_name=text_setting("site_name", "").strip(),
        docs_dir=text_setting("docs_dir", "docs").strip() or "docs",
        nav=data.get("nav"),
        exclude_docs=text_setting("exclude_docs", ""),
        draft_docs=text_setting("draft_docs", ""),
        not_in_nav=text_setting("not_in_nav", ""),
        extensions=_extensions(data.get("markdown_extensions"), path, text, problems),
        literate_nav=_literate_nav(data.get("plugins")),
        text=text,
        problems=tuple(problems),
    )


def _line(text: str, key: str) -> int | None:
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _extensions(
    value: Any, path: Path, text: str, problems: list[BookProblem]
) -> tuple[tuple[str, dict[str, Any]], ...]:
    """``markdown_extensions`` as (name, config) pairs, in the site's order."""
    items: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        for entry in value[:MAX_NAV_ENTRIES]:
            if isinstance(entry, dict):
                items.extend(list(entry.items())[:1])
            else:
                items.append((entry, None))
    elif value is not None:
        line = _line(text, "markdown_extensions")
        problems.append(BookProblem(path, line, "markdown_extensions must be a list; ignored"))
    out: list[tuple[str, dict[str, Any]]] = []
    for name, config in items:
        if isinstance(name, str) and not isinstance(name, Placeholder):
            out.append((name, config if isinstance(config, dict) else {}))
    return tuple(out)


def _literate_nav(plugins: Any) -> str | None:
    entries: list[Any] = []
    if isinstance(plugins, dict):
        entries = [{k: v} for k, v in list(plugins.items())[:1000]]
    elif isinstance(plugins, list):
        entries = plugins[:1000]
    for entry in entries:
        if entry == "literate-nav":
            return "SUMMARY.md"
        if isinstance(entry, dict) and "literate-nav" in entry:
            options = entry["literate-nav"]
            name = options.get("nav_file") if isinstance(options, dict) else None
            return name if isinstance(name, str) and "/" not in name else "SUMMARY.md"
    return None


def allowed_extensions(config: SiteConfig) -> tuple[list[str], list[str]]:
    """(the modules of the site's extensions that are allowed, in its order; those ignored)."""
    modules: list[str] = []
    ignored: list[str] = []
    for name in [*ALWAYS, *(name for name, _ in config.extensions)]:
        module = ALLOWED_EXTENSIONS.get(name.removeprefix("markdown.extensions."))
        if module is None:
            ignored.append(name)
        elif module not in modules:
            modules.append(module)
    return modules, ignored


def _ignored_extensions(config: SiteConfig) -> list[BookProblem]:
    line = _line(config.text, "markdown_extensions")
    return [
        BookProblem(
            config.path,
            config.line_of(name) or line,
            f"markdown_extensions: '{name}' is not one handbook reads; it is ignored",
        )
        for name in allowed_extensions(config)[1]
    ]


def site_slugify(config: SiteConfig) -> Slugify:
    """The ``toc`` extension's ``slugify``: its default, or one of pymdownx.slugs / toc's own
    named in mkdocs.yml (built here from the allow-list; nothing else is imported)."""
    from markdown.extensions import toc

    slugify: Slugify = toc.slugify
    slugify_unicode: Slugify = toc.slugify_unicode

    for name, options in config.extensions:
        if name.removeprefix("markdown.extensions.") != "toc":
            continue
        chosen = options.get("slugify")
        if not isinstance(chosen, Placeholder):
            return slugify
        tag = chosen.tag.rsplit(":", 1)[-1]
        if tag.endswith("slugify_unicode") or tag == "pymdownx.slugs.uslugify":
            return slugify_unicode
        if tag.startswith("pymdownx.slugs."):
            from pymdownx import slugs

            kwds = getattr(chosen, "kwds", {}).get("kwds", {})
            if tag == "pymdownx.slugs.slugify" and isinstance(kwds, dict):
                allowed = {k: v for k, v in kwds.items() if k in ("case", "percent_encode")}
                made: Slugify = slugs.slugify(**allowed)
                return made
            return slugify_unicode
    return slugify


_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


_META = re.compile(r"^[ ]{0,3}([A-Za-z0-9_-]+):\s*(.*)")


_META_MORE = re.compile(r"^(?:[ ]{4}|\t)\s*(.*)")


def split_metadata(text: str) -> tuple[str, dict[str, str]]:
    """(the page without its metadata, the metadata's text values): YAML front matter, or
    MultiMarkdown ``key: value`` lines at the top, as MkDocs reads them."""
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            data = read_yaml(match.group(1)[:MAX_CONFIG_BYTES])
        except (yaml.YAMLError, RecursionError):
            return text, {}
        if not isinstance(data, dict):
            return text, {}
        values = {str(k).lower(): v for k, v in data.items() if isinstance(v, str)}
        return text[match.end() :].lstrip("\n"), values
    lines = text.split("\n")
    meta: dict[str, str] = {}
    key = None
    consumed = 0
    for line in lines[:1000]:
        if not line.strip():
            consumed += 1
            break
        if m := _META.match(line):
            key = m.group(1).lower()
            meta[key] = (meta.get(key, "") + " " + m.group(2).strip()).strip()
        elif (more := _META_MORE.match(line)) and key:
            meta[key] += " " + more.group(1).strip()
        else:
            break
        consumed += 1
    if not meta:
        return text, {}
    return "\n".join(lines[consumed:]).lstrip("\n"), meta
