"""docker-compose.yml and Dockerfile agree with the code (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from damrongdham.bot_service import ready_file
from damrongdham.cli import build_parser
from kernel.settings import StackSettings

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("damrongdham", "web", "bots", "bridge", "casestore", "provisioning", "kernel")
APP = ("prosody", "bot", "web")  # one image, three commands


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _argv(service: dict) -> list[str]:
    return [re.sub(r"\$\{[^}]+\}", "example.org", str(a)) for a in service["command"]]


def _code() -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for d in CODE_DIRS for p in (ROOT / d).rglob("*.py")
    )


def test_services_volumes_and_health_checks() -> None:
    compose = _compose()
    assert set(compose["services"]) == {"postgres", *APP}
    for name, service in compose["services"].items():
        assert "healthcheck" in service, name
        assert service.get("restart") == "unless-stopped", name
    services = compose["services"]
    assert services["prosody"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("bot", "web"):
        assert services[name]["depends_on"]["prosody"]["condition"] == "service_healthy"
        # config.json says "connect to the listen address": the same network namespace
        assert services[name]["network_mode"] == "service:prosody"
        assert "ports" not in services[name]  # published by the namespace's owner
    images = {services[name]["image"] for name in APP}
    assert len(images) == 1 and all(services[name]["build"] == "." for name in APP)
    for name in APP:
        assert "data:/data" in services[name]["volumes"], name
    assert set(compose["volumes"]) == {"pgdata", "data"}


def test_bot_and_web_commands_parse_with_our_cli() -> None:
    services = _compose()["services"]
    for name in ("bot", "web"):
        args = build_parser().parse_args(_argv(services[name]))
        assert args.command == name and str(args.data_dir) == "/data"


def test_prosody_command_parses_with_our_cli() -> None:
    args = build_parser().parse_args(_argv(_compose()["services"]["prosody"]))
    assert args.command == "up" and str(args.data_dir) == "/data"
    assert args.domain == "example.org" and args.listen == "0.0.0.0"
    assert args.no_bot and args.no_web


def test_prosody_command_is_up_with_the_data_dir_and_domain() -> None:
    argv = _argv(_compose()["services"]["prosody"])
    assert argv[0] == "up"
    known = [a for a in argv if a not in ("--no-bot", "--no-web")]
    args = build_parser().parse_args(known)
    assert str(args.data_dir) == "/data" and args.domain == "example.org"


def test_health_checks_hit_what_the_code_serves() -> None:
    services = _compose()["services"]
    web = services["web"]["healthcheck"]["test"]
    defaults = StackSettings(data_dir=Path("/data"))
    assert web[-1] == f"http://127.0.0.1:{defaults.web_port}/healthz"
    public = (ROOT / "web" / "public.py").read_text(encoding="utf-8")
    assert '@bp.get("/healthz")' in public
    bot = services["bot"]["healthcheck"]["test"]
    assert bot[-1] == str(ready_file(defaults))
    prosody = services["prosody"]["healthcheck"]["test"]
    assert prosody[-1] == f"http://127.0.0.1:{defaults.http_port}/http-bind"
    template = (ROOT / "prosody" / "prosody.cfg.lua.in").read_text(encoding="utf-8")
    assert re.search(r'"bosh";', template) and "http_ports = { ${http_port} }" in template


def test_database_url_is_postgres_and_secrets_come_from_env() -> None:
    services = _compose()["services"]
    url = services["prosody"]["environment"]["DAMRONGDHAM_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "${POSTGRES_PASSWORD}" in url
    assert "@postgres:5432/" in url  # the postgres service's name and port
    env_example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for var in re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text()):
        assert f"{var}=" in env_example, f"{var} missing from .env.example"


def test_every_environment_name_is_read_by_the_code() -> None:
    code = _code()
    services = _compose()["services"]
    for name in APP:
        for var in services[name].get("environment", {}):
            assert f'"{var}"' in code, f"{name}: nothing reads {var}"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    env_block = re.search(r"^ENV (.+?)(?:\n\n|\nVOLUME)", dockerfile, re.S | re.M).group(1)
    read_elsewhere = {"PATH", "PYTHAINLP_DATA"}  # the shell, and PyThaiNLP itself
    for var in re.findall(r"(\w+)=", env_block):
        assert var in read_elsewhere or f'"{var}"' in code, var


def test_image_installs_what_setup_installs_and_copies_every_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    wanted = re.search(r"apt_pkgs=\(([^)]+)\)", setup).group(1).split()
    wanted += re.search(r"apt_pkgs\+=\((nodejs npm)\)", setup).group(1).split()
    for pkg in wanted:
        assert pkg in dockerfile, pkg
    assert "curl" in dockerfile  # the health checks run curl inside the image
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = re.search(r"include = \[([^\]]+)\]", pyproject).group(1)
    for pkg in re.findall(r'"(\w+)\*"', packages):
        assert f"COPY {pkg} {pkg}" in dockerfile, pkg
    assert "COPY prosody prosody" in dockerfile
    exposed = set(re.search(r"EXPOSE ([\d ]+)", dockerfile).group(1).split())
    ports = _compose()["services"]["prosody"]["ports"]
    published = {p.split(":")[-1].strip('"') for p in ports}
    assert published <= exposed
    defaults = StackSettings(data_dir=Path("/data"))
    assert published == {str(defaults.c2s_port), str(defaults.http_port), str(defaults.web_port)}
    assert 'ENTRYPOINT ["damrongdham"]' in dockerfile


def test_default_command_of_the_image_parses() -> None:
    """`docker run IMAGE` alone runs the whole stack in one container (as `up` does)."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = re.search(r"^CMD (\[.+\])$", dockerfile, re.M).group(1)
    args = build_parser().parse_args(yaml.safe_load(cmd))
    assert args.command == "up" and str(args.data_dir) == "/data"
