"""End to end in a real browser: `python app.py` answers in the chat and shows its sources."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Written where git ignores it, so a test run leaves the checkout clean; docs/screenshot.png is a copy.
SCREENSHOT = ROOT / "tests" / "artifacts" / "screenshot.png"
QUESTIONS = ["Who leads the elderly action in Hohhot?", "呼和浩特市老年人科学素质提升行动的牵头单位是谁？"]
ATTACK = "<script>alert(1)</script> <b>x</b> **bold**"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"app.py exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(1)
    pytest.fail(f"app.py did not answer on port {port} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "app.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)],
                                   cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_chat_shows_answers_and_sources(app_url):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            dialogs = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(app_url, timeout=60_000)
            box, bot, sources = page.locator("#question textarea"), page.locator("#chat [data-testid='bot']"), \
                page.locator("#sources")
            expect(box).to_be_visible(timeout=60_000)

            def ask(question: str, turn: int) -> None:
                box.fill(question)
                page.locator("#send").click()
                expect(bot).to_have_count(turn, timeout=60_000)
                expect(sources).to_contain_text(question, timeout=30_000)

            for turn, question in enumerate(QUESTIONS, 1):
                ask(question, turn)
                expect(bot.nth(turn - 1)).to_contain_text("市卫健委")
                text = sources.inner_text()
                assert "有计划地开展科普宣传" in text or "实施老年人科学素质提升行动" in text, text[:500]
                assert "牵头单位" in text and "呼政发〔2022〕32号" in text
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))

            # markup typed by the user shows as literal text, and no script runs
            ask(ATTACK, 3)
            user = page.locator("#chat [data-testid='user']").nth(2)
            expect(user).to_contain_text(ATTACK)
            assert user.locator("b, script").count() == 0 and sources.locator("script").count() == 0
            assert not dialogs
        finally:
            browser.close()
