"""Security headers on every response, and input no handler should ever see."""

from flask import abort, request

# Multipart bodies are left to their views, which raise the size limit for uploads before parsing.
FORM_TYPES = {"application/x-www-form-urlencoded"}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_app(app) -> None:
    @app.before_request
    def refuse_nul_bytes():
        """NUL never belongs in text a person typed, and PostgreSQL cannot store it: refuse it at the door."""
        if any("\x00" in value for value in request.args.values()) or (
            request.mimetype in FORM_TYPES and any("\x00" in value for value in request.form.values())
        ):
            abort(400)

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(), microphone=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
