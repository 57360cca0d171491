"""The app as a user meets it, in headless Chromium: saved conversations, saved settings,
a phone-width screen and a Chinese-only page.

Runs a real ``streamlit run`` on a fresh workspace (the session's embedding cache makes
its first-run embedding quick) and saves screenshots for the README to docs/screenshots/.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_browser import BOOT_TIMEOUT, make_driver, serve_app, server_log

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
# README screenshots are re-taken only on request (STDQA_README_SHOTS=1); a plain test
# run writes them to the git-ignored tests/artifacts/ and leaves the checkout clean.
SHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("STDQA_README_SHOTS")
    else ROOT / "tests" / "artifacts"
)
ANSWER_TIMEOUT = 240
QUESTION = "投诉处理的时限是多少？"
CARD = ".stdqa-cite"
# English that Streamlit shows by default and that a Chinese page must not show.
ENGLISH = (
    "Deploy",
    "Choose options",
    "Choose an option",
    "Select all",
    "Upload",
    "Browse files",
    "Drag and drop",
    "per file",
    "No results",
    "This app has encountered an error",
    "Ask Google",
    "not allowed",
    "or smaller",
    "Remove",
)
# Text of every visible text node: CSS-hidden text, icon ligatures (":material/chat:" is
# drawn as an icon, its text is "chat") and the keyboard-only skip link do not count.
VISIBLE_TEXT_JS = """
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, el = node.parentElement;
  if (!el || !node.textContent.trim()) continue;
  if (el.closest('[data-testid="stIconMaterial"], [data-testid="stSkipLink"], script, style'))
    continue;
  if (el.closest('a') && el.closest('a').textContent.trim() === 'Skip to main content') continue;
  const cs = getComputedStyle(el), r = el.getBoundingClientRect();
  if (cs.visibility === 'hidden' || cs.display === 'none' || parseFloat(cs.fontSize) === 0
      || r.width === 0 || r.height === 0) continue;
  out.push(node.textContent.trim());
}
return out.join('\\n');
"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, sample_workspace: Path) -> Iterator[str]:
    """The session's embedding cache holds the samples: the first run's embedding is quick."""
    yield from serve_app(tmp_path_factory)


@pytest.fixture()
def desktop() -> Iterator[object]:
    drv = make_driver(1366, 900)
    try:
        yield drv
    finally:
        drv.quit()  # type: ignore[attr-defined]


def wait_for(drv: object, css: str, timeout: float = BOOT_TIMEOUT) -> object:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(drv, timeout).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, css))
    )


def wait_text(drv: object, text: str, timeout: float = ANSWER_TIMEOUT) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(drv, timeout).until(lambda d: text in d.execute_script(VISIBLE_TEXT_JS))


def english_leftovers(drv: object) -> list[str]:
    import re

    text = drv.execute_script(VISIBLE_TEXT_JS)  # type: ignore[attr-defined]
    return [w for w in ENGLISH if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text)]


def ask(drv: object, question: str) -> None:
    from selenium.webdriver.common.keys import Keys

    box = wait_for(drv, '[data-testid="stChatInputTextArea"]')
    box.send_keys(question)  # type: ignore[attr-defined]
    box.send_keys(Keys.ENTER)  # type: ignore[attr-defined]


def test_conversation_survives_reload(app_url: str, desktop: object) -> None:
    from selenium.webdriver.common.by import By

    drv = desktop
    drv.get(app_url)  # type: ignore[attr-defined]
    ask(drv, QUESTION)
    wait_for(drv, CARD, ANSWER_TIMEOUT)
    wait_text(drv, QUESTION)  # the conversation list names it after the first question
    url = drv.current_url  # type: ignore[attr-defined]
    assert "c=" in url
    assert english_leftovers(drv) == []
    # No Deploy button and no developer menu (client.toolbarMode = "minimal").
    assert not [
        e
        for e in drv.find_elements(  # type: ignore[attr-defined]
            By.CSS_SELECTOR, '[data-testid="stAppDeployButton"], [data-testid="stMainMenu"]'
        )
        if e.is_displayed()
    ]
    time.sleep(2)  # the chat scrolls itself; let it settle before the screenshot
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert drv.save_screenshot(str(SHOTS / "chat.png"))  # type: ignore[attr-defined]

    before = [c.text for c in drv.find_elements(By.CSS_SELECTOR, CARD)]  # type: ignore[attr-defined]
    drv.refresh()  # type: ignore[attr-defined]
    wait_for(drv, CARD)
    wait_text(drv, QUESTION)
    after = [c.text for c in drv.find_elements(By.CSS_SELECTOR, CARD)]  # type: ignore[attr-defined]
    assert after == before
    assert drv.current_url == url  # type: ignore[attr-defined]
    sidebar = drv.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"]')  # type: ignore[attr-defined]
    assert QUESTION in sidebar.text


def test_settings_persist_across_reload(app_url: str, desktop: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    drv = desktop
    drv.get(f"{app_url}/settings")  # type: ignore[attr-defined]
    field = wait_for(drv, 'input[aria-label="模型名称"]')
    field.send_keys("demo-model")  # type: ignore[attr-defined]
    field.send_keys(Keys.TAB)  # type: ignore[attr-defined]
    time.sleep(1)
    save = [
        b
        for b in drv.find_elements(By.CSS_SELECTOR, "button")  # type: ignore[attr-defined]
        if b.text.strip() == "保存大模型设置"
    ]
    save[0].click()
    wait_text(drv, "已保存大模型设置")
    text = drv.execute_script(VISIBLE_TEXT_JS)  # type: ignore[attr-defined]
    assert "top-k" not in text and "BM25 权重" not in text
    assert english_leftovers(drv) == []
    drv.refresh()  # type: ignore[attr-defined]
    field = wait_for(drv, 'input[aria-label="模型名称"]')
    assert field.get_attribute("value") == "demo-model"  # type: ignore[attr-defined]


def test_uploader_speaks_chinese(app_url: str, desktop: object, tmp_path: Path) -> None:
    """The dropzone, and a refused file: its chip, the reason shown when the pointer is on
    it (Streamlit's "application/x-… files are not allowed."), and its × that removes it."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    drv = desktop
    drv.get(f"{app_url}/kb")  # type: ignore[attr-defined]
    zone = wait_for(drv, '[data-testid="stFileUploaderDropzone"]')
    assert zone is not None
    assert english_leftovers(drv) == []
    after = drv.execute_script(  # type: ignore[attr-defined]
        "return getComputedStyle(document.querySelector("
        "'[data-testid=\"stFileUploaderDropzone\"] button'), '::after').content"
    )
    assert "选择文件" in after
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ\x90\x00 not a standard")
    drv.find_element(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, '[data-testid="stFileUploader"] input[type="file"]'
    ).send_keys(str(exe))
    wait_for(drv, '[data-testid="stFileChip"]', 30)

    def hovered_tip(d):  # type: ignore[no-untyped-def]
        # Point at the chip (again: a redraw may have replaced it) until its tooltip shows.
        ActionChains(d).move_to_element(
            d.find_element(By.CSS_SELECTOR, '[data-testid="stFileChip"]')
        ).perform()
        tips = d.find_elements(By.CSS_SELECTOR, '[data-testid="stTooltipErrorContent"]')
        return next((t for t in tips if t.is_displayed()), False)

    tip = WebDriverWait(drv, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        hovered_tip
    )
    assert "不支持" in drv.execute_script(  # type: ignore[attr-defined]
        "return getComputedStyle(arguments[0], '::after').content", tip
    )
    assert english_leftovers(drv) == []
    remove = drv.find_element(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, '[data-testid="stFileChipDeleteBtn"] button'
    )
    assert remove.is_displayed()
    assert drv.execute_script(  # type: ignore[attr-defined]
        "return getComputedStyle(arguments[0], '::after').content", remove
    ) in ("none", "normal", "")
    click_when_clickable(
        drv,
        lambda d: next(
            iter(d.find_elements(By.CSS_SELECTOR, '[data-testid="stFileChipDeleteBtn"] button')),
            None,
        ),
    )
    WebDriverWait(drv, 30).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid="stFileChip"]')
    )


SIDEBAR_RIGHT = (
    "return document.querySelector('[data-testid=\"stSidebar\"]').getBoundingClientRect().right"
)


def open_sidebar(drv: object) -> None:
    """Open the phone's sidebar overlay and wait until it is in view."""
    from selenium.webdriver.support.ui import WebDriverWait

    wait_for(drv, '[data-testid="stExpandSidebarButton"]').click()  # type: ignore[attr-defined]
    WebDriverWait(drv, 30).until(lambda d: d.execute_script(SIDEBAR_RIGHT) > 0)


def sidebar_closes(drv: object) -> bool:
    """True once the overlay has gone (waits up to 30 s for Streamlit's animation)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(drv, 30).until(lambda d: d.execute_script(SIDEBAR_RIGHT) <= 0)
    except TimeoutException:
        return False
    return True


def click_when_clickable(drv: object, find) -> None:  # type: ignore[no-untyped-def]
    """Click the element ``find(drv)`` returns once it is there and takes the click (an
    overlay sliding in, or a redraw, may intercept or replace it meanwhile)."""
    from selenium.common.exceptions import (
        ElementClickInterceptedException,
        ElementNotInteractableException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.support.ui import WebDriverWait

    def attempt(d):  # type: ignore[no-untyped-def]
        el = find(d)
        if el is None:
            return False
        try:
            el.click()
        except (
            ElementClickInterceptedException,
            ElementNotInteractableException,
            StaleElementReferenceException,
        ):
            return False
        return True

    WebDriverWait(drv, 60).until(attempt)


def test_phone_sidebar_closes_after_choosing_a_page(app_url: str) -> None:
    """At 390×844: an answer fits the width; the sidebar overlay closes after a page is
    chosen and after a conversation is chosen, and taps then reach the page."""
    from selenium.webdriver.common.by import By

    drv = make_driver(390, 844)  # a desktop browser's user agent: the harder case
    try:
        drv.get(app_url)  # type: ignore[attr-defined]
        ask(drv, "服务人员上门服务有什么要求？")
        card = wait_for(drv, CARD, ANSWER_TIMEOUT)
        width = drv.execute_script("return window.innerWidth")  # type: ignore[attr-defined]
        assert (
            drv.execute_script(  # type: ignore[attr-defined]
                "return document.documentElement.scrollWidth"
            )
            <= width
        )
        assert card.rect["x"] >= 0 and card.rect["x"] + card.rect["width"] <= width  # type: ignore[attr-defined]
        assert english_leftovers(drv) == []
        # Choosing a conversation (here: a new one) in the overlay closes it.
        open_sidebar(drv)
        click_when_clickable(
            drv,
            lambda d: next(
                (
                    b
                    for b in d.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebar"] button')
                    if "新对话" in b.text
                ),
                None,
            ),
        )
        assert sidebar_closes(drv)
        wait_for(drv, '[data-testid="stChatInputTextArea"]')
        assert not drv.find_elements(By.CSS_SELECTOR, CARD)  # type: ignore[attr-defined]
        # Choosing a page closes it too.
        open_sidebar(drv)
        click_when_clickable(
            drv,
            lambda d: next(
                iter(
                    d.find_elements(
                        By.CSS_SELECTOR, '[data-testid="stSidebarNavLink"][href$="/settings"]'
                    )
                ),
                None,
            ),
        )
        wait_for(drv, 'input[aria-label="模型名称"]')
        assert sidebar_closes(drv)
        # A tap in the middle of the screen reaches the page, not the overlay.
        hit = drv.execute_script(  # type: ignore[attr-defined]
            "const e = document.elementFromPoint(195, 420);"
            "return e.closest('[data-testid=\"stSidebar\"]') ? 'sidebar' : 'page'"
        )
        assert hit == "page"
        assert drv.find_elements(By.CSS_SELECTOR, '[data-testid="stMain"]')  # type: ignore[attr-defined]
        time.sleep(1)
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert drv.save_screenshot(str(SHOTS / "mobile.png"))  # type: ignore[attr-defined]
    finally:
        drv.quit()  # type: ignore[attr-defined]


def test_multiselect_speaks_chinese(app_url: str, desktop: object) -> None:
    """The option list's bulk row reads 全选, and no placeholder is English."""
    from selenium.webdriver.common.by import By

    drv = desktop
    drv.get(f"{app_url}/finder")  # type: ignore[attr-defined]
    box = wait_for(drv, '[data-testid="stMultiSelect"] input')
    box.click()  # type: ignore[attr-defined]
    wait_for(drv, '[data-testid="stMultiSelectDropdown"] [role="option"]')
    assert english_leftovers(drv) == []
    bulk = drv.find_elements(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, '[data-testid="stMultiSelectDropdown"] [data-key="__select_all__"] > *'
    )
    if bulk:  # shown when two or more options are listed
        after = drv.execute_script(  # type: ignore[attr-defined]
            "return getComputedStyle(arguments[0], '::after').content", bulk[0]
        )
        assert "全选" in after
    # Placeholders a user sees: empty fields (a selectbox always shows its chosen value).
    placeholders = drv.execute_script(  # type: ignore[attr-defined]
        "return [...document.querySelectorAll('input[placeholder], textarea[placeholder]')]"
        ".filter(e => !e.value && !e.closest('[data-testid=\"stSelectbox\"]'))"
        ".map(e => e.placeholder)"
    )
    assert not [p for p in placeholders if any(w in p for w in ENGLISH)], placeholders


def test_first_run_shows_live_count_and_answers_meanwhile(
    tmp_path_factory: pytest.TempPathFactory, sample_workspace: Path
) -> None:
    """A cold first run (empty embedding cache): the page shows clauses embedded / total with
    rate and time left, says what works, answers from keywords meanwhile, and the count goes
    away by itself when the index is built."""
    import re

    from selenium.webdriver.support.ui import WebDriverWait

    cold = tmp_path_factory.mktemp("cold-cache") / "embeddings.sqlite"
    server = serve_app(tmp_path_factory, STDQA_EMBED_CACHE=str(cold))
    url = next(server)
    drv = make_driver(1366, 900)
    count = re.compile(r"嵌入条款 (\d+)/(\d+)")
    try:
        drv.get(url)  # type: ignore[attr-defined]
        WebDriverWait(drv, BOOT_TIMEOUT).until(
            lambda d: count.search(d.execute_script(VISIBLE_TEXT_JS))
        )
        first = count.search(drv.execute_script(VISIBLE_TEXT_JS))  # type: ignore[attr-defined]
        assert first is not None and int(first.group(2)) > 700
        text = drv.execute_script(VISIBLE_TEXT_JS)  # type: ignore[attr-defined]
        assert "现在已经可以使用" in text
        # The count moves on its own (no reload), with a rate and the time left.
        WebDriverWait(drv, ANSWER_TIMEOUT).until(
            lambda d: (
                (m := count.search(t := d.execute_script(VISIBLE_TEXT_JS)))
                and int(m.group(1)) > int(first.group(1))
                and "条/秒" in t
                and "剩余约" in t
            )
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert drv.save_screenshot(str(SHOTS / "first_run.png"))  # type: ignore[attr-defined]
        ask(drv, "物业服务企业对投诉的数量和处理结果如何进行统计分析？")
        wait_for(drv, CARD, ANSWER_TIMEOUT)
        # Built: the count disappears by itself.
        WebDriverWait(drv, 900).until(
            lambda d: "正在建立向量索引" not in d.execute_script(VISIBLE_TEXT_JS)
        )
        # No file watcher (it flooded the log with "Inotify queue overflowed" while the
        # workspace was written) and nothing went wrong on the server.
        log = server_log(url)
        assert "Inotify" not in log and "Traceback" not in log, log[-2000:]
    finally:
        drv.quit()  # type: ignore[attr-defined]
        server.close()
