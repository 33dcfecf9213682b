"""Browser fixtures: Debian's chromium driven by Playwright (sync API) against a real Huying.

One chromium per session, a fresh context (cookies, viewport) per test. The fixtures are
named `chromium`, `new_tab` and `tab`, not `browser`/`page`: pytest-playwright is installed
too, and its fixtures of those names would launch its own browser. Every page records
the requests it makes; a request to any host but 127.0.0.1 fails the test (all assets are
vendored, the platform must work on a network with no internet).
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from huying.demo.services import DEMO_PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1"}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def chromium() -> Browser:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class RequestLog:
    """What the test's pages did: every URL asked for, failed assets, uncaught JS errors.

    `offsite` are requests to any host but 127.0.0.1. A failed asset is a non-page request
    (CSS, script, font, XHR) answered 4xx/5xx; a page itself may be a deliberate 404.
    """

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.failed_assets: list[str] = []
        self.js_errors: list[str] = []

    def record(self, request) -> None:
        self.urls.append(request.url)

    def check_response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed_assets.append(f"{response.status} {response.url}")

    def watch(self, page: Page) -> None:
        page.on("request", self.record)
        page.on("response", self.check_response)
        page.on("pageerror", lambda error: self.js_errors.append(str(error)))

    @property
    def offsite(self) -> list[str]:
        return [
            u
            for u in self.urls
            if urlsplit(u).scheme in ("http", "https", "ws", "wss")
            and urlsplit(u).hostname not in LOCAL_HOSTS
        ]


@pytest.fixture
def requests_seen() -> RequestLog:
    return RequestLog()


@pytest.fixture
def new_tab(chromium, live_huying, requests_seen):
    """A page in its own fresh context (pass e.g. a phone viewport); closed afterwards."""
    contexts: list[BrowserContext] = []

    def make(**options) -> Page:
        options.setdefault("viewport", DESKTOP)
        context = chromium.new_context(base_url=live_huying, locale="zh-CN", **options)
        contexts.append(context)
        page = context.new_page()
        requests_seen.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not requests_seen.offsite, f"requests left 127.0.0.1: {requests_seen.offsite}"
    assert not requests_seen.failed_assets, f"assets failed: {requests_seen.failed_assets}"
    assert not requests_seen.js_errors, f"uncaught JavaScript errors: {requests_seen.js_errors}"


@pytest.fixture
def tab(new_tab) -> Page:
    return new_tab()


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login page, as a person would."""
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
