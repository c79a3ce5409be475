"""The files of deploy/ that docs/exploitation.md installs on a server: the systemd unit passes `systemd-analyze
verify`, the nginx site passes `nginx -t` (with certificates made here), and the files agree with each other and
with the application (port, upload size, paths, variables). Without systemd-analyze or nginx, those two tests are
skipped with the reason shown; .ci/run installs nginx."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from analytics import settings
from tests.support import ROOT

DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "gouvernance-m2a.service"
NGINX = DEPLOY / "nginx-gouvernance-m2a.conf"
ENVIRONMENT = DEPLOY / "environnement"
SECRETS = DEPLOY / "secrets.exemple.toml"
CLI = DEPLOY / "gouvernance-m2a-cli"
DOC = ROOT / "docs" / "exploitation.md"
SYSTEM_UNITS = next((p for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if p.is_dir()), None)


def program(name: str) -> str | None:
    """The path of a program, also in the sbin folders a non-root PATH may lack (nginx lives in /usr/sbin)."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/local/sbin")


def unit_values(key: str) -> list[str]:
    """The values of `key=` in the unit, continuation lines joined."""
    text = UNIT.read_text(encoding="utf-8").replace("\\\n", " ")
    return [m.group(1).strip() for m in re.finditer(rf"^{key}=(.*)$", text, re.MULTILINE)]


def environment() -> dict[str, str]:
    lines = ENVIRONMENT.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.lstrip().startswith("#"))


# ---------------------------------------------------------------------------------------------------------------
# The programs that read the files

@pytest.mark.skipif(program("systemd-analyze") is None or SYSTEM_UNITS is None,
                    reason="systemd-analyze absent : l'unité systemd n'est pas vérifiée (apt-get install systemd)")
def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # a root of its own: the system's units (for the default dependencies) and a stand-in for the venv's python,
    # so that the check is the same on a build machine as on the server
    assert SYSTEM_UNITS is not None
    shutil.copytree(SYSTEM_UNITS, tmp_path / "usr" / "lib" / "systemd" / "system", symlinks=True)
    [start] = unit_values("ExecStart")
    executable = tmp_path / start.split()[0].lstrip("/")
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    installed = tmp_path / "etc" / "systemd" / "system" / UNIT.name
    installed.parent.mkdir(parents=True)
    shutil.copy(UNIT, installed)
    done = subprocess.run([program("systemd-analyze") or "", "verify", "--man=no", f"--root={tmp_path}",
                           str(installed)], capture_output=True, text=True, timeout=60)
    # a misspelt value is only a warning for systemd ("… ignoring"): any message is a failure here
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def nginx_check(tmp_path: Path, site_text: str) -> subprocess.CompletedProcess:
    """`nginx -t` on an nginx.conf of its own that includes `site_text`, its certificate paths pointing to a
    self-signed certificate made by openssl in tmp_path."""
    key, certificate = tmp_path / "privkey.pem", tmp_path / "fullchain.pem"
    subprocess.run([program("openssl") or "", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=gouvernance.test",
                    "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True, timeout=60)
    site_text = re.sub(r"(?m)^(\s*ssl_certificate)\s+\S+;", rf"\1 {certificate};", site_text)
    site_text = re.sub(r"(?m)^(\s*ssl_certificate_key)\s+\S+;", rf"\1 {key};", site_text)
    site = tmp_path / "site.conf"
    site.write_text(site_text, encoding="utf-8")
    temp = "\n".join(f"    {kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                            "uwsgi", "scgi"))
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
                    f"http {{\n    access_log {tmp_path / 'access.log'};\n{temp}\n    include {site};\n}}\n",
                    encoding="utf-8")
    return subprocess.run([program("nginx") or "", "-t", "-q", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                           "-c", str(main)], capture_output=True, text=True, timeout=60)


needs_nginx = pytest.mark.skipif(
    program("nginx") is None or program("openssl") is None,
    reason="nginx ou openssl absent : le fichier nginx n'est pas vérifié (apt-get install nginx-light openssl)")


@needs_nginx
def test_the_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    done = nginx_check(tmp_path, NGINX.read_text(encoding="utf-8"))
    assert done.returncode == 0, done.stderr


@needs_nginx
def test_nginx_t_does_refuse_a_broken_site(tmp_path: Path) -> None:
    # the harness itself: the same check fails on a directive nginx does not know
    broken = NGINX.read_text(encoding="utf-8").replace("proxy_buffering off;", "proxy_bufering off;")
    done = nginx_check(tmp_path, broken)
    assert done.returncode != 0
    assert "proxy_bufering" in done.stderr


# ---------------------------------------------------------------------------------------------------------------
# The files agree with each other and with the application

def nginx_directives(name: str) -> list[str]:
    return re.findall(rf"(?m)^\s*{name}\s+([^;{{}}]+);", NGINX.read_text(encoding="utf-8"))


def test_the_proxy_reaches_the_port_the_service_listens_on() -> None:
    [start] = unit_values("ExecStart")
    assert "--server.address 127.0.0.1" in start  # only nginx reaches Streamlit
    port = re.search(r"--server\.port (\d+)", start)
    assert port is not None
    assert nginx_directives("server") == [f"127.0.0.1:{port.group(1)}"]


def test_the_websocket_of_the_sessions_is_upgraded() -> None:
    text = NGINX.read_text(encoding="utf-8")
    block = text.split("location /_stcore/stream {", 1)[1].split("}", 1)[0]
    assert "proxy_set_header Upgrade    $http_upgrade;" in block
    assert "proxy_set_header Connection $gouvernance_m2a_connection;" in block
    assert re.search(r"map \$http_upgrade \$gouvernance_m2a_connection \{\s*default upgrade;", text)
    assert "location = /_stcore/health {" in text


def test_the_upload_limits_agree() -> None:
    # the application's limit, Streamlit's upload widget and nginx: the same 50 MB (nginx a little above, for the
    # envelope of the request)
    streamlit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    values = environment()
    limit = settings.DEFAULT_MAX_UPLOAD_MB
    assert int(values["GOUVERNANCE_MAX_UPLOAD_MB"]) == int(values["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"]) == limit
    assert streamlit["server"]["maxUploadSize"] == limit
    [body] = nginx_directives("client_max_body_size")
    assert body.endswith("m") and limit < int(body[:-1]) <= limit + 10


def test_the_environment_names_only_variables_of_the_application() -> None:
    known = {value for name, value in vars(settings).items() if name.endswith("_VARIABLE")}
    values = environment()
    named = {name for name in values if name.startswith("GOUVERNANCE_")}
    assert named <= known
    assert {"GOUVERNANCE_DB", "GOUVERNANCE_USERS", "GOUVERNANCE_PRODUCTION"} <= named
    assert settings.is_true(values["GOUVERNANCE_PRODUCTION"])
    # the base and the users file live in the folder systemd gives the service, the only one it may write
    assert unit_values("StateDirectory") == ["gouvernance-m2a"]
    for name in ("GOUVERNANCE_DB", "GOUVERNANCE_USERS"):
        assert values[name].startswith("/var/lib/gouvernance-m2a/")
    commented = re.findall(r"(?m)^# (GOUVERNANCE_[A-Z_]+)=", ENVIRONMENT.read_text(encoding="utf-8"))
    assert set(commented) <= known


def test_the_command_wrapper_uses_the_service_environment() -> None:
    text = CLI.read_text(encoding="utf-8")
    assert f"ENV_FILE={unit_values('EnvironmentFile')[0]}" in text
    assert f"APP={unit_values('WorkingDirectory')[0]}" in text
    assert f"SERVICE_USER={unit_values('User')[0]}" in text
    assert CLI.stat().st_mode & 0o111  # executable as shipped
    done = subprocess.run(["sh", "-n", str(CLI)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    # the environment file is read by systemd and by sh alike: sh sees the same values
    shown = subprocess.run(["sh", "-c", 'set -a; . "$0"; set +a; env', str(ENVIRONMENT)], capture_output=True,
                           text=True, timeout=30, env={"PATH": "/usr/bin:/bin"})
    seen = dict(line.split("=", 1) for line in shown.stdout.splitlines() if "=" in line)
    assert {name: seen.get(name) for name in environment()} == environment()


def test_the_secrets_example_has_what_st_login_requires() -> None:
    secrets = tomllib.loads(SECRETS.read_text(encoding="utf-8"))
    auth = secrets["auth"]
    # the keys Streamlit 1.67 refuses to log in without (streamlit/auth_util.py validate_auth_credentials)
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} <= set(auth)
    assert auth["redirect_uri"].startswith("https://") and auth["redirect_uri"].endswith("/oauth2callback")
    host = auth["redirect_uri"].removeprefix("https://").split("/", 1)[0]
    assert set(nginx_directives("server_name")) == {host}
    assert auth["server_metadata_url"].endswith("/.well-known/openid-configuration")
    assert "openid" in auth["client_kwargs"]["scope"].split()


def test_every_deploy_file_is_documented_and_every_documented_file_is_shipped() -> None:
    text = DOC.read_text(encoding="utf-8")
    mentioned = set(re.findall(r"deploy/[A-Za-z0-9._-]+[A-Za-z0-9_-]", text))
    shipped = {f"deploy/{p.name}" for p in DEPLOY.iterdir() if p.is_file()}
    assert mentioned == shipped


def test_the_service_may_write_its_scheduled_backups(monkeypatch: pytest.MonkeyPatch) -> None:
    # ProtectSystem=strict: the service writes only under its StateDirectory and its ReadWritePaths, so the folder
    # of the scheduled backups (and of the backups « gouvernance-m2a backup » asks for) must be under one of them
    values = environment()
    writable = [f"/var/lib/{unit_values('StateDirectory')[0]}"] + [p.lstrip("-") for p in unit_values("ReadWritePaths")]
    assert writable == ["/var/lib/gouvernance-m2a", "/var/backups/gouvernance-m2a"]
    folder = Path(values["GOUVERNANCE_BACKUP_DIR"])
    assert folder.is_absolute() and any(folder.is_relative_to(path) for path in writable)
    # the values are understood as written (not replaced by the defaults)
    for name in ("GOUVERNANCE_BACKUP_DIR", "GOUVERNANCE_BACKUP_HOUR", "GOUVERNANCE_BACKUP_KEEP"):
        monkeypatch.setenv(name, values[name])
    assert (settings.backup_dir(), settings.backup_hour(), settings.backup_keep()) == (folder, 2, 7)
    assert "/var/backups/gouvernance-m2a" in DOC.read_text(encoding="utf-8")
