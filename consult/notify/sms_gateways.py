"""The SMS gateways the outbox sender can use, chosen by ``SMS_BACKEND``.

* ``log`` (the default): the message is written to the log in full and counts as sent; the admin outbox
  page shows it too. For development and demos.
* ``http``: a generic gateway. Each message is POSTed as JSON
  (``{"phone", "template", "template_code", "params", "sign_name", "text", "message_id"}``) to
  ``SMS_HTTP_URL``, with ``Authorization: Bearer SMS_HTTP_KEY`` when set and ``X-Consult-Signature``, the
  hex HMAC-SHA256 of the body under ``SMS_HTTP_SECRET``. A 2xx answer means accepted; 4xx is a refusal
  for good; anything else is tried again later.
* ``tencent``: Tencent Cloud SMS (腾讯云短信, API version 2021-01-11) through its official Python SDK:
  ``SMS_TENCENT_SECRET_ID``, ``SMS_TENCENT_SECRET_KEY``, ``SMS_TENCENT_APP_ID`` (SmsSdkAppId),
  ``SMS_TENCENT_REGION`` (default ap-guangzhou), ``SMS_TENCENT_ENDPOINT`` (default
  sms.tencentcloudapi.com) and ``SMS_TENCENT_SCHEME`` (https). The template codes come from
  ``SMS_TEMPLATE_CODES``; parameters go in the template's order.

A gateway raises :class:`SmsError` when a message was not accepted; ``permanent`` says whether trying again
could help (a wrong number or template: no; a timeout or a limit: yes).
"""

import hashlib
import hmac
import json
import logging

import requests
from flask import current_app

from consult.notify.sms import TEMPLATES, setting

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# Tencent Cloud answers these codes for a message that can never be sent as it is.
TENCENT_PERMANENT = (
    "InvalidParameterValue.", "FailedOperation.TemplateIncorrectOrUnapproved", "FailedOperation.SignatureIncorrect",
    "FailedOperation.PhoneNumberInBlacklist", "UnsupportedOperation.", "InvalidParameter.",
    "FailedOperation.MissingTemplateToModify", "AuthFailure.",
)


class SmsError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def _template_code(row) -> str:
    code = setting("SMS_TEMPLATE_CODES").get(row.template)
    if not code:
        raise SmsError(f"no provider template code configured for {row.template!r} (SMS_TEMPLATE_CODES)",
                       permanent=True)
    return str(code)


def _ordered_params(row) -> list[str]:
    return [str((row.params or {})[name]) for name in TEMPLATES[row.template].params]


class LogGateway:
    def send(self, row) -> None:
        log.info("SMS not sent (SMS_BACKEND=log) to %s, template %s:\n%s", row.recipient, row.template, row.body_text)


class HttpGateway:
    def __init__(self, config):
        self.url = config.get("SMS_HTTP_URL")
        if not self.url:
            raise SmsError("SMS_HTTP_URL is not configured")
        self.key = config.get("SMS_HTTP_KEY", "")
        self.secret = config.get("SMS_HTTP_SECRET", "")
        self.session = requests.Session()

    def send(self, row) -> None:
        body = json.dumps({
            "phone": row.recipient, "template": row.template, "template_code": _template_code(row),
            "params": _ordered_params(row), "sign_name": setting("SMS_SIGNATURE"), "text": row.body_text,
            "message_id": f"outbox-{row.id}",
        }, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        if self.secret:
            headers["X-Consult-Signature"] = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        try:
            answer = self.session.post(self.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as error:
            raise SmsError(f"gateway unreachable: {error}") from error
        if 200 <= answer.status_code < 300:
            return
        raise SmsError(f"gateway answered {answer.status_code}: {answer.text[:300]}",
                       permanent=400 <= answer.status_code < 500 and answer.status_code != 429)


class TencentGateway:
    def __init__(self, config):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        missing = [name for name in ("SMS_TENCENT_SECRET_ID", "SMS_TENCENT_SECRET_KEY", "SMS_TENCENT_APP_ID")
                   if not config.get(name)]
        if missing:
            raise SmsError(f"not configured: {', '.join(missing)}")
        http = HttpProfile(protocol=config.get("SMS_TENCENT_SCHEME", "https"),
                           endpoint=config.get("SMS_TENCENT_ENDPOINT", "sms.tencentcloudapi.com"),
                           reqTimeout=TIMEOUT_SECONDS)
        self.client = sms_client.SmsClient(
            credential.Credential(config["SMS_TENCENT_SECRET_ID"], config["SMS_TENCENT_SECRET_KEY"]),
            config.get("SMS_TENCENT_REGION", "ap-guangzhou"), ClientProfile(httpProfile=http))
        self.app_id = str(config["SMS_TENCENT_APP_ID"])

    def send(self, row) -> None:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        phone = row.recipient if row.recipient.startswith("+") else f"+86{row.recipient}"
        request.from_json_string(json.dumps({
            "PhoneNumberSet": [phone], "SmsSdkAppId": self.app_id, "SignName": setting("SMS_SIGNATURE"),
            "TemplateId": _template_code(row), "TemplateParamSet": _ordered_params(row),
            "SessionContext": f"outbox-{row.id}",
        }))
        try:
            answer = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            code = error.get_code() or ""
            raise SmsError(f"{code}: {error.get_message()}",
                           permanent=code.startswith(TENCENT_PERMANENT)) from error
        status = answer.SendStatusSet[0]
        if status.Code != "Ok":
            raise SmsError(f"{status.Code}: {status.Message}", permanent=status.Code.startswith(TENCENT_PERMANENT))


BACKENDS = {"log": LogGateway, "http": HttpGateway, "tencent": TencentGateway}


def gateway():
    """The configured gateway (``SMS_BACKEND``)."""
    name = setting("SMS_BACKEND")
    if name not in BACKENDS:
        raise SmsError(f"unknown SMS_BACKEND {name!r}", permanent=True)
    if name == "log":
        return LogGateway()
    return BACKENDS[name](current_app.config)
