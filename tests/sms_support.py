"""A local stand-in for Tencent Cloud's SMS API (SendSms, version 2021-01-11), on loopback.

It checks each request the way the provider documents it: the TC3-HMAC-SHA256 signature over the
canonical request (method, path, query, the content-type and host headers, the SHA-256 of the body) with a
key derived from the secret, the date and the service; the action, version and region headers; a known
SmsSdkAppId, signature and template; one parameter per placeholder of the template. It answers like the
provider, an ``Ok`` status per number or an error code, and keeps what it accepted.
"""

import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_ID = "AKIDconsulttest"
SECRET_KEY = "consult-test-secret-key"
APP_ID = "1400123456"
SIGN_NAME = "某某市人民政府"
# Template codes as registered with the provider, and how many parameters each takes.
TEMPLATE_CODES = {
    "verification_code": "100001", "query_code": "100002", "receipt": "100003", "info_request": "100004",
    "extended": "100005", "answered": "100006", "dismissed": "100007", "registration": "100008",
    "event_reminder": "100009", "rating_followup": "100010", "meeting_seat": "100011", "speaker_chosen": "100012",
    "not_selected": "100013",
}
PARAM_COUNTS = {
    "100001": 1, "100002": 3, "100003": 3, "100004": 2, "100005": 3, "100006": 2, "100007": 2, "100008": 3,
    "100009": 3, "100010": 2, "100011": 3, "100012": 3, "100013": 2,
}


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


class FakeTencentSms:
    """The fake API. ``failing`` makes it answer 503 (outage) or, if an error code, that error."""

    def __init__(self):
        self.accepted: list[dict] = []
        self.refused: list[str] = []
        self.failing: str | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 -- the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.handle(self, body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def config(self) -> dict:
        """The settings that make Consult send through this fake."""
        return {
            "SMS_BACKEND": "tencent", "SMS_TENCENT_SECRET_ID": SECRET_ID, "SMS_TENCENT_SECRET_KEY": SECRET_KEY,
            "SMS_TENCENT_APP_ID": APP_ID, "SMS_TENCENT_ENDPOINT": self.endpoint, "SMS_TENCENT_SCHEME": "http",
            "SMS_SIGNATURE": SIGN_NAME, "SMS_TEMPLATE_CODES": TEMPLATE_CODES,
        }

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # --- the provider's checks -------------------------------------------------------------------------
    def _signature_problem(self, handler, body: bytes) -> str | None:
        auth = handler.headers.get("Authorization", "")
        if not auth.startswith("TC3-HMAC-SHA256 "):
            return "AuthFailure.SignatureFailure"
        fields = dict(part.strip().split("=", 1) for part in auth[len("TC3-HMAC-SHA256 "):].split(","))
        secret_id, date, service, terminator = fields["Credential"].split("/")
        if secret_id != SECRET_ID:
            return "AuthFailure.SecretIdNotFound"
        if service != "sms" or terminator != "tc3_request" or fields["SignedHeaders"] != "content-type;host":
            return "AuthFailure.SignatureFailure"
        timestamp = int(handler.headers.get("X-TC-Timestamp", "0"))
        if abs(time.time() - timestamp) > 300 or datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") != date:
            return "AuthFailure.SignatureExpire"
        canonical = "\n".join((
            "POST", "/", "",
            f"content-type:{handler.headers['Content-Type']}\nhost:{handler.headers['Host']}\n",
            "content-type;host", hashlib.sha256(body).hexdigest(),
        ))
        to_sign = "\n".join(("TC3-HMAC-SHA256", str(timestamp), f"{date}/sms/tc3_request",
                             hashlib.sha256(canonical.encode()).hexdigest()))
        key = _hmac(_hmac(_hmac(f"TC3{SECRET_KEY}".encode(), date), "sms"), "tc3_request")
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(expected, fields["Signature"]) else "AuthFailure.SignatureFailure"

    def _error(self, handler, code: str, message: str = "") -> None:
        self.refused.append(code)
        self._answer(handler, {"Response": {"Error": {"Code": code, "Message": message or code},
                                            "RequestId": "fake"}})

    def _answer(self, handler, payload: dict, status: int = 200) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def handle(self, handler, body: bytes) -> None:
        if self.failing == "outage":
            handler.send_response(503)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        problem = self._signature_problem(handler, body)
        if problem:
            return self._error(handler, problem)
        if handler.headers.get("X-TC-Action") != "SendSms" or handler.headers.get("X-TC-Version") != "2021-01-11":
            return self._error(handler, "InvalidAction")
        request = json.loads(body)
        if request.get("SmsSdkAppId") != APP_ID:
            return self._error(handler, "InvalidParameterValue.SdkAppIdNotExist")
        if request.get("SignName") != SIGN_NAME:
            return self._error(handler, "FailedOperation.SignatureIncorrectOrUnapproved")
        template = request.get("TemplateId")
        if template not in PARAM_COUNTS:
            return self._error(handler, "FailedOperation.TemplateIncorrectOrUnapproved")
        params = request.get("TemplateParamSet") or []
        if len(params) != PARAM_COUNTS[template]:
            return self._error(handler, "InvalidParameterValue.TemplateParameterFormatError")
        if self.failing:
            return self._error(handler, self.failing)
        statuses = []
        for phone in request["PhoneNumberSet"]:
            self.accepted.append({"phone": phone, "template": template, "params": params,
                                  "context": request.get("SessionContext", "")})
            statuses.append({"SerialNo": f"fake-{len(self.accepted)}", "PhoneNumber": phone, "Fee": 1,
                             "SessionContext": request.get("SessionContext", ""), "Code": "Ok",
                             "Message": "send success", "IsoCode": "CN"})
        self._answer(handler, {"Response": {"SendStatusSet": statuses, "RequestId": "fake"}})
