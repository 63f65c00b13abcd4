"""``flask prepare-documents``: build the document faces and lay out one document, at deployment."""

import time

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("prepare-documents")
@with_appcontext
def prepare_documents_command():
    """Cut Debian's Noto CJK down to the faces PDFs use (consult/documents/fonts.py) and lay out one
    document, so that no citizen waits for it. Run it after installing or upgrading; it is also done on
    the first PDF."""
    from consult.documents import pdf
    from consult.documents.fonts import prepared_faces

    started = time.perf_counter()
    with current_app.test_request_context():
        faces = prepared_faces()
        pdf.warm()
    for face, path in faces:
        click.echo(f"{face.family} {face.weight}: {path}")
    if not faces:
        click.echo("No prepared faces (fonts-noto-cjk or libharfbuzz-subset0 missing): PDFs use the full fonts.")
    click.echo(f"Documents ready in {time.perf_counter() - started:.1f} s.")
