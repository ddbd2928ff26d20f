"""The supervisors' wallboard in a real headless Chromium, against the lab: tiles change
without a reload as specialists log in and calls are transferred."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service as DriverService
from selenium.webdriver.common.by import By

from tests.support.lab import Bus, Pbx, RouterUnderTest

SCREENSHOT = os.environ.get("HOTLINE_WALLBOARD_SCREENSHOT")  # e.g. docs/wallboard.png


@pytest.fixture
async def browser() -> AsyncIterator[webdriver.Chrome]:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="wallboard-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = await asyncio.to_thread(
        webdriver.Chrome, options=options,
        service=DriverService(executable_path="/usr/bin/chromedriver"))
    yield driver
    await asyncio.to_thread(driver.quit)


async def _tile_text(driver: webdriver.Chrome, unit: str, field: str) -> str:
    def read() -> str:
        element = driver.find_element(By.CSS_SELECTOR,
                                      f'#unit-{unit} [data-field="{field}"]')
        return str(element.text)

    return await asyncio.to_thread(read)


async def _until_tile(driver: webdriver.Chrome, unit: str, field: str,
                      expected: Callable[[str], bool], what: str) -> str:
    """Poll the page (Selenium is blocking: it runs beside the loop the router needs)."""
    try:
        async with asyncio.timeout(20):
            while True:
                try:
                    text = await _tile_text(driver, unit, field)
                except NoSuchElementException:  # the first state has not arrived yet
                    text = ""
                if expected(text):
                    return text
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"the wallboard never showed {what}") from None


async def test_the_wallboard_tiles_follow_specialists_and_calls_without_a_reload(
    pbx: Pbx, router: RouterUnderTest, bus: Bus, browser: webdriver.Chrome
) -> None:
    port = router.service.http.port  # type: ignore[union-attr]
    await asyncio.to_thread(browser.get, f"http://127.0.0.1:{port}/wallboard")
    assert await _until_tile(browser, "tax", "available", lambda t: t == "0/0",
                             "the tax service with nobody logged in") == "0/0"
    assert await _tile_text(browser, "tax", "connection_rate") == "—"
    title = await asyncio.to_thread(lambda: browser.find_element(By.CSS_SELECTOR,
                                                                 "#unit-tax .name").text)
    assert title == "国家税务总局上海市税务局"

    # specialists log in: the tile follows
    await pbx.enable("2001", answer_after_s=0.5)
    await pbx.enable("2005")
    await _until_tile(browser, "tax", "available", lambda t: t == "2/2", "two available")

    # a transferred call: the connection rate appears, at 100%
    await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5)
    call_id = await pbx.control.place_call("13812340000")
    await bus.wait_call_event(call_id, "transfer.connected")
    await _until_tile(browser, "tax", "available", lambda t: t == "1/2", "one on a call")
    await pbx.control.hangup(call_id)
    await bus.wait_call_event(call_id, "call.ended")
    assert await _until_tile(browser, "tax", "connection_rate", lambda t: t == "100.0%",
                             "the connection rate") == "100.0%"
    assert await _tile_text(browser, "tax", "counts") == "1/1"
    classes = await asyncio.to_thread(
        lambda: browser.find_element(By.ID, "unit-tax").get_attribute("class"))
    assert classes == "tile ok"
    if SCREENSHOT:
        await asyncio.to_thread(browser.save_screenshot, str(Path(SCREENSHOT).resolve()))
