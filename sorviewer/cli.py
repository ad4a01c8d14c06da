"""The headless command line: the same queries as the window, for scripts and tests.

`python -m sorviewer COMMAND FILE ...` (docs/ARCHITECTURE.md, "The command line").
Exit codes: 0 ok, 2 usage error, 3 the file cannot be read as SOR, 4 the id or
code asked for does not exist in the file, 1 an error in the program itself. Never
a traceback: every failure is one line on stderr; an internal error's traceback goes
to a log file that line names (docs/ARCHITECTURE.md, "Errors"). Text from the file
(names, headers, member names) is printed with its control characters replaced, so
a file cannot send escape sequences to the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import re
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from .errors import LoadCancelled, LoadError
from .jsondoc import dumps
from .messages import clean_text

if TYPE_CHECKING:
    from .api import Register

EXIT_OK, EXIT_USAGE, EXIT_UNREADABLE, EXIT_UNKNOWN = 0, 2, 3, 4


class CliError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_SHAK_CODE = re.compile(r"[A-Za-z0-9]{4,7}", re.ASCII)
_SHAK_PREFIX = re.compile(r"[A-Za-z0-9]{1,7}", re.ASCII)


def _date(text: str) -> dt.date:
    """A date argument: strictly YYYY-MM-DD (the contract's only form; the window's date
    box is where Danish dd-mm-yyyy is accepted)."""
    if _ISO_DATE.fullmatch(text) is None:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from exc


def _sor_id(text: str) -> str:
    t = text.strip()
    if not (t.isascii() and t.isdigit()) or len(t) > 18:
        raise argparse.ArgumentTypeError(f"not a SOR id (up to 18 digits): {text!r}")
    return t


def _sor_ids(text: str) -> list[str]:
    """`--ids A,B,...`: checked while the arguments are parsed, before the file is read."""
    parts = [p for p in (x.strip() for x in text.split(",")) if p]
    if not parts:
        raise argparse.ArgumentTypeError(f"no SOR ids in {text!r} (use --ids A,B)")
    return [_sor_id(p) for p in parts]


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if n < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return n


def _depth(text: str) -> int:
    n = _positive(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (1 = roots only): {text!r}")
    return n


def _check_shak_code(args: argparse.Namespace) -> None:
    """A SHAK code is 4-7 letters or digits (docs/FORMATS.md, "Identifiers"); a --prefix 1-7."""
    code = args.shak_id.strip()
    pattern = _SHAK_PREFIX if args.prefix else _SHAK_CODE
    if pattern.fullmatch(code) is None:
        what = "a SHAK code prefix (1-7" if args.prefix else "a SHAK code (4-7"
        raise CliError(EXIT_USAGE, f"{args.shak_id!r} is not {what} letters or digits).")
    args.shak_id = code


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="sorviewer",
        description="Offline queries over a SOR download (Sor_complete.zip, "
        "SorEntity_daily.csv or the XML sor.zip).",
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def cmd(name: str, help_text: str, *, file: bool = True) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_text, description=help_text)
        if file:
            c.add_argument("file", help="the SOR download to read (it is never modified)")
            c.add_argument(
                "--as-of",
                type=_date,
                default=None,
                metavar="YYYY-MM-DD",
                help="the date to look at (default: today)",
            )
            c.add_argument("--json", action="store_true", help="print one JSON document")
            c.add_argument("--no-cache", action="store_true", help="do not use the load cache")
        return c

    cmd("info", "what the file is: format, tables, units, dates, warnings")
    c = cmd("tree", "the organisational tree at the date")
    c.add_argument("--root", type=_sor_id, help="only the subtree of this SOR id")
    c.add_argument("--depth", type=_depth, help="levels to show (1 = roots only)")
    c.add_argument("--all", action="store_true", help="include closed and future units")
    c = cmd("show", "one unit at the date: attributes and where inherited values come from")
    c.add_argument("sor_id", type=_sor_id)
    c = cmd("history", "every version of one unit and the columns that changed")
    c.add_argument("sor_id", type=_sor_id)
    c = cmd("shak", "SOR units a SHAK code maps to at the date")
    c.add_argument("shak_id")
    c.add_argument("--prefix", action="store_true", help="match every code starting with SHAK_ID")
    c = cmd("sor-shak", "SHAK codes of one SOR unit at the date")
    c.add_argument("sor_id", type=_sor_id)
    c = cmd(
        "search",
        "find units by name, id, SHAK, EAN, provider number, postcode or town: every word, "
        "in any order (æ/ae, ø/oe/o and å/aa/a alike)",
    )
    c.add_argument("text")
    c.add_argument("--limit", type=_positive, default=50)
    c.add_argument("--all", action="store_true", help="include closed and future units")
    c = cmd("edi", "units under a unit that can receive an EDI message type")
    c.add_argument("--under", type=_sor_id, required=True)
    c.add_argument("--type", dest="edi_type", required=True, help="EdiId of the message type")
    c = cmd("changes", "units created, closed, moved, renamed and changed between two dates")
    c.add_argument("--from", dest="d1", type=_date, required=True, metavar="D1")
    c.add_argument("--to", dest="d2", type=_date, required=True, metavar="D2")
    cmd("quality", "data-quality findings at the date")
    cmd("report", "the load report: every problem found while reading the file")
    c = cmd("export", "write units at the date to CSV, XLSX or JSON")
    c.add_argument("-o", "--output", required=True)
    c.add_argument("--subtree", type=_sor_id)
    c.add_argument("--ids", type=_sor_ids, help="comma-separated SOR ids")
    c.add_argument("--format", choices=("csv", "csv-excel", "xlsx", "json"), default=None)
    c.add_argument("--all", action="store_true", help="include closed and future units")
    c.add_argument(
        "--provenance",
        action="store_true",
        help="add a ...Source column after each inheritable group (own, inherited:<SorId> "
        "or none); without it the columns are the file's, with effective values, plus Status",
    )
    _find_arguments(cmd("find", "units matching filters, as a table (effective values)"))

    c = sub.add_parser(
        "diff",
        help="what changed between two downloads (OLD and NEW, any formats)",
        description="What changed between two downloads: units created, closed, moved, "
        "renamed and changed, SHAK mappings and EAN/EDI types added and removed. Each file "
        "is read as of its own snapshot date unless --as-of puts both at one date.",
    )
    c.add_argument("old", help="the earlier download (it is never modified)")
    c.add_argument("new", help="the later download (it is never modified)")
    c.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="read both files as of this date (shows corrections made to the past)",
    )
    c.add_argument(
        "--under",
        type=_sor_id,
        metavar="SORID",
        help="only this unit and the units below it (in either file)",
    )
    c.add_argument("--json", action="store_true", help="print one JSON document")
    c.add_argument("--no-cache", action="store_true", help="do not use the load cache")
    c.add_argument(
        "--format",
        choices=("csv", "xlsx", "json"),
        default=None,
        help="the format of -o OUT (default: from its name, else csv)",
    )
    c.add_argument(
        "-o", "--output", metavar="OUT", help="write the differences as a table to this file"
    )

    g = cmd("generate", "write a synthetic register (for tests and benchmarks)", file=False)
    g.add_argument("-o", "--output", required=True)
    g.add_argument("--entities", type=_positive, default=2000)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--format", choices=("sor2-zip", "sor2-csv", "sor-xml"), default="sor2-zip")
    g.add_argument("--xml-version", choices=("1.0.0", "2.0.0"), default="1.0.0")
    g.add_argument("--dialect", default="default", help="comma-separated quirk options")
    g.add_argument("--snapshot", type=_date, default=None, help="the register's 'today'")
    g.add_argument(
        "--known-on",
        type=_date,
        default=None,
        help="write the earlier download of this day of the same register",
    )
    return p


def _load(path: str, use_cache: bool) -> Register:
    from . import load

    try:
        return load(path, use_cache=use_cache)
    except LoadError as exc:
        raise CliError(EXIT_UNREADABLE, str(exc)) from exc
    except LoadCancelled as exc:  # pragma: no cover - no cancel on the CLI
        raise CliError(EXIT_UNREADABLE, "Loading was cancelled.") from exc


def _unknown(what: str) -> CliError:
    return CliError(EXIT_UNKNOWN, f"{what} does not occur anywhere in this file.")


#: characters JSON leaves raw with ensure_ascii=False that a terminal may still obey
#: (DEL, the C1 controls such as the one-byte CSI, the Unicode line separators)
_JSON_RAW_CONTROLS = {c: f"\\u{c:04x}" for c in [0x7F, *range(0x80, 0xA0), 0x2028, 0x2029]}


def _clean(text: str) -> str:
    return clean_text(text, limit=sys.maxsize)


def safe(value: Any) -> Any:
    """`value` (a query document) with every string in it, keys too, made safe to print
    on a terminal: control characters, escape sequences' ESC and line breaks become
    spaces (messages.clean_text, without its length limit). Iterative: a tree document
    is as deep as the hierarchy, and depth is data."""

    def leaf(v: Any) -> Any:
        return _clean(v) if isinstance(v, str) else v

    if not isinstance(value, (dict, list, tuple)):
        return leaf(value)
    top: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, top)]
    while stack:
        src, dst = stack.pop()
        items = src.items() if isinstance(src, dict) else enumerate(src)
        for k, v in items:
            if isinstance(v, (dict, list, tuple)):
                new: Any = {} if isinstance(v, dict) else []
                stack.append((v, new))
                v = new
            else:
                v = leaf(v)
            if isinstance(dst, dict):
                dst[leaf(k)] = v
            else:
                dst.append(v)
    return top


#: nesting levels indented in JSON and text output; deeper levels are not indented
#: further (a chain thousands deep would otherwise print a square of spaces)
MAX_INDENT = 50


def _emit(doc: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    if as_json:
        # json escapes the C0 controls itself; the rest are escaped here (still JSON)
        text = dumps(doc, deepest=MAX_INDENT)
        sys.stdout.write(text.translate(_JSON_RAW_CONTROLS) + "\n")
    else:
        text = human(safe(doc))
        sys.stdout.write(text + ("\n" if text and not text.endswith("\n") else ""))


#: plain-text lines are wrapped to about this many characters (lists of column names)
TEXT_WIDTH = 100


def _wrap(text: str, first: int, indent: int) -> list[str]:
    """`text` (a comma-separated list) in lines of at most TEXT_WIDTH characters: the
    first line starts at column `first`, the others are indented by `indent`. A list
    item is never split."""
    if first + len(text) <= TEXT_WIDTH:
        return [text]
    lines = textwrap.wrap(
        text,
        width=TEXT_WIDTH,
        initial_indent=" " * first,
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [lines[0][first:], *lines[1:]] if lines else [""]


def _table(rows: Sequence[Sequence[object]], header: Sequence[str], wrap_last: bool = False) -> str:
    """Columns padded to their widths; with `wrap_last` the last column (a list) wraps
    onto indented lines so no line is much longer than TEXT_WIDTH."""
    if not rows:
        return "(nothing)"
    cells = [[("" if v is None else str(v)) for v in r] for r in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    if not wrap_last:
        lines = [
            "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)
    start = sum(w + 2 for w in widths[:-1])
    widths[-1] = min(widths[-1], max(TEXT_WIDTH - start, len(header[-1])))
    lines = []
    for r in cells:
        lead = "".join(v.ljust(w + 2) for v, w in zip(r[:-1], widths[:-1], strict=True))
        parts = _wrap(r[-1], start, start)
        lines.append((lead + parts[0]).rstrip())
        lines += [p.rstrip() for p in parts[1:]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage line already
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _dispatch(args)
    except CliError as exc:
        print(f"sorviewer: {_clean(str(exc))}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "generate":
        from .synthetic import generate

        try:
            stats = generate(
                args.output,
                entities=args.entities,
                seed=args.seed,
                fmt=args.format,
                xml_version=args.xml_version,
                dialect=args.dialect,
                snapshot=args.snapshot,
                known_on=args.known_on,
            )
        except (ValueError, OSError) as exc:
            raise CliError(EXIT_USAGE, str(exc)) from exc
        print(f"wrote {args.output}: {stats}")
        return EXIT_OK

    if args.command == "diff":
        return _diff(args)

    # usage errors before the file is read: loading a full register takes seconds
    if args.command == "shak":
        _check_shak_code(args)
    reg = _load(args.file, use_cache=not args.no_cache)
    day: dt.date = args.as_of or dt.date.today()
    handler = _HANDLERS[args.command]
    handler(reg, day, args)
    return EXIT_OK


# --- command handlers -------------------------------------------------------------


#: table names that report rows read from an XML member carry: the XML reader's own,
#: and the register's checks of the unit rows (formats.sor_xml._TABLE, register.py)
_XML_REPORT_TABLES = ("Sor.xml", "SOREntity")


def _xml_member_stem(reg: Register) -> str:
    """The stem of the XML member as found (`Sor` for sor.zip's Sor.xml), or of the XML
    file itself; the reader keeps only the path of what was opened."""
    from .formats.detect import inspect

    path = reg.source.path
    base = path.replace("\\", "/").rsplit("/", 1)[-1]
    if base.lower().endswith(".xml"):
        return base[:-4]
    try:
        member = inspect(path).xml_member
    except (LoadError, OSError):
        member = None
    if not member:
        return "Sor"
    name = member.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:-4] if name.lower().endswith(".xml") else name


def _tables(reg: Register) -> dict[str, int]:
    """`info`'s tables: the member files as found with their rows. An XML download is one
    member (Sor.xml) holding the units; the reader's derived tables (LocationsCode,
    SORReplacedEntities) are not files of the download and are not listed."""
    src = reg.source
    if src.format != "sor-xml":
        return dict(src.table_rows)
    stem = _xml_member_stem(reg)
    # the reader counts the units under the file's stem, or "Sor" inside a zip
    rows = src.table_rows.get(stem, src.table_rows.get("Sor", len(reg.entities)))
    return {stem: rows}


def _info(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    src = reg.source
    lo, hi = reg.date_range()
    doc = {
        "format": src.format,
        "format_version": src.format_version,
        "snapshot_date": src.snapshot_date.isoformat() if src.snapshot_date else None,
        "has_history": src.has_history,
        "tables": _tables(reg),
        "entities": len(reg.ids),
        "date_range": [lo.isoformat() if lo else None, hi.isoformat() if hi else None],
        "warnings": reg.report.warnings,
    }

    def human(d: dict[str, Any]) -> str:
        lines = [
            f"File:          {_clean(src.path)}",
            f"Format:        {d['format']}"
            + (f" {d['format_version']}" if d["format_version"] else ""),
            f"Snapshot date: {d['snapshot_date'] or '-'}",
            f"History:       {'yes' if d['has_history'] else 'no (one day only)'}",
            f"Units:         {d['entities']}",
            f"Dates:         {d['date_range'][0]} .. {d['date_range'][1]}",
            f"Warnings:      {d['warnings']}",
            "Tables:",
        ]
        lines += [f"  {k}: {v} rows" for k, v in d["tables"].items()]
        return "\n".join(lines)

    _emit(doc, args.json, human)


#: heading of the orphans in the plain-text tree
MISSING_PARENT_HEADING = "Missing parent (parent not in the file at this date)"


def _tree(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    from .asof import tree

    if args.root and reg.entity_index(args.root) < 0:
        raise _unknown(f"SOR id {args.root}")
    doc = tree(reg, day, root=args.root, depth=args.depth, include_all=args.all)

    def human(nodes: list[dict[str, Any]]) -> str:
        out: list[str] = []

        def walk(top: dict[str, Any], indent: int) -> None:
            todo = [(top, indent)]  # depth first, children in order; no recursion
            while todo:
                n, level = todo.pop()
                lead = "  " * min(level, MAX_INDENT) + (f"({level}) " if level > MAX_INDENT else "")
                out.append(f"{lead}{n['name']}  [{n['sor_type'] or ''} {n['sor_id']}]")
                todo.extend((c, level + 1) for c in reversed(n["children"]))

        orphans = [n for n in nodes if n.get("missing_parent")]
        for n in nodes:
            if not n.get("missing_parent"):
                walk(n, 0)
        if orphans:
            out.append(MISSING_PARENT_HEADING)
            for n in orphans:
                walk(n, 1)
            print(
                f"sorviewer: {len(orphans)} unit{'s have' if len(orphans) != 1 else ' has'} "
                "a missing parent at this date.",
                file=sys.stderr,
            )
        return "\n".join(out) if out else "(no units at this date)"

    _emit(doc, args.json, human)


def _show(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    from .schema import GROUP_LABELS, label

    doc = reg.entity(args.sor_id, day)
    if doc is None:
        raise _unknown(f"SOR id {args.sor_id}")

    def human(d: dict[str, Any]) -> str:
        lines = [
            f"{d['name']}  (SOR {d['sor_id']}, {d['sor_type']}, {d['entity_type'] or '-'})",
            f"Status on {day.isoformat()}: {d['status']}  "
            f"(version {d['valid_from']} .. {d['valid_to'] or 'open'}; first {d['first_from']})",
            f"Parent: {d['parent_sor_id'] or '-'}",
            "Provenance:",
        ]
        for g, p in d["provenance"].items():
            src = ""
            if p["state"] == "inherited":
                src = f" from {p['from_sor_id']}" + (
                    f" ({p['from_group']})" if p["from_group"] else ""
                )
            lines.append(f"  {GROUP_LABELS[g][1]}: {p['state']}{src}")
        lines.append("Attributes:")
        for k, v in d["attributes"].items():
            if v is not None:
                lines.append(f"  {label(k, 'en')}: {v}")
        if d["replaced_by"]:
            lines.append(f"Replaced by: {', '.join(d['replaced_by'])}")
        if d["replaces"]:
            lines.append(f"Replaces: {', '.join(d['replaces'])}")
        for prob in d.get("problems", []):
            lines.append(f"! {prob}")
        return "\n".join(lines)

    _emit(doc, args.json, human)


def _history(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    if reg.entity_index(args.sor_id) < 0:
        raise _unknown(f"SOR id {args.sor_id}")
    doc = reg.history(args.sor_id)
    _emit(
        doc,
        args.json,
        lambda d: _table(
            [(v["valid_from"], v["valid_to"] or "open", ", ".join(v["changed"])) for v in d],
            ("from", "to", "changed"),
            wrap_last=True,
        ),
    )


def _shak(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    from .mapping import shak_to_sor

    doc = shak_to_sor(reg, args.shak_id, day, prefix=args.prefix)
    if doc is None:
        raise _unknown(f"SHAK code {args.shak_id}")
    _emit(
        doc,
        args.json,
        lambda d: _table(
            [
                (
                    *((r["shak_id"],) if args.prefix else ()),
                    r["sor_id"],
                    r["name"],
                    "direct" if r["direct"] else "inherited",
                    r["direct_sor_id"],
                )
                for r in d
            ],
            (*(("shak",) if args.prefix else ()), "sor_id", "name", "mapping", "attached to"),
        ),
    )


def _sor_shak(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    from .mapping import sor_to_shak

    doc = sor_to_shak(reg, args.sor_id, day)
    if doc is None:
        raise _unknown(f"SOR id {args.sor_id}")
    _emit(
        doc,
        args.json,
        lambda d: _table(
            [
                (
                    r["shak_id"],
                    r["name"],
                    "direct" if r["direct"] else "inherited",
                    r["direct_sor_id"],
                )
                for r in d
            ],
            ("shak", "name", "mapping", "attached to"),
        ),
    )


def _search(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    from .search import search

    doc = search(reg, args.text, day, limit=args.limit, include_all=args.all)
    _emit(
        doc,
        args.json,
        lambda d: _table(
            [(r["sor_id"], r["sor_type"], r["name"], r["matched"]) for r in d],
            ("sor_id", "level", "name", "matched"),
        ),
    )


def _edi(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    from .edi import known_edi_ids, recipients

    # both checks before the walk under the unit (a type no table in the file knows is
    # unknown in the whole file: an XML or daily file has no EDI table at all)
    if reg.entity_index(args.under) < 0:
        raise _unknown(f"SOR id {args.under}")
    if args.edi_type.strip() not in known_edi_ids(reg):
        raise _unknown(f"EDI type {args.edi_type.strip()!r}")
    doc = recipients(reg, args.under, args.edi_type, day)
    if doc is None:
        raise _unknown(f"SOR id {args.under}")
    _emit(
        doc,
        args.json,
        lambda d: _table(
            [(r["sor_id"], r["ean"], r["ean_state"]) for r in d], ("sor_id", "ean", "ean_state")
        ),
    )


def _changes(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    from .changes import changes

    if args.d2 < args.d1:
        raise CliError(EXIT_USAGE, "--from must not be after --to.")
    doc = changes(reg, args.d1, args.d2)

    def human(d: dict[str, Any]) -> str:
        out = []
        for key in ("created", "closed", "moved", "renamed", "changed"):
            out.append(f"{key}: {len(d[key])}")
            for item in d[key][:50]:
                extra = ""
                if key == "moved":
                    extra = f"  {item['from_parent']} -> {item['to_parent']}"
                elif key == "renamed":
                    extra = f"  (was {item['old_name']})"
                line = f"  {item['sor_id']}  {item.get('name') or ''}"
                if key == "changed":
                    # the column list on its own wrapped lines: it can name dozens of columns
                    parts = _wrap(", ".join(item["columns"]), 6, 6)
                    out += [line, "      " + parts[0], *parts[1:]]
                    continue
                if len(line) + len(extra) > TEXT_WIDTH:  # a long name: the move on its own line
                    out += [line, "      " + extra.strip()]
                else:
                    out.append(line + extra)
            if len(d[key]) > 50:
                out.append(f"  ... {len(d[key]) - 50} more (use --json)")
        return "\n".join(out)

    _emit(doc, args.json, human)


def _quality(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    from .quality import quality

    doc = quality(reg, day)
    _emit(
        doc,
        args.json,
        lambda d: _table(
            [(r["severity"], r["kind"], r["sor_id"] or "", r["message"]) for r in d],
            ("severity", "kind", "sor_id", "message"),
        ),
    )


def _report(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    names = None
    if reg.source.format == "sor-xml":
        stem = _xml_member_stem(reg)
        names = dict.fromkeys(_XML_REPORT_TABLES, stem)
    doc = reg.report.as_json(names)
    _emit(
        doc,
        args.json,
        lambda d: _table(
            [
                (r["severity"], r["table"], r["line"] or "", r["column"] or "", r["message"])
                for r in d
            ],
            ("severity", "table", "line", "column", "message"),
        ),
    )


def _export(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    from .export import inactive_ids, write_export

    fmt = args.format
    if fmt is None:
        suffix = args.output.rsplit(".", 1)[-1].lower() if "." in args.output else ""
        fmt = suffix if suffix in ("csv", "xlsx", "json") else "csv"
    ids: list[str] | None = args.ids
    for sid in [*(ids or []), *([args.subtree] if args.subtree else [])]:
        if reg.entity_index(sid) < 0:
            raise _unknown(f"SOR id {sid}")
    if ids and not args.all:
        left_out = inactive_ids(reg, day, ids)
        if left_out:
            n_out = len(left_out)
            print(
                f"sorviewer: {n_out} of the ids {'are' if n_out != 1 else 'is'} not active on "
                f"{day.isoformat()}; add --all to include {'them' if n_out != 1 else 'it'}.",
                file=sys.stderr,
            )
    try:
        # the contract's columns unless asked: other tools read this header
        n = write_export(
            reg,
            day,
            args.output,
            fmt,
            sor_ids=ids,
            subtree=args.subtree,
            include_all=args.all,
            naming="cli" if args.provenance else "plain",
        )
    except OSError as exc:
        raise CliError(EXIT_USAGE, f"Cannot write {args.output}: {exc.strerror or exc}.") from exc
    if not args.json:
        print(f"wrote {n} units to {args.output} ({fmt}, as of {day.isoformat()})")
    else:
        _emit(
            {"output": args.output, "format": fmt, "rows": n, "as_of": day.isoformat()}, True, str
        )


def _format_from_suffix(path: str) -> str:
    """The export format a file name asks for (csv when it says nothing we write)."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return suffix if suffix in ("csv", "xlsx", "json") else "csv"


# --- find ---------------------------------------------------------------------------


def _find_arguments(c: argparse.ArgumentParser) -> None:
    """`find`'s options (ARCHITECTURE.md, "find"); a comma means OR within a filter."""
    c.add_argument("--level", help="IE, SI, OE (comma-separated)")
    c.add_argument("--status", default="active", help="active, closed, future or all")
    c.add_argument("--entity-type", help="EntityTypeId or EntityTypeName")
    c.add_argument("--owner-type", help="InstitutionOwnerEntityTypeId or ...Name")
    c.add_argument("--speciality", help="any of the eight specialities (code or name)")
    c.add_argument("--main-speciality", help="the first speciality (code or name)")
    c.add_argument("--region", help="region code (or name) of the visiting address")
    c.add_argument("--municipality", help="municipality code of the visiting address")
    c.add_argument("--postcode", help="postcode P or range P1-P2 of the visiting address")
    c.add_argument("--town", help="town of the visiting address")
    c.add_argument("--ean", help="own, inherited or none")
    c.add_argument("--edi-type", help="EdiId of a message type the unit can receive")
    c.add_argument("--shak", help="the effective SHAK code starts with this")
    c.add_argument("--shak-direct", action="store_true", help="only units holding the code")
    c.add_argument("--under", help="SOR id: the unit and everything below it")
    c.add_argument("--text", help="the search columns, by the `search` rule")
    c.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="COLUMN=VALUE|COLUMN~VALUE",
        help="equal (=) or contains (~) on any column; repeatable",
    )
    c.add_argument("--columns", help="columns to add (effective values), comma-separated")
    c.add_argument("--count-by", metavar="COLUMN", help="count matching units per value")
    c.add_argument("--limit", type=_positive, default=None)
    c.add_argument("-o", "--output", help="write the rows to this file")
    c.add_argument("--format", choices=("csv", "csv-excel", "xlsx", "json"), default=None)


def _find_filters(args: argparse.Namespace) -> Any:
    from .find import Filters, FindError, parse_where, split_values

    def values(text: str | None) -> tuple[str, ...]:
        return split_values(text) if text else ()

    try:
        where = tuple(parse_where(w) for w in args.where)
    except FindError as exc:
        raise CliError(EXIT_USAGE, str(exc.message)) from exc
    under = values(args.under)
    for sid in under:
        if not (sid.isascii() and sid.isdigit() and len(sid) <= 18):
            raise CliError(EXIT_USAGE, f"not a SOR id (up to 18 digits): {sid!r}")
    return Filters(
        level=values(args.level),
        status=values(args.status),
        entity_type=values(args.entity_type),
        owner_type=values(args.owner_type),
        speciality=values(args.speciality),
        main_speciality=values(args.main_speciality),
        region=values(args.region),
        municipality=values(args.municipality),
        postcode=values(args.postcode),
        town=values(args.town),
        ean=values(args.ean),
        edi_type=values(args.edi_type),
        shak=values(args.shak),
        shak_direct=args.shak_direct,
        under=under,
        text=args.text or "",
        where=where,
    )


def _find(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    from .export import write_export
    from .find import BASE_COLUMNS, FindError, count_by, query, resolve_column, rows, split_values
    from .messages import msg

    filters = _find_filters(args)
    try:
        columns = [resolve_column(reg, c) for c in split_values(args.columns or "")]
        count_column = resolve_column(reg, args.count_by) if args.count_by else None
        result = query(reg, day, filters)
    except FindError as exc:
        code = EXIT_USAGE if exc.kind == "usage" else EXIT_UNKNOWN
        raise CliError(code, str(exc.message)) from exc
    for note in result.notes:
        print(f"sorviewer: {note}", file=sys.stderr)
    ents = result.ents
    if count_column is not None:
        counts = count_by(reg, day, ents, count_column)
        if args.limit is not None:
            counts = counts[: args.limit]
        _emit(
            counts,
            args.json,
            lambda d: _table([(r["value"], r["count"]) for r in d], ("value", "count")),
        )
        return
    if args.limit is not None:
        ents = ents[: args.limit]
    if args.output:
        fmt = args.format or _format_from_suffix(args.output)
        out_columns = [*BASE_COLUMNS, *(c for c in columns if c not in BASE_COLUMNS)]
        try:
            n = write_export(
                reg,
                day,
                args.output,
                fmt,
                ents=ents,
                columns=out_columns if fmt != "json" else columns,
                naming="cli",  # effective values, with where each inheritable one comes from
            )
        except OSError as exc:
            raise CliError(
                EXIT_USAGE, f"Cannot write {args.output}: {exc.strerror or exc}."
            ) from exc
        except ValueError as exc:
            raise CliError(EXIT_USAGE, str(exc)) from exc
        if not n:
            print(f"sorviewer: {msg('find.no_match')}", file=sys.stderr)
        doc = {"output": args.output, "format": fmt, "rows": n, "as_of": day.isoformat()}
        wrote = msg("find.wrote", n=n, path=args.output, fmt=fmt, day=day)
        _emit(doc, args.json, lambda d: str(wrote))
        return
    found = rows(reg, day, ents, columns)

    def human(d: list[dict[str, Any]]) -> str:
        if not d:
            return str(msg("find.no_match"))
        keys = [k for k in d[0] if k not in ("parent_sor_id",)]
        return _table([[r[k] for k in keys] for r in d], keys)

    _emit(found, args.json, human)


def _diff(args: argparse.Namespace) -> int:
    """`diff OLD NEW`: two files, so it does not go through the one-file handlers."""
    from . import load
    from .diff import as_text, compare, known_in_either
    from .export import write_diff
    from .messages import clean_text, msg

    fmt = args.format
    if fmt is not None and not args.output:
        raise CliError(EXIT_USAGE, str(msg("diff.format_needs_output")))
    if args.output and fmt is None:
        suffix = args.output.rsplit(".", 1)[-1].lower() if "." in args.output else ""
        fmt = suffix if suffix in ("csv", "xlsx", "json") else "csv"
    regs = []
    for which, path in (("old", args.old), ("new", args.new)):
        try:
            regs.append(load(path, use_cache=not args.no_cache))
        except (LoadError, LoadCancelled) as exc:
            reason = str(exc) or "Loading was cancelled."
            raise CliError(
                EXIT_UNREADABLE,
                str(msg(f"diff.{which}_unreadable", path=clean_text(path), reason=reason)),
            ) from exc
    old, new = regs
    if args.under and not known_in_either(old, new, args.under):
        raise CliError(EXIT_UNKNOWN, str(msg("diff.under_unknown", sor_id=args.under)))
    d = compare(old, new, args.as_of, args.as_of, under=args.under)
    for warning in d.warnings:
        print(f"sorviewer: {warning}", file=sys.stderr)
    if args.output:
        try:
            n = write_diff(d, args.output, fmt)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise CliError(
                EXIT_USAGE,
                str(msg("diff.cannot_write", path=clean_text(args.output), reason=reason)),
            ) from exc
        if args.json:
            _emit({"output": args.output, "format": fmt, "rows": n}, True, str)
        else:
            print(msg("diff.wrote", rows=n, path=clean_text(args.output), fmt=fmt))
        return EXIT_OK
    _emit(d.as_json(), args.json, lambda _doc: as_text(d))
    return EXIT_OK


_HANDLERS: dict[str, Callable[[Register, dt.date, argparse.Namespace], None]] = {
    "info": _info,
    "tree": _tree,
    "show": _show,
    "history": _history,
    "shak": _shak,
    "sor-shak": _sor_shak,
    "search": _search,
    "edi": _edi,
    "changes": _changes,
    "quality": _quality,
    "report": _report,
    "export": _export,
    "find": _find,
}


EXIT_INTERNAL = 1
#: the log file of internal errors, in the user's log folder
LOG_NAME = "sorviewer-cli.log"


def log_path() -> str:
    """Where the command line logs the tracebacks of its internal errors."""
    from platformdirs import user_log_dir

    return os.path.join(user_log_dir("sorviewer", appauthor=False), LOG_NAME)


def _log_internal_error(exc: BaseException, argv: Sequence[str] | None) -> str | None:
    """Write `exc` with its traceback to the log file; its path, or None when no log
    could be written."""
    from logging.handlers import RotatingFileHandler

    try:
        path = log_path()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1 << 20, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log = logging.getLogger("sorviewer.cli")
    log.addHandler(handler)
    try:
        args = list(sys.argv[1:] if argv is None else argv)
        log.error("internal error in: sorviewer %s", " ".join(args), exc_info=exc)
    finally:
        log.removeHandler(handler)
        handler.close()
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; never lets a traceback reach the user."""
    try:
        return run(argv)
    except argparse.ArgumentTypeError as exc:  # pragma: no cover - argparse handles these
        print(f"sorviewer: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("sorviewer: not enough memory to open this file.", file=sys.stderr)
        return EXIT_UNREADABLE
    except Exception as exc:  # a bug: one line here, the traceback in the log
        path = _log_internal_error(exc, argv)
        where = f"details in {path}" if path else "no log file could be written"
        text = clean_text(f"{type(exc).__name__}: {exc}")
        print(f"sorviewer: internal error: {text} ({where})", file=sys.stderr)
        return EXIT_INTERNAL


def entry() -> None:
    """`python -m sorviewer` and the `sorviewer` script: run, then leave at once.

    The interpreter's own shutdown is skipped (output is flushed first): pyarrow's
    reader threads may still hold work for a read that was abandoned on a damaged file,
    and one of them reaching for the interpreter while it shuts down aborts the
    process, after the answer was already given."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    logging.shutdown()
    os._exit(code)
