"""Entry point of the `docgen` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config.settings import get_settings

__all__ = ["main"]


def _render(args: argparse.Namespace) -> int:
    """Render a request body offline, without Redis, through the workers' own code."""
    from sakip.errors import InvalidPayload
    from storage.files import write_atomic
    from storage.templates import TemplateRegistry
    from workers.jobs import load_request
    from workers.produce import produce_document

    settings = get_settings()
    try:
        body = load_request(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    output = Path(args.output) if args.output else None
    fmt = output.suffix.lstrip(".").lower() if output else None
    if fmt not in (None, "docx", "pdf"):
        print("error: the output file must end in .docx or .pdf", file=sys.stderr)
        return 2
    try:
        produced = produce_document(body, TemplateRegistry.for_settings(settings),
                                    template_version=args.template_version, output_format=fmt,
                                    soffice=settings.soffice, convert_timeout=settings.convert_timeout)
    except InvalidPayload as exc:
        for problem in exc.problems:
            print(f"invalid: {problem.loc}: {problem.msg}", file=sys.stderr)
        return 1
    for warning in produced.warnings:
        print(f"peringatan [{warning.code}] {warning.loc}: {warning.message()}", file=sys.stderr)
    target = output or Path(produced.filename)
    write_atomic(target, produced.content)
    target.chmod(0o644)  # a file the user asked for, readable like any other they save (not the temp file's 0600)
    print(target)
    return 0


def _batch_submit(args: argparse.Namespace) -> int:
    from cli.batch import submit_batch

    settings = get_settings()
    key = args.key or (settings.client_key.get_secret_value() if settings.client_key else None)
    return submit_batch(Path(args.file), args.type, args.format, args.url or settings.base_url, args.wait,
                        Path(args.output) if args.output else None, key=key, strict=args.strict)


def _templates_validate(args: argparse.Namespace) -> int:
    """Run the template checks offline; exit 1 when any fails."""
    from workers.template_checks import check_template

    try:
        content = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    results = check_template(content, args.type, get_settings())
    for result in results:
        print(f"{'ok  ' if result.ok else 'FAIL'} {result.name}: {result.message}")
    return 0 if all(r.ok for r in results) else 1


def _run(_args: argparse.Namespace) -> int:
    from cli.run import run_service

    return run_service(get_settings())


def _key_file(args: argparse.Namespace) -> Path:
    return Path(args.file) if args.file else get_settings().key_file


def _keys_create(args: argparse.Namespace) -> int:
    """Append a new key's hash to the key file and print the key, once."""
    from storage.apikeys import KeyFormatError, append_key, parse_env_keys

    path = _key_file(args)
    settings = get_settings()
    try:
        env_keys = parse_env_keys(settings.api_keys.get_secret_value()) if settings.api_keys else []
        if args.name in {k.name for k in env_keys}:
            raise KeyFormatError(f"a key named '{args.name}' exists already in DOCGEN_API_KEYS: choose another name")
        key = append_key(path, args.name, args.admin)
    except KeyFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(key)
    print(f"key for '{args.name}' ({'admin' if args.admin else 'client'}) added to {path}; "
          "it is shown only now: store it in the client's configuration", file=sys.stderr)
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    """Every key: name, role, where it is configured and the start of its hash (never the key)."""
    from storage.apikeys import KeyFormatError, parse_env_keys, read_key_file

    settings = get_settings()
    path = _key_file(args)
    try:
        listed = [(k, str(path)) for k in (read_key_file(path) if path.exists() else [])]
        if settings.api_keys and not args.file:
            listed += [(k, "DOCGEN_API_KEYS") for k in parse_env_keys(settings.api_keys.get_secret_value())]
    except KeyFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not listed:
        print(f"no keys (key file {path}): the API is open", file=sys.stderr)
    for key, where in listed:
        print(f"{key.name}\t{'admin' if key.admin else 'client'}\t{key.digest[:19]}…\t{where}")
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    """Remove a key from the key file: every web process refuses it from its next request on."""
    from storage.apikeys import KeyFormatError, revoke_key

    path = _key_file(args)
    try:
        revoke_key(path, args.name)
    except KeyFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"key '{args.name}' revoked in {path}: refused from now on, its /admin sessions ended", file=sys.stderr)
    return 0


def _worker(args: argparse.Namespace) -> int:
    from workers.__main__ import main as worker_main

    worker_main(["--bulk"] if args.bulk else [])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="docgen", description="SAKIP document service")
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser("render", help="render a request body (JSON file) offline, without Redis")
    render.add_argument("file", help="request body as sent to POST /api/v1/documents")
    render.add_argument("-o", "--output", help="output file (.docx or .pdf); default: the readable name")
    render.add_argument("--template-version", type=int, default=None)
    render.set_defaults(func=_render)
    sub.add_parser("run", help="run web, worker and (unless DOCGEN_REDIS_URL is set) Redis").set_defaults(func=_run)
    worker = sub.add_parser("worker", help="run one RQ worker")
    worker.add_argument("--bulk", action="store_true", help="serve the batch queue")
    worker.set_defaults(func=_worker)
    batch = sub.add_parser("batch", help="batches through the HTTP API").add_subparsers(dest="action", required=True)
    submit = batch.add_parser("submit", help="submit FILE.xlsx or FILE.json as one batch")
    submit.add_argument("file")
    submit.add_argument("--type", default=None, help="document type (default: the JSON file's, else pk)")
    submit.add_argument("--format", default=None, choices=["docx", "pdf"],
                        help="format of every document (default: the JSON file's, else docx)")
    submit.add_argument("--url", help="service address; default DOCGEN_PUBLIC_URL or http://HOST:PORT")
    submit.add_argument("--wait", action="store_true", help="show progress, then save the archive")
    submit.add_argument("-o", "--output", help="where to save the archive (with --wait)")
    submit.add_argument("--key", help="API key to send; default DOCGEN_CLIENT_KEY")
    submit.add_argument("--strict", action="store_true", help="fail every item that has quality warnings")
    submit.set_defaults(func=_batch_submit)
    keys = sub.add_parser("keys", help="API keys of client applications").add_subparsers(dest="action", required=True)
    create = keys.add_parser("create", help="make a key for client NAME: prints it once, stores only its hash")
    create.add_argument("name", help="the client application's name (letters, digits, . _ -)")
    create.add_argument("--admin", action="store_true", help="an administrator: sees every client's documents")
    create.add_argument("--file", help="the key file; default DOCGEN_API_KEYS_FILE, else DATA_DIR/api-keys")
    create.set_defaults(func=_keys_create)
    listing = keys.add_parser("list", help="every key's name and role (keys themselves are never stored)")
    listing.add_argument("--file", help="the key file; default DOCGEN_API_KEYS_FILE, else DATA_DIR/api-keys")
    listing.set_defaults(func=_keys_list)
    revoke = keys.add_parser("revoke", help="remove the key of client NAME: refused at once everywhere")
    revoke.add_argument("name")
    revoke.add_argument("--file", help="the key file; default DOCGEN_API_KEYS_FILE, else DATA_DIR/api-keys")
    revoke.set_defaults(func=_keys_revoke)
    templates = sub.add_parser("templates", help="Word templates").add_subparsers(dest="action", required=True)
    validate = templates.add_parser("validate", help="check a template before uploading it")
    validate.add_argument("file")
    validate.add_argument("--type", required=True, help='document type, e.g. "pk"')
    validate.set_defaults(func=_templates_validate)
    from cli.db import add_db_commands

    add_db_commands(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
