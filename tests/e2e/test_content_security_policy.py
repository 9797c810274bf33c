"""The strict Content-Security-Policy is sent and nothing on the pages runs against it.

axe needs no exception from it: Playwright's ``page.evaluate`` injects axe-core through the
DevTools protocol, which the page's CSP does not govern, so the accessibility tests run on an
ordinary context with the policy in force (``bypass_csp`` is never used).
"""

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

PAGES = [
    ("/", "Smart Cities: Schule – das Netzwerk auf einen Blick"),
    ("/kommunen/", "Die Kommunen im Netzwerk"),
    ("/kommunen/menden/", "Menden"),
    ("/konto/anmelden/", "Anmelden"),
]

# Collects what the browser blocked, independent of the wording of its console messages.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_pages_send_a_strict_csp_and_cause_no_violations(
    context: BrowserContext, page: Page, log_in
):
    context.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            console.append(f"{page.url}: {message.text}")

    page.on("console", on_console)

    def visit(path: str, heading: str) -> None:
        response = page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, f"{path}: CSP fehlt oder ist schwächer: {policy!r}"
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, policy
        assert page.evaluate("window.__cspViolations") == [], path

    for path, heading in PAGES:
        visit(path, heading)
    # Logged in, the start page also runs presence.js and opens the websocket (connect-src).
    log_in(page, "team-iserlohn")
    visit(*PAGES[0])
    expect(page.locator("#presence-status")).not_to_have_text("Verbindung wird aufgebaut …")
    assert page.evaluate("window.__cspViolations") == []

    assert console == []
