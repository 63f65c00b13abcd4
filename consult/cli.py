"""Command-line interface: ``flask --app consult <command>``."""

import click
import sqlalchemy as sa
from flask import Flask

from consult.accounts import services as accounts
from consult.accounts.models import ROLES, STAFF_ROLES, Department
from consult.domain import DomainError
from consult.extensions import db


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--department", "department_code", help="Department code (officers and reviewers).")
@click.password_option()
def create_user_command(email, display_name, role, department_code, password):
    """Create an account (staff or citizen)."""
    department = None
    if department_code:
        department = db.session.scalar(sa.select(Department).where(Department.code == department_code))
        if department is None:
            raise click.BadParameter(f"no department with code {department_code!r}", param_hint="--department")
    try:
        if role in STAFF_ROLES:
            user = accounts.create_staff_user(email, display_name, password, role, department)
        else:
            user = accounts.register_citizen(email, display_name, password)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@click.command("seed-demo")
def seed_demo_command():
    """Fill the database with demo departments, accounts and content (idempotent)."""
    from consult import seed

    seed.seed_demo()
    db.session.commit()
    click.echo("Demo data is ready. Demo accounts (password for all: %s):" % seed.DEMO_PASSWORD)
    for email, name, role, code in seed.STAFF:
        click.echo(f"  {role:<9} {email:<36} {code or ''}")
    for email, _name in seed.CITIZENS:
        click.echo(f"  {'citizen':<9} {email}")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
