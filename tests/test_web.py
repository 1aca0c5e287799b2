"""The web app's first page, health check, error pages and headers."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casestore.centres import centre_slugs
from web import create_app
from web.public import thai_sort_key

DOMAIN = "example.org"
ENV_VARS = (
    "DAMRONGDHAM_DOMAIN",
    "DAMRONGDHAM_DATABASE_URL",
    "DAMRONGDHAM_C2S_HOST",
    "DAMRONGDHAM_C2S_PORT",
    "DAMRONGDHAM_SECRET_KEY",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def app() -> Flask:
    return create_app({"DOMAIN": DOMAIN, "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Page(HTMLParser):
    """Collects what the tests look at: html lang, links, scripts, and the centre table."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang: str | None = None
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.scripts = 0
        self.rows: list[dict[str, object]] = []
        self._in_centres = False
        self._in_tbody = False
        self._row: dict[str, object] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "script":
            self.scripts += 1
        if "href" in a and a["href"] is not None:
            self.hrefs.append(a["href"])
        if "src" in a and a["src"] is not None:
            self.srcs.append(a["src"])
        if tag == "table" and a.get("id") == "centres":
            self._in_centres = True
        if self._in_centres and tag == "tbody":
            self._in_tbody = True
        if self._in_tbody and tag == "tr":
            self._row = {"id": a.get("id"), "iso": a.get("data-iso"), "text": "", "links": []}
        if self._row is not None and tag == "a":
            self._row["links"].append(a.get("href"))  # type: ignore[union-attr]

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        if tag == "tbody":
            self._in_tbody = False
        if tag == "table":
            self._in_centres = False

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row["text"] = f"{self._row['text']} {data.strip()}".strip()


def _page(client: FlaskClient, path: str = "/") -> tuple[Page, str]:
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return Page(html), html


# --- landing page ---------------------------------------------------------------------------


def test_index_is_thai_first(client: FlaskClient) -> None:
    page, html = _page(client)
    assert page.lang == "th"
    assert '<meta name="viewport"' in html
    assert "แจ้งเรื่องถึงศูนย์ดำรงธรรมผ่านแชต" in html
    # Thai before English: the English summary comes after the centre table
    assert html.index("ศูนย์ดำรงธรรม 76 จังหวัด") < html.index("In English")
    assert '<section class="english" lang="en"' in html


def test_index_lists_76_centres_with_xmpp_links(client: FlaskClient) -> None:
    page, _ = _page(client)
    assert len(page.rows) == 76
    assert {r["id"] for r in page.rows} == centre_slugs()
    for row in page.rows:
        assert row["links"] == [f"xmpp:{row['id']}@bot.{DOMAIN}?message"], row
        assert f"{row['id']}@bot.{DOMAIN}" in str(row["text"])
        assert "ศูนย์ดำรงธรรมจังหวัด" in str(row["text"])


def test_chiangrai_row(client: FlaskClient) -> None:
    page, html = _page(client)
    (row,) = [r for r in page.rows if r["id"] == "chiangrai"]
    assert row["iso"] == "TH-57"
    assert "เชียงราย" in str(row["text"])
    assert "Chiang Rai" in str(row["text"])
    assert "ศูนย์ดำรงธรรมจังหวัดเชียงราย" in str(row["text"])
    assert "chiangrai@bot.example.org" in str(row["text"])
    assert 'href="xmpp:chiangrai@bot.example.org?message"' in html
    assert "damrongdham.localhost" not in html


def test_rows_are_in_thai_alphabetical_order(client: FlaskClient) -> None:
    page, _ = _page(client)
    ids = [r["id"] for r in page.rows]
    assert ids[0] == "krabi"  # กระบี่
    assert ids.index("chonburi") < ids.index("chiangrai") < ids.index("trang")
    assert ids[-4:] == ["udonthani", "uttaradit", "uthaithani", "ubonratchathani"]
    assert "bangkok" not in ids


def test_thai_sort_key_files_leading_vowels_under_the_consonant() -> None:
    names = ["เลย", "ลำปาง", "แพร่", "พะเยา", "น่าน", "นครพนม"]
    assert sorted(names, key=thai_sort_key) == ["นครพนม", "น่าน", "พะเยา", "แพร่", "ลำปาง", "เลย"]


def test_index_tells_how_to_report(client: FlaskClient) -> None:
    _, html = _page(client)
    assert 'href="xmpp:bot.example.org?message"' in html  # general entry when unsure
    assert "@bot.example.org" in html
    assert "citizens.example.org" in html
    assert "TH57-2569-000042" in html


def test_hotline_and_emergency_numbers(client: FlaskClient) -> None:
    page, html = _page(client)
    for number in ("1567", "191", "1669", "199"):
        assert f"tel:{number}" in page.hrefs
    assert "ตำรวจ" in html and "เจ็บป่วยฉุกเฉิน" in html and "ดับเพลิง" in html
    assert "Police" in html and "Medical emergency" in html and "Fire" in html


def test_no_external_resources_and_only_our_own_script(client: FlaskClient) -> None:
    """The landing page is the web chat: one script of ours (no inline code: the CSP forbids
    it), nothing from another origin."""
    page, _ = _page(client)
    assert page.scripts == 1
    assert page.srcs == ["/static/chat/app.js"]
    for link in page.hrefs:
        assert not re.match(r"^(https?:)?//", link), link
    assert "/static/style.css" in page.hrefs
    css = client.get("/static/style.css")
    assert css.status_code == 200
    text = css.get_data(as_text=True)
    assert "@import" not in text and "url(" not in text


def test_default_domain() -> None:
    client = create_app().test_client()
    page, _ = _page(client)
    assert page.rows[0]["links"] == ["xmpp:krabi@bot.damrongdham.localhost?message"]
    assert client.get("/healthz").get_json()["domain"] == "damrongdham.localhost"


# --- health check and errors ----------------------------------------------------------------


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "domain": DOMAIN}
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_path_is_a_bilingual_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'lang="th"' in html
    assert "ไม่พบหน้าที่คุณต้องการ" in html
    assert "Page not found" in html
    assert "Traceback" not in html and "werkzeug" not in html.lower()
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_wrong_method_is_405(client: FlaskClient) -> None:
    response = client.post("/")
    assert response.status_code == 405
    assert "Method not allowed" in response.get_data(as_text=True)


def test_crash_gives_a_bilingual_500_without_traceback() -> None:
    app = create_app({"DOMAIN": DOMAIN})

    def boom() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", view_func=boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "ระบบขัดข้องชั่วคราว" in html
    assert "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/healthz", "/nope", "/static/style.css"])
def test_security_headers(client: FlaskClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "http" not in csp and "*" not in csp and "unsafe" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"


# --- configuration --------------------------------------------------------------------------


def test_config_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMRONGDHAM_DOMAIN", "Chat.Example.NET")
    monkeypatch.setenv("DAMRONGDHAM_DATABASE_URL", "sqlite:////tmp/x.sqlite3")
    monkeypatch.setenv("DAMRONGDHAM_C2S_HOST", "xmpp.internal")
    monkeypatch.setenv("DAMRONGDHAM_C2S_PORT", "15222")
    monkeypatch.setenv("DAMRONGDHAM_SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["DOMAIN"] == "chat.example.net"
    assert app.config["DATABASE_URL"] == "sqlite:////tmp/x.sqlite3"
    assert app.config["C2S_HOST"] == "xmpp.internal"
    assert app.config["C2S_PORT"] == 15222
    assert app.config["SECRET_KEY"] == "from-env"
    assert "chiangrai@bot.chat.example.net" in app.test_client().get("/").get_data(as_text=True)


def test_config_argument_beats_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMRONGDHAM_DOMAIN", "env.example")
    app = create_app({"DOMAIN": "arg.example", "C2S_PORT": 5223})
    assert app.config["DOMAIN"] == "arg.example"
    assert app.config["C2S_PORT"] == 5223


def test_defaults() -> None:
    app = create_app()
    assert app.config["DOMAIN"] == "damrongdham.localhost"
    assert app.config["DATABASE_URL"] is None
    assert app.config["C2S_PORT"] == 5222
    key = app.config["SECRET_KEY"]
    assert isinstance(key, str) and len(key) >= 32
    assert create_app().config["SECRET_KEY"] == key  # random, but one per process


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"DOMAIN": "bad domain"}, "DOMAIN"),
        ({"DOMAIN": "evil.example/<script>"}, "DOMAIN"),
        ({"DOMAIN": "user@example.org"}, "DOMAIN"),
        ({"C2S_PORT": "http"}, "C2S_PORT"),
        ({"C2S_PORT": 70000}, "C2S_PORT"),
    ],
)
def test_bad_config_is_refused(config: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_app(config)


def test_web_writes_no_sql() -> None:
    web = Path(__file__).resolve().parents[1] / "web"
    for source in web.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+(sqlalchemy|sqlite3|psycopg)", text, re.M), (
            source
        )


def test_the_citizens_guide_is_served_as_pdf(client: FlaskClient) -> None:
    response = client.get("/guide.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.get_data()[:5] == b"%PDF-"
    assert "/guide.pdf" in client.get("/").get_data(as_text=True)  # linked from every page
