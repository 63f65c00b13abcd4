"""Helpers for the browser tests: screenshots, accessibility checks, logging in."""

from pathlib import Path

DEMO_PASSWORD = "consult-demo-2026"
BLOCKING_IMPACTS = {"serious", "critical"}


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(Path(axe_script()).read_text(encoding="utf-8"))
    return _AXE_SOURCE[0]


def axe_script() -> str:
    """The axe-core build shipped inside the axe-playwright-python package."""
    import axe_playwright_python

    return str(Path(axe_playwright_python.__file__).parent / "axe.min.js")


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page, as dicts (id, impact, help, nodes)."""
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(_axe_source())  # evaluated by the browser's debugger: the page's CSP still holds
    return page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return "\n".join(lines)


def assert_accessible(page) -> list[dict]:
    """Fail on serious or critical axe-core violations; return the minor and moderate ones."""
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{page.url}:\n{describe(blocking)}"
    return violations


def shoot(page, folder: Path, name: str, full_page: bool = False) -> Path:
    """Save a PNG of what the visitor sees now."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def login(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form, as a person would."""
    page.goto("/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/account/login" not in page.url, page.locator("main").inner_text()


def header_switch(page, name: str) -> None:
    """Use the language or large-text switch in the header and wait for the page to come back.

    For an anonymous visitor each switch is a plain link; a logged-in user's language switch is a button
    (it also keeps the account's mail language).
    """
    header = page.locator("header")
    control = header.get_by_role("link", name=name, exact=True).or_(header.get_by_role("button", name=name, exact=True))
    with page.expect_navigation():
        control.click()


def submit(page, label: str) -> None:
    """Click the submit button with this text and wait for the next page."""
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()


def fact(page, term: str) -> str:
    """The value (``dd``) next to a term (``dt``) of a definition list on the page."""
    return page.locator(f"dt:text-is('{term}') + dd").first.inner_text().strip()


def main_nav(page, name: str = "Main"):
    """The main navigation, its menu opened first on a phone (where the list folds behind a button)."""
    nav = page.get_by_role("navigation", name=name)
    toggle = nav.locator("details.nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("open") is None:
        toggle.locator("summary").click()
    return nav
