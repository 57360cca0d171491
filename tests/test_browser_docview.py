"""Sources in a real browser: ``streamlit run`` + headless Chromium via Selenium.

1. Ask → the answer's start is in view → its 〔…〕 marker opens its card → the card's link
   opens the document view (outline scrolled to the clause, neighbours, download).
2. Create a knowledge base, upload a PDF → the results stay and the outline preview opens;
   choosing another file shows the import button again; ask about the PDF → the card names
   its page → the document view opens the PDF at that page; the finder searches the
   sidebar's knowledge base.

Screenshots for the README go to docs/screenshots/ (small PNGs), others to tests/artifacts/.
"""

from __future__ import annotations

import os
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_browser import ANSWER_TIMEOUT, BOOT_TIMEOUT, ROOT, make_driver, serve_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# README screenshots are re-taken only on request (STDQA_README_SHOTS=1); a plain test
# run writes them to the git-ignored tests/artifacts/ and leaves the checkout clean.
SHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("STDQA_README_SHOTS")
    else ROOT / "tests" / "artifacts"
)
ARTIFACTS = ROOT / "tests" / "artifacts"
# Answered with four citations from the samples: longer than one screen if its cards were
# open, so it shows both the compact cards and the answer's start kept in view.
QUESTION = "术语和定义怎么写？"
PDF_KB = "PDF测试库"
PDF_PAGES = [
    ["T/PDFT 001—2025", "浏览器测试样例规范", "1 范围", "本文件规定了浏览器测试样例服务的要求。"],
    ["2 术语和定义", "2.1", "样例台账", "记录浏览器测试样例服务事项的表格。"],
    [
        "3 要求",
        "3.1 样例机构应每月核对浏览器测试台账，台账格式按附录A。",
        "3.2 记录保存期不少于3年。",
    ],
    ["附录A", "（资料性）", "台账格式", "台账包括日期、事项和经办人。"],
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sample_workspace: Path) -> Iterator[str]:
    from ui.docview import SERVED_DIR

    served_before = set(SERVED_DIR.glob("*")) if SERVED_DIR.is_dir() else set()
    try:
        yield from serve_app(tmp_path_factory, "--server.enableStaticServing", "true")
    finally:
        # The PDF the test served was placed under static/originals/: take it away again.
        for p in set(SERVED_DIR.glob("*")) - served_before if SERVED_DIR.is_dir() else ():
            p.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    drv = make_driver(1366, 900)
    try:
        yield drv
    finally:
        drv.quit()  # type: ignore[attr-defined]


def wait(drv: object, timeout: float = 120):  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # Streamlit redraws elements on every run: a found element may go stale; look again.
    return WebDriverWait(drv, timeout, ignored_exceptions=(StaleElementReferenceException,))


def css(selector: str) -> tuple[str, str]:
    from selenium.webdriver.common.by import By

    return (By.CSS_SELECTOR, selector)


def ask(drv, question: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    box = wait(drv, BOOT_TIMEOUT).until(
        ec.element_to_be_clickable(css('[data-testid="stChatInputTextArea"]'))
    )
    before = len(drv.find_elements(*css("details.stdqa-cite")))
    runs = drv.execute_script("return window.stdqaPinRuns || 0")
    box.send_keys(question)
    box.send_keys(Keys.ENTER)
    wait(drv, ANSWER_TIMEOUT).until(
        lambda d: len(d.find_elements(*css("details.stdqa-cite"))) > before
    )
    # The page's own scrolling (ui.render.SCROLL_TO_LAST_QUESTION) is over.
    wait(drv, 60).until(
        lambda d: d.execute_script(
            "return (window.stdqaPinRuns || 0) > arguments[0]"
            " && document.body.dataset.stdqaPinned === String(window.stdqaPinRuns)",
            runs,
        )
    )


# Scrolls the page so that arguments[0] ends just above the chat box (for a screenshot).
SHOW_ABOVE_CHAT_BOX = """
const el = arguments[0];
const box = document.querySelector('[data-testid="stChatInput"]');
const limit = box ? box.getBoundingClientRect().top - 12 : window.innerHeight;
let pane = el.parentElement;
while (pane && !(pane.scrollHeight > pane.clientHeight
                 && /(auto|scroll)/.test(getComputedStyle(pane).overflowY))) {
  pane = pane.parentElement;
}
(pane || document.scrollingElement).scrollBy(0, el.getBoundingClientRect().bottom - limit);
"""


def top_of(drv, element) -> float:  # type: ignore[no-untyped-def]
    return float(drv.execute_script("return arguments[0].getBoundingClientRect().top", element))


def shot(drv, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Save a screenshot as a small palette PNG (the README's images stay light)."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    assert drv.save_screenshot(str(path))
    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=64)
    small.save(path, optimize=True)
    assert path.stat().st_size > 5_000


def click(drv, element) -> None:  # type: ignore[no-untyped-def]
    """Click ``element`` in the middle of the view, retrying a click that lands on something
    else (a card still laying out as Streamlit redraws it, the chat box pinned at the
    bottom) until the layout settles."""
    from selenium.common.exceptions import ElementClickInterceptedException

    deadline = time.monotonic() + 20
    while True:
        drv.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def open_in_new_tab(drv, link) -> None:  # type: ignore[no-untyped-def]
    """Follow a target=_blank link and switch to its tab."""
    handles = set(drv.window_handles)
    click(drv, link)
    wait(drv, 60).until(lambda d: len(d.window_handles) > len(handles))
    drv.switch_to.window(next(h for h in drv.window_handles if h not in handles))


def close_tab(drv) -> None:  # type: ignore[no-untyped-def]
    drv.close()
    drv.switch_to.window(drv.window_handles[0])


def test_answer_marker_card_document_view(server: str, driver: object) -> None:
    from selenium.webdriver.support import expected_conditions as ec

    drv = driver  # type: ignore[assignment]
    drv.get(server)  # type: ignore[attr-defined]
    ask(drv, QUESTION)
    # Once the page has settled, the question (so the answer's start) is in view, not the
    # end of the cards.
    question = drv.find_elements(*css('[data-testid="stChatMessage"]'))[-2]  # type: ignore[attr-defined]
    assert -5 <= top_of(drv, question) < 400
    cards = drv.find_elements(*css("details.stdqa-cite"))  # type: ignore[attr-defined]
    assert len(cards) >= 3, "pick a question answered with several citations"
    assert all(c.size["height"] < 80 for c in cards)  # one line each, collapsed
    # From the question to the last card: less than one and a half screens.
    screen = drv.execute_script("return window.innerHeight")  # type: ignore[attr-defined]
    span = drv.execute_script(  # type: ignore[attr-defined]
        "return arguments[1].getBoundingClientRect().bottom"
        " - arguments[0].getBoundingClientRect().top",
        question,
        cards[-1],
    )
    assert span < 1.5 * screen, (span, screen)
    marker = drv.find_elements(*css("a.stdqa-marker"))[0]  # type: ignore[attr-defined]
    assert marker.get_attribute("title")  # hover shows the clause
    # The picture: the answer's markers and its four one-line cards, the last one just above
    # the chat box pinned at the bottom.
    drv.execute_script(SHOW_ABOVE_CHAT_BOX, cards[-1])  # type: ignore[attr-defined]
    shot(drv, SHOTS / "answer_compact.png")
    click(drv, marker)
    wait(drv, 10).until(lambda d: any(c.get_attribute("open") for c in cards))
    opened = next(c for c in cards if c.get_attribute("open"))
    assert marker.text.strip("〔〕").split("，")[-1] in opened.text
    open_in_new_tab(drv, opened.find_element(*css("a.stdqa-open")))
    current = wait(drv, BOOT_TIMEOUT).until(
        ec.visibility_of_element_located(css(".stdqa-outline .current"))
    )
    time.sleep(1)
    box = drv.find_element(*css(".stdqa-outline"))  # type: ignore[attr-defined]
    # The current row is inside the outline box's visible part.
    rel = top_of(drv, current) - top_of(drv, box)
    assert 0 <= rel < box.size["height"], rel
    assert drv.find_elements(*css(".stdqa-context .current"))  # type: ignore[attr-defined]
    assert drv.find_elements(*css(".stdqa-context .near"))  # type: ignore[attr-defined]  # neighbours
    assert drv.find_elements(*css('[data-testid="stDownloadButton"]'))  # type: ignore[attr-defined]
    shot(drv, SHOTS / "document_view.png")
    # An outline row navigates within the view (same tab, reload-safe URL).
    rows = drv.find_elements(*css(".stdqa-outline a"))  # type: ignore[attr-defined]
    target = next(r for r in rows if "current" not in (r.get_attribute("class") or ""))
    href = target.get_attribute("href")
    target.click()
    wait(drv, 60).until(lambda d: d.current_url == href)
    wait(drv, 60).until(ec.visibility_of_element_located(css(".stdqa-outline .current")))
    assert drv.find_element(*css(".stdqa-outline .current")).get_attribute("href") == href  # type: ignore[attr-defined]
    close_tab(drv)


def make_pdf(path: Path) -> Path:
    from tests.fixtures.make_pdf_fixtures import write_pdf

    return write_pdf(path, PDF_PAGES, footer=lambda n: f"{n}")


def upload(drv, path: Path) -> None:  # type: ignore[no-untyped-def]
    field = drv.find_element(*css('[data-testid="stFileUploader"] input[type="file"]'))
    field.send_keys(str(path))


def type_into(drv, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the input matching ``selector`` once it is usable (a page switch redraws
    the page: the first match may be on its way out)."""
    from selenium.common.exceptions import (
        ElementNotInteractableException,
        StaleElementReferenceException,
    )

    def attempt(d):  # type: ignore[no-untyped-def]
        try:
            d.find_element(*css(selector)).send_keys(text)
            return True
        except (ElementNotInteractableException, StaleElementReferenceException):
            return False

    wait(drv).until(attempt)


def choose_page(drv, name: str) -> None:  # type: ignore[no-untyped-def]
    """Follow the sidebar navigation's link to page ``name``."""

    def link(d):  # type: ignore[no-untyped-def]
        found = d.find_elements(*css('[data-testid="stSidebarNavLink"]'))
        return next((a for a in found if a.text.strip().endswith(name)), None)

    wait(drv).until(link).click()


def import_button(drv):  # type: ignore[no-untyped-def]
    return wait(drv, 60).until(
        lambda d: next(
            (b for b in d.find_elements(*css("button")) if b.text.startswith("导入到知识库")), None
        )
    )


def test_upload_outline_ask_pdf_page_and_finder(
    server: str, driver: object, tmp_path: Path
) -> None:
    from selenium.webdriver.support import expected_conditions as ec

    drv = driver  # type: ignore[assignment]
    drv.get(server)  # type: ignore[attr-defined]
    wait(drv, BOOT_TIMEOUT).until(
        ec.element_to_be_clickable(css('[data-testid="stChatInputTextArea"]'))
    )
    choose_page(drv, "知识库")
    name = wait(drv).until(ec.element_to_be_clickable(css('input[aria-label^="名称"]')))
    name.send_keys(PDF_KB + "\n")
    time.sleep(1)
    next(b for b in drv.find_elements(*css("button")) if b.text == "创建").click()  # type: ignore[attr-defined]
    wait(drv).until(lambda d: f"已创建知识库“{PDF_KB}”" in d.page_source)
    pdf = make_pdf(tmp_path / "浏览器测试样例规范.pdf")
    upload(drv, pdf)
    import_button(drv).click()
    wait(drv, BOOT_TIMEOUT).until(lambda d: "上次导入" in d.page_source)
    # The outline preview of the imported document is open.
    wait(drv).until(lambda d: "在文档视图中打开" in d.page_source)
    opened = drv.find_elements(*css('[data-testid="stExpander"] details[open]'))  # type: ignore[attr-defined]
    preview = next(e for e in opened if "条款结构与异常" in e.text)
    # It previews the document just imported, and its link opens that document's view (the
    # same one the import summary links to).
    chosen = preview.find_element(*css('[data-testid="stSelectbox"] input'))
    assert chosen.get_attribute("value") == "T/PDFT 001—2025 浏览器测试样例规范"
    links = {a.text.strip(" ↗"): a.get_attribute("href") for a in drv.find_elements(*css("a"))}  # type: ignore[attr-defined]
    preview_link = links["在文档视图中打开（可点击的目录、上下文、原文件）"]
    assert preview_link == links["T/PDFT 001—2025 浏览器测试样例规范"]
    # Choosing another file after an import: the button is back, the results stay.
    upload(drv, make_pdf(tmp_path / "第二个文件.pdf"))
    assert import_button(drv).is_displayed()
    assert "上次导入" in drv.page_source  # type: ignore[attr-defined]
    assert "已选择 1 个文件，尚未导入" in drv.page_source  # type: ignore[attr-defined]
    shot(drv, ARTIFACTS / "kb_after_import.png")
    # Ask about the PDF (the chat uses the sidebar's knowledge base).
    choose_page(drv, "问答")
    ask(drv, "浏览器测试台账多久核对一次？")
    answer = drv.find_elements(*css('[data-testid="stChatMessage"]'))[-1]  # type: ignore[attr-defined]
    assert "每月" in answer.text and "3.1" in answer.text, answer.text
    card = drv.find_elements(*css("details.stdqa-cite"))[0]  # type: ignore[attr-defined]
    assert "T/PDFT 001—2025" in card.text and "第 3 页" in card.text
    click(drv, card.find_element(*css("summary")))
    wait(drv, 30).until(lambda d: card.get_attribute("open"))
    open_in_new_tab(drv, card.find_element(*css("a.stdqa-open")))
    wait(drv, BOOT_TIMEOUT).until(ec.visibility_of_element_located(css(".stdqa-outline .current")))
    assert "附录A" in [a.text for a in drv.find_elements(*css("a.stdqa-xref"))]  # type: ignore[attr-defined]
    opener = wait(drv).until(
        lambda d: next((a for a in d.find_elements(*css("a")) if "在浏览器中打开" in a.text), None)
    )
    shot(drv, SHOTS / "document_view_pdf.png")
    url = opener.get_attribute("href")
    assert url.endswith("#page=3"), url
    with urllib.request.urlopen(url.split("#")[0], timeout=10) as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("application/pdf")
        assert r.read() == pdf.read_bytes()
    close_tab(drv)
    # The finder searches the sidebar's knowledge base: the PDF's clauses, no sample.
    choose_page(drv, "条款检索")
    type_into(drv, 'input[aria-label="检索词"]', "台账\n")
    wait(drv).until(lambda d: d.find_elements(*css(".stdqa-hit")))
    hits = " ".join(h.text for h in drv.find_elements(*css(".stdqa-hit")))  # type: ignore[attr-defined]
    assert "T/PDFT 001—2025" in hits and "T/BZQC" not in hits
    assert f"知识库：{PDF_KB}" in drv.page_source  # type: ignore[attr-defined]
