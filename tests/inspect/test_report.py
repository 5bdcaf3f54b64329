"""The HTML report, opened in a real headless browser: every image loads, no console errors."""

import shutil
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from simgen.cli import app
from simgen.dataset.reader import Variant, open_dataset
from simgen.inspect.report import Conditions
from tests.conftest import ROOT, render_text

SCENE = (ROOT / "scenarios/default.yaml").read_text()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    text = SCENE.replace("duration: 4.0", "duration: 0.3").replace("variants: 3", "variants: 2")
    text = text.replace("width: 640", "width: 320").replace("height: 360", "height: 180")
    return render_text(tmp_path_factory.mktemp("report"), text)


def test_report_is_self_contained_html(dataset, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", str(dataset), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "http://" not in text and "https://" not in text  # nothing fetched from anywhere
    for section in ("Summary", "Classes and labels", "Lighting and weather", "Gallery",
                    "Scenario default"):  # fmt: skip
        assert f">{section}<" in text
    assert text.count("data:image/png;base64,") >= 7 and text.count("data:image/jpeg") == 2


@pytest.mark.skipif(not shutil.which("chromedriver"), reason="needs Debian's chromium-driver")
def test_report_opens_in_a_headless_browser(dataset, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    out = tmp_path / "report.html"
    CliRunner().invoke(app, ["report", str(dataset), "--out", str(out)])
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,2000"):  # fmt: skip
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(out.as_uri())
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.alt, i.complete && i.naturalWidth])"
        )
        assert len(images) >= 9
        assert all(width > 0 for _, width in images), images
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
        shot = tmp_path / "report.png"
        assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    finally:
        driver.quit()


@pytest.mark.parametrize(
    ("rain", "rain_rate", "mmh"), [(0.5, 0.0, 0.0), (0.5, None, 25.0), (0.0, 7.5, 7.5)]
)
def test_the_report_reads_rain_as_the_scenario_means_it(dataset, rain, rain_rate, mmh):
    """``rain_rate`` in mm/h overrides ``rain`` whenever it is given, 0 included."""
    variant = open_dataset(dataset).variants[0]
    scenario = variant.manifest.instance
    environment = scenario.environment.model_copy(update={"rain": rain, "rain_rate": rain_rate})
    instance = scenario.model_copy(update={"environment": environment})
    rainy = Variant(variant.root, replace(variant.manifest, instance=instance))
    conditions = Conditions.of(rainy)
    assert conditions.rain == mmh
    assert conditions.sun_elevation == scenario.environment.sun.elevation
