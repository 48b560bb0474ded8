"""Every page a person meets, reached in headless Chromium the way they reach it, with a
callback on each (axe, a screenshot, ...). With `scripts=False` the site's own scripts are
blocked (Network.setBlockedURLs on /static/*.js: the site has no inline script, the CSP
forbids it), which is what a browser without JavaScript shows; the tests' own injected
scripts still run, so axe can look at that page too.

Pages reached through a form post (a step with problems, a refused gate, the warning
confirmation) are checked where they appear, not fetched again.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any, Callable

from webdriver import Chrome, TestServer
from webjourney import PASSWORD, TANG, WORK, city_of, fill_application
from websupport import CAPTCHA


Check = Callable[[str], None]


def block_scripts(chrome: Chrome, blocked: bool) -> None:
    chrome.cmd("POST", "/goog/cdp/execute", {"cmd": "Network.enable", "params": {}})
    chrome.cmd("POST", "/goog/cdp/execute", {"cmd": "Network.setBlockedURLs",
                                             "params": {"urls": ["*/static/*.js"] if blocked else []}})


@dataclass
class Walk:
    chrome: Chrome
    site: TestServer
    web: Any
    check: Check
    scripts: bool = True

    # -- moving about ----------------------------------------------------------------
    def go(self, path: str) -> None:
        self.chrome.go(self.site.url + path)
        self.chrome.wait(self.chrome.h1, what=path)

    def submit(self, css: str = "button.next") -> None:
        """Press a button and wait for the next page to load (a new document)."""
        self.chrome.script("document.documentElement.setAttribute('data-old', '1');")
        self.chrome.click(css)
        self.chrome.wait(lambda: self.chrome.script(
            "return document.readyState === 'complete' && !document.documentElement.hasAttribute('data-old');"),
            what=f"the page after {css}")

    def h1(self) -> str:
        return self.chrome.h1()

    def title(self, step_id: str) -> str:
        return self.web.t(next(s.title for s in self.web.flow.steps if s.id == step_id))

    @property
    def reading(self) -> float:
        """Step 1's reading time, as the flow declares it."""
        return float(self.web.flow.steps[0].min_read_seconds or 0)

    def at(self, step_id: str) -> None:
        assert self.h1() == self.title(step_id), (self.h1(), step_id)

    # -- the teacher-registration journey ----------------------------------------------
    def public_pages(self) -> None:
        self.go("/")
        self.check("home")
        for page in ("notice", "process", "usage", "faq"):
            self.go(f"/help/{page}")
            self.check(f"help-{page}")
        self.go("/accessibility")
        assert self.h1() == self.web.t("web.footer.accessibility"), self.h1()
        self.check("accessibility-statement")
        self.go("/nowhere")
        self.check("error-404")

    def wizard(self) -> None:
        chrome, t = self.chrome, self.web.t
        self.go("/apply/start")
        self.at("notice")
        self.check("step-notice")
        if self.scripts:
            chrome.wait(lambda: chrome.enabled("button.next"), timeout=self.reading + 3, what="the countdown")
        else:                                       # no countdown: the server refuses an early next
            self.submit()
            self.check("step-notice-too-early")
            time.sleep(self.reading + 0.1)
        self.submit()
        self.at("terms")
        self.check("step-terms")
        self.submit()
        assert t("gate.terms_accepted") in chrome.text()
        self.check("step-terms-gate-refused")
        chrome.click('input[name="accept_terms"][value="accept"]')
        self.submit()
        self.at("identity")
        self.check("step-identity")
        chrome.type("#id_no", "110108198504120145")
        self.submit()
        assert chrome.find_all(".error-summary")
        self.check("step-identity-problems")
        chrome.type("#cert_no", TANG.cert_no)
        chrome.type("#id_no", TANG.id_no)
        if self.scripts:                            # window.confirm(): 取消 continues
            chrome.click("button.next")
            chrome.wait(chrome.alert_text, what="the confirm dialog")
            chrome.cmd("POST", "/alert/dismiss", {})
            chrome.wait(lambda: chrome.alert_text() is None and chrome.h1() == self.title("agency"), what="step 4")
        else:
            self.submit()
            assert chrome.find_all("#warning-continue")
            self.check("step-identity-warning-confirmation")
            self.submit("#warning-continue button")
        self.at("agency")
        self.check("step-agency")
        self.submit()
        self.check("step-agency-problems")
        chrome.choose("teaching_stage", "primary")
        chrome.choose("city", city_of("bj_haidian"))
        if not self.scripts:      # no site.js: the page comes back with that stage's subjects and city's agencies
            self.submit()
            self.at("agency")
        chrome.choose("teaching_subject", "primary_chinese")
        chrome.choose("agency", "bj_haidian")
        self.submit()
        self.at("point")
        self.check("step-point")
        self.submit()
        self.check("step-point-problems")
        chrome.click('input[name="point"][value="bj_haidian_jinxiu"]')
        self.submit()
        self.at("notes")
        self.check("step-notes")
        self.submit()
        self.at("application")
        self.check("step-application")
        fill_application(chrome, {**WORK, "mobile": "139"})
        self.submit()
        assert chrome.find_all(".error-summary")
        self.check("step-application-problems")
        fill_application(chrome, WORK)
        self.submit()
        self.at("done")
        self.check("step-done")

    def login(self, wrong_first: bool = True) -> None:
        chrome = self.chrome
        self.go("/login")
        self.check("login")
        if wrong_first:
            self.submit("form[action='/login'] button[type=submit]")
            self.check("login-problems")
        chrome.type("#id_no", TANG.id_no)
        chrome.type("#cert_no", TANG.cert_no)
        chrome.type("#password", PASSWORD)
        chrome.type("#captcha", CAPTCHA)
        self.submit("form[action='/login'] button[type=submit]")
        assert self.h1() == self.web.t("web.login.prompt.title"), self.h1()
        self.check("login-prompt")

    def account(self) -> None:
        for path, name in (("/account", "dashboard"), ("/account/application", "view"), ("/account/edit", "edit"),
                           ("/account/notes", "notes"), ("/application/form", "download"),
                           ("/account/password", "password")):
            self.go(path)
            self.check(name)
        self.submit("form[action='/account/password'] button[type=submit]")
        self.check("password-problems")

    def password_recovery(self, outbox: Path) -> None:
        chrome = self.chrome
        self.go("/password/forgot")
        self.check("forgot")
        self.submit("form[action='/password/forgot'] button[type=submit]")
        self.check("forgot-problems")
        chrome.type("#cert_no", TANG.cert_no)
        chrome.type("#id_no", TANG.id_no)
        chrome.type("#captcha", CAPTCHA)
        self.submit("form[action='/password/forgot'] button[type=submit]")
        self.check("forgot-sent")
        self.go(reset_link(outbox))
        self.check("reset")


    def staff(self, username: str, password: str, application_id: int) -> None:
        chrome = self.chrome
        self.go("/staff/login")
        self.check("staff-login")
        self.submit("form[action='/staff/login'] button[type=submit]")
        self.check("staff-login-problems")
        chrome.type("#username", username)
        chrome.type("#password", password)
        chrome.type("#captcha", CAPTCHA)
        self.submit("form[action='/staff/login'] button[type=submit]")
        self.check("staff-home")
        for path, name in (("/staff/applications", "staff-applications"),
                           (f"/staff/applications/{application_id}", "staff-application"),
                           ("/staff/messages", "staff-messages"), ("/staff/data/plans", "staff-plans"),
                           ("/staff/data/plans/bj_haidian", "staff-plan"), ("/staff/data/points", "staff-points"),
                           ("/staff/data/points/_new", "staff-point-new"), ("/staff/data/points/bj_haidian_jinxiu", "staff-point"),
                           ("/staff/accounts", "staff-accounts")):
            self.go(path)
            self.check(name)
        self.go("/staff/data/points/_new")
        self.submit("form[action='/staff/data/points/_new'] button[type=submit]")
        self.check("staff-point-new-problems")
        self.go(f"/staff/applications/{application_id}")
        self.submit("#move-materials_incomplete button")
        self.check("staff-application-move-problems")



def reset_link(outbox: Path) -> str:
    newest = max(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime)
    body = message_from_bytes(newest.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
    found = re.search(r"(/password/reset[/#][\w-]+)", body)
    assert found, body
    return found.group(1)
