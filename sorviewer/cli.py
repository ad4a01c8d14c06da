"""The headless command line: the same queries as the window, for scripts and tests.

`python -m sorviewer COMMAND FILE ...` (ARCHITECTURE.md, "CLI contract").
Exit codes: 0 ok, 2 usage error, 3 the file cannot be read as SOR, 4 the id or
code asked for does not exist in the file. Never a traceback: every failure is
one line on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from .dates import parse_user_date
from .errors import LoadCancelled, LoadError

if TYPE_CHECKING:
    from .register import Register

EXIT_OK, EXIT_USAGE, EXIT_UNREADABLE, EXIT_UNKNOWN = 0, 2, 3, 4


class CliError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _date(text: str) -> dt.date:
    try:
        return parse_user_date(text)
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from exc


def _sor_id(text: str) -> str:
    t = text.strip()
    if not t.isdigit() or len(t) > 18:
        raise argparse.ArgumentTypeError(f"not a SOR id (up to 18 digits): {text!r}")
    return t


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if n < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return n


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
    c.add_argument("--depth", type=_positive, help="levels to show (1 = roots only)")
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
    c = cmd("search", "find units by name, id, SHAK, EAN, provider number, postcode or town")
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
    c.add_argument("--ids", help="comma-separated SOR ids")
    c.add_argument("--format", choices=("csv", "xlsx", "json"), default=None)
    c.add_argument("--all", action="store_true", help="include closed and future units")

    g = cmd("generate", "write a synthetic register (for tests and benchmarks)", file=False)
    g.add_argument("-o", "--output", required=True)
    g.add_argument("--entities", type=_positive, default=2000)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--format", choices=("sor2-zip", "sor2-csv", "sor-xml"), default="sor2-zip")
    g.add_argument("--xml-version", choices=("1.0.0", "2.0.0"), default="1.0.0")
    g.add_argument("--dialect", default="default", help="comma-separated quirk options")
    g.add_argument("--snapshot", type=_date, default=None, help="the register's 'today'")
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


def _emit(doc: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    if as_json:
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        text = human(doc)
        sys.stdout.write(text + ("\n" if text and not text.endswith("\n") else ""))


def _table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    if not rows:
        return "(nothing)"
    cells = [[("" if v is None else str(v)) for v in r] for r in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
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
        print(f"sorviewer: {exc}", file=sys.stderr)
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
            )
        except (ValueError, OSError) as exc:
            raise CliError(EXIT_USAGE, str(exc)) from exc
        print(f"wrote {args.output}: {stats}")
        return EXIT_OK

    reg = _load(args.file, use_cache=not args.no_cache)
    day: dt.date = args.as_of or dt.date.today()
    handler = _HANDLERS[args.command]
    handler(reg, day, args)
    return EXIT_OK


# --- command handlers -------------------------------------------------------------


def _info(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    src = reg.source
    lo, hi = reg.date_range()
    doc = {
        "format": src.format,
        "format_version": src.format_version,
        "snapshot_date": src.snapshot_date.isoformat() if src.snapshot_date else None,
        "has_history": src.has_history,
        "tables": dict(src.table_rows),
        "entities": len(reg.ids),
        "date_range": [lo.isoformat() if lo else None, hi.isoformat() if hi else None],
        "warnings": reg.report.warnings,
    }

    def human(d: dict[str, Any]) -> str:
        lines = [
            f"File:          {src.path}",
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


def _tree(reg: Register, day: dt.date, args: argparse.Namespace) -> None:
    from .asof import tree

    if args.root and reg.entity_index(args.root) < 0:
        raise _unknown(f"SOR id {args.root}")
    doc = tree(reg, day, root=args.root, depth=args.depth, include_all=args.all)

    def human(nodes: list[dict[str, Any]]) -> str:
        out: list[str] = []

        def walk(n: dict[str, Any], indent: int) -> None:
            sid = n["sor_id"] or "-"
            out.append(f"{'  ' * indent}{n['name']}  [{n['sor_type'] or ''} {sid}]")
            for c in n["children"]:
                walk(c, indent + 1)

        for n in nodes:
            walk(n, 0)
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
            "Inherited groups:",
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
    from .edi import recipients

    doc = recipients(reg, args.under, args.edi_type, day)
    if doc is None:
        raise _unknown(f"SOR id {args.under}")
    _emit(
        doc,
        args.json,
        lambda d: _table(
            [(r["sor_id"], r["ean"], r["ean_state"]) for r in d], ("sor_id", "ean", "ean")
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
                elif key == "changed":
                    extra = "  " + ", ".join(item["columns"])
                out.append(f"  {item['sor_id']}  {item.get('name') or ''}{extra}")
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
    doc = reg.report.as_json()
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
    from .export import write_export

    fmt = args.format
    if fmt is None:
        suffix = args.output.rsplit(".", 1)[-1].lower() if "." in args.output else ""
        fmt = suffix if suffix in ("csv", "xlsx", "json") else "csv"
    ids = [_sor_id(x) for x in args.ids.split(",") if x.strip()] if args.ids else None
    for sid in [*(ids or []), *([args.subtree] if args.subtree else [])]:
        if reg.entity_index(sid) < 0:
            raise _unknown(f"SOR id {sid}")
    try:
        n = write_export(
            reg, day, args.output, fmt, sor_ids=ids, subtree=args.subtree, include_all=args.all
        )
    except OSError as exc:
        raise CliError(EXIT_USAGE, f"Cannot write {args.output}: {exc.strerror or exc}.") from exc
    if not args.json:
        print(f"wrote {n} units to {args.output} ({fmt}, as of {day.isoformat()})")
    else:
        _emit(
            {"output": args.output, "format": fmt, "rows": n, "as_of": day.isoformat()}, True, str
        )


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
}


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
    except Exception as exc:  # last resort: one line, never a traceback
        print(f"sorviewer: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
