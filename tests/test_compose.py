"""docker-compose.yml and Dockerfile agree with the code (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from damrongdham.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_services_volumes_and_health_checks() -> None:
    compose = _compose()
    assert set(compose["services"]) == {"postgres", "damrongdham"}
    for name, service in compose["services"].items():
        assert "healthcheck" in service, name
        assert service.get("restart") == "unless-stopped", name
    app = compose["services"]["damrongdham"]
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert any(v.endswith(":/data") for v in app["volumes"])
    assert set(compose["volumes"]) == {"pgdata", "data"}


def test_command_parses_with_our_cli() -> None:
    app = _compose()["services"]["damrongdham"]
    argv = [re.sub(r"\$\{[^}]+\}", "example.org", a) for a in app["command"]]
    args = build_parser().parse_args(argv)
    assert args.command == "up" and str(args.data_dir) == "/data"
    assert args.domain == "example.org"


def test_database_url_is_postgres_and_secret_comes_from_env() -> None:
    app = _compose()["services"]["damrongdham"]
    url = app["environment"]["DAMRONGDHAM_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "${POSTGRES_PASSWORD}" in url
    env_example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for var in re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text()):
        assert f"{var}=" in env_example, f"{var} missing from .env.example"


def test_image_installs_what_setup_installs_and_copies_every_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    wanted = re.search(r"apt_pkgs=\(([^)]+)\)", setup).group(1).split()
    wanted += re.search(r"apt_pkgs\+=\((nodejs npm)\)", setup).group(1).split()
    for pkg in wanted:
        assert pkg in dockerfile, pkg
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = re.search(r"include = \[([^\]]+)\]", pyproject).group(1)
    for pkg in re.findall(r'"(\w+)\*"', packages):
        assert f"COPY {pkg} {pkg}" in dockerfile, pkg
    assert "COPY prosody prosody" in dockerfile
    exposed = set(re.search(r"EXPOSE ([\d ]+)", dockerfile).group(1).split())
    ports = _compose()["services"]["damrongdham"]["ports"]
    published = {p.split(":")[-1].strip('"') for p in ports}
    assert published <= exposed
