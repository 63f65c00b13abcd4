"""Contact details of letter writers: phone numbers checked and normalised, names masked, and personal
data redacted from text before it is shown in public."""

import re

from markupsafe import Markup, escape

# Mobile: 11 digits starting 13–19, optionally after +86 / 0086 / 86, with spaces or hyphens anywhere.
_MOBILE = re.compile(r"^(?:(?:\+|00)?86)?(1[3-9]\d{9})$")
# Landline: area code 0xx / 0xxx, then 7–8 digits, optional extension.
_LANDLINE = re.compile(r"^(010|02\d|0[3-9]\d{2})(\d{7,8})(?:(?:ext|转|x|#)(\d{1,6}))?$", re.IGNORECASE)

COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "令狐", "端木", "南宫", "西门", "独孤", "轩辕", "呼延", "澹台", "公冶", "太史", "申屠", "闻人", "万俟",
})  # fmt: skip

# Things that look like contact or identity data inside free text (redacted on public pages).
_TEXT_MOBILE = re.compile(r"(?<![\d])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?![\d])")
_TEXT_LANDLINE = re.compile(r"(?<![\d])0\d{2,3}[\s-]?\d{7,8}(?![\d])")
_TEXT_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TEXT_ID_CARD = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")
REDACTED = "***"


def normalize_phone(raw: str | None) -> str | None:
    """A Chinese mobile (``13800138000``) or landline (``0571-87654321``) number in one standard form.

    Accepts ``+86 138 0013 8000``, ``0086-138-0013-8000``, ``138-0013-8000``, ``(0571) 8765 4321``…
    Returns ``""`` for an empty value and None for something that is not a Chinese phone number.
    """
    text = (raw or "").strip()
    if not text:
        return ""
    compact = re.sub(r"[\s\-()（）.]", "", text)
    mobile = _MOBILE.match(compact)
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.match(compact)
    if landline:
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    return None


def mask_name(name: str | None) -> str:
    """The name as shown in public: the surname (one character, or a compound surname such as 欧阳) and one
    asterisk per remaining character, at most three: 张三 → 张*, 欧阳娜娜 → 欧阳**. Empty for no name or an
    e-mail address typed as a name."""
    name = re.sub(r"\s+", "", name or "")
    if not name or "@" in name:
        return ""
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * max(1, min(3, len(name) - keep))


def redact_text(text: str | None, *, name: str = "", phone: str = "", email: str = "") -> str:
    """``text`` with phone numbers, e-mail addresses, ID-card numbers and the writer's full name replaced."""
    text = text or ""
    if email:
        text = re.sub(re.escape(email), REDACTED, text, flags=re.IGNORECASE)
    for pattern in (_TEXT_EMAIL, _TEXT_ID_CARD, _TEXT_MOBILE, _TEXT_LANDLINE):
        text = pattern.sub(REDACTED, text)
    if phone:
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= 7:
            spaced = r"[\s-]?".join(re.escape(d) for d in digits)
            text = re.sub(spaced, REDACTED, text)
    name = (name or "").strip()
    if len(name) >= 2:
        text = text.replace(name, mask_name(name))
    return text


def redact_html(html: str | None, *, name: str = "", phone: str = "", email: str = "") -> Markup:
    """Sanitised HTML (e.g. an approved reply) with the writer's personal data redacted from its text.

    Runs on the already-sanitised markup: the replacements contain no markup characters, so the result
    stays safe. Addresses are matched both plain and HTML-escaped.
    """
    html = html or ""
    if email:
        html = re.sub(re.escape(str(escape(email))), REDACTED, html, flags=re.IGNORECASE)
    html = redact_text(html, name=str(escape(name)) if name else "", phone=phone)
    return Markup(html)
