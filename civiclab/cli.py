"""The `civiclab` command: the common operations in one place.

civiclab run [--port N] [--host H] [--production]   migrate, load the demo if empty, serve
civiclab demo                                      load the demo network (empty database only)
civiclab migrate                                   apply database migrations
civiclab createadmin --email E                     create a network admin (asks for a password)
civiclab manage ARGS...                            any Django management command
"""

import argparse
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civiclab.settings")
    import django

    django.setup()


def manage(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civiclab.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["civiclab manage", *argv])


def _data_dir() -> None:
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)


def cmd_migrate(args) -> None:
    _setup()
    _data_dir()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


def cmd_demo(args) -> None:
    _setup()
    from civiclab.demo import load_demo

    print(load_demo())


def cmd_createadmin(args) -> None:
    _setup()
    import getpass

    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from civiclab.accounts.actions import do_create_user

    password = os.environ.get("CIVICLAB_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise SystemExit("Password refused: " + " ".join(exc.messages)) from None
    user = do_create_user(
        args.email, password, display_name=args.name, superuser=True, email_verified=True, accept_terms=False
    )
    print(
        f"Network admin {user.email} created. Sign in and set up a second factor (TOTP) to use staff areas."
    )


def server_command(
    host: str, port: str | int, *, workers: int = 2, threads: int = 4, access_log: bool = False
) -> list[str]:
    """The production server: Granian serving the WSGI application.

    Granian parses HTTP in Rust. Against gunicorn's gthread workers (same 2 workers x 4 threads) it took
    about a fifth less server CPU per opinion vote here (bench/README.md). Each worker runs the app in
    `threads` threads, which fill the time a request waits for the database; connections are kept alive.
    """
    command = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port)]
    command += ["--workers", str(workers), "--blocking-threads", str(threads), "--backlog", "1024"]
    # A worker that dies is started again, as gunicorn's arbiter does.
    command += ["--no-ws", "--respawn-failed-workers", "--access-log" if access_log else "--no-access-log"]
    return [*command, "civiclab.wsgi:application"]


def cmd_run(args) -> None:
    _setup()
    _data_dir()
    from django.conf import settings
    from django.core.management import call_command

    from civiclab.demo import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    if args.demo or not settings.PRODUCTION:
        # Never in production unless asked: the demo accounts have published passwords.
        print(load_demo(only_if_empty=True))
    port = str(args.port or os.environ.get("PORT", "8000"))
    if args.production:
        call_command("collectstatic", interactive=False, verbosity=0)
        command = server_command(args.host, port, workers=args.workers, threads=args.threads, access_log=True)
        os.execvp(command[0], command)
    print(f"CivicLab serves http://{args.host}:{port}/ (DEBUG={settings.DEBUG})")
    call_command("runserver", f"{args.host}:{port}", use_reloader=False)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["manage"]:
        manage(argv[1:])
        return
    # Pure math on files: no Django needed.
    if argv[:1] == ["opinion-map"]:
        from civiclab.deliberation.cli import main as opinion_map

        sys.exit(opinion_map(argv[1:]))
    if argv[:1] == ["tally"]:
        from civiclab.budgeting.cli import main as tally

        sys.exit(tally(argv[1:]))
    parser = argparse.ArgumentParser(
        prog="civiclab", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="migrate, load the demo if the database is empty, and serve")
    run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
    run.add_argument(
        "--production", action="store_true", help="serve with Granian (use with CIVICLAB_ENV=production)"
    )
    run.add_argument("--workers", type=int, default=2)
    run.add_argument("--threads", type=int, default=4, help="threads per worker")
    run.add_argument(
        "--demo", action="store_true", help="load the demo network even in production (benchmarks)"
    )
    run.set_defaults(func=cmd_run)
    sub.add_parser("demo", help="load the demo network of cities").set_defaults(func=cmd_demo)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    admin = sub.add_parser(
        "createadmin", help="create a network admin ($CIVICLAB_ADMIN_PASSWORD or a prompt)"
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Network admin")
    admin.set_defaults(func=cmd_createadmin)
    sub.add_parser("manage", help="any Django management command: civiclab manage check --deploy")
    sub.add_parser("opinion-map", help="opinion groups of a Pol.is export: civiclab opinion-map DIR --json")
    sub.add_parser("tally", help="count a PB election: civiclab tally FILE.pb --rule mes --json")
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
