"""The real app in a real browser: ``streamlit run`` + headless Chromium via Selenium.

AppTest does not render HTML or run the frontend; this checks that a user can type a
question into the chat box and see citation cards, and saves a screenshot
(tests/artifacts/browser_chat.png) for a human to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
QUESTION = "范围一章怎么写？"
BOOT_TIMEOUT = 300  # first page load ingests and embeds the samples
ANSWER_TIMEOUT = 180


# The server log of each URL served by :func:`serve_app` (tests read it: no tracebacks, no
# file-watcher noise).
LOGS: dict[str, Path] = {}


def server_log(url: str) -> str:
    """What the ``streamlit run`` serving ``url`` has logged so far."""
    return LOGS[url].read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError("streamlit did not become healthy")


def serve_app(
    tmp_path_factory: pytest.TempPathFactory, *args: str, **extra_env: str
) -> Iterator[str]:
    """``streamlit run app.py`` on a fresh workspace (extra command-line ``args``, extra
    environment) until the generator is closed; skips when Chromium is missing.  The
    session's embedding cache (inherited via the environment) makes the bootstrap quick;
    LLM settings of the caller's shell are not inherited."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(
            "chromium/chromedriver not installed (apt-get install chromium chromium-driver)"
        )
    port = _free_port()
    ws = tmp_path_factory.mktemp("browser-ws")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STDQA_LLM_")}
    env["STDQA_WORKSPACE"] = str(ws)
    env.update(extra_env)
    log_path = tmp_path_factory.mktemp("browser-log") / "streamlit.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"),
            *("--server.port", str(port), "--server.address", "127.0.0.1"),
            *("--browser.gatherUsageStats", "false", *args),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        LOGS[url] = log_path
        _wait_healthy(url, proc, 60)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def make_driver(width: int, height: int) -> object:
    """Headless Chromium with a ``width``×``height`` window and a Chinese locale."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--lang=zh-CN",
    ):
        opts.add_argument(arg)
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.set_window_size(width, height)
    return drv


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sample_workspace: Path) -> Iterator[str]:
    """A real ``streamlit run``; ``sample_workspace`` has filled the session's embedding
    cache, so its bootstrap is quick."""
    yield from serve_app(tmp_path_factory)


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    drv = make_driver(1400, 1100)
    try:
        yield drv
    finally:
        drv.quit()  # type: ignore[attr-defined]


def test_chat_in_browser(server: str, driver: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    drv = driver  # type: ignore[assignment]
    drv.get(server)  # type: ignore[attr-defined]
    box = WebDriverWait(drv, BOOT_TIMEOUT).until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]'))
    )
    booted = time.monotonic()
    box.send_keys(QUESTION)
    box.send_keys(Keys.ENTER)
    card = WebDriverWait(drv, ANSWER_TIMEOUT).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".stdqa-cite"))
    )
    print(f"answered in {time.monotonic() - booted:.1f}s")
    assert "〔" in card.text
    # No script from a document ever reaches the page as markup.
    assert not drv.find_elements(By.CSS_SELECTOR, ".stdqa-cite script")  # type: ignore[attr-defined]
    # Frame the question, the answer and the first card (after the chat's own
    # scroll-to-bottom has run).
    time.sleep(2)
    first = drv.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[0]  # type: ignore[attr-defined]
    drv.execute_script("arguments[0].scrollIntoView({block: 'start'});", first)  # type: ignore[attr-defined]
    time.sleep(1)  # let the layout settle before the screenshot
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "browser_chat.png"
    assert drv.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert shot.stat().st_size > 10_000
