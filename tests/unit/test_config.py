"""Settings: YAML + secrets + environment, and errors that name file, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.cli import main
from router.config import load_settings
from router.errors import ConfigErrors


def _errors(exc: pytest.ExceptionInfo[ConfigErrors]) -> list[tuple[str, str, str]]:
    return [(e.file, e.key, e.reason) for e in exc.value.errors]


def test_defaults_point_at_the_local_lab(tmp_path: Path) -> None:
    settings = load_settings(None, env={"HOTLINE_LAB_HOME": str(tmp_path)})
    assert (settings.ami.host, settings.ami.port, settings.ami.username) == (
        "127.0.0.1", 15038, "hotline-router")
    assert settings.redis.url == "redis://127.0.0.1:15079/0"
    assert (settings.mqtt.host, settings.mqtt.port) == ("127.0.0.1", 15083)


def test_environment_overrides_the_file_and_secrets_come_from_files(tmp_path: Path) -> None:
    config = tmp_path / "router.yaml"
    config.write_text("ami:\n  port: 5038\n  username: hr\nmqtt:\n  port: 1883\n")
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "ami_secret").write_text("from-file\n")
    settings = load_settings(config, env={"ROUTER_SECRETS_DIR": str(secrets),
                                          "ROUTER_MQTT__PORT": "8883"})
    assert (settings.ami.port, settings.ami.username, settings.mqtt.port) == (5038, "hr", 8883)
    assert settings.ami.secret.get_secret_value() == "from-file"
    env = {"ROUTER_SECRETS_DIR": str(secrets), "ROUTER_AMI__SECRET": "from-env"}
    assert load_settings(config, env=env).ami.secret.get_secret_value() == "from-env"


def test_a_secret_in_the_settings_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "router.yaml"
    config.write_text("ami:\n  secret: hunter2\nredis:\n  password: x\n")
    with pytest.raises(ConfigErrors) as exc:
        load_settings(config, env={})
    reason = ("secrets are not read from the settings file; set ROUTER_AMI__SECRET or a "
              "secrets file")
    assert _errors(exc)[0] == (str(config), "ami.secret", reason)
    assert [key for _, key, _ in _errors(exc)] == ["ami.secret", "redis.password"]


def test_invalid_values_name_their_file_key_and_reason(tmp_path: Path) -> None:
    config = tmp_path / "router.yaml"
    config.write_text("ami:\n  port: 99999\nunknown_section: {}\n")
    with pytest.raises(ConfigErrors) as exc:
        load_settings(config, env={"ROUTER_MQTT__PORT": "many"})
    assert _errors(exc) == [
        (str(config), "ami.port", "Input should be less than or equal to 65535"),
        ("environment", "mqtt.port",
         "Input should be a valid integer, unable to parse string as an integer"),
        (str(config), "unknown_section", "Extra inputs are not permitted"),
    ]


def test_a_file_that_is_not_yaml_is_refused_whole(tmp_path: Path) -> None:
    config = tmp_path / "router.yaml"
    config.write_text("ami: [unclosed\n")
    with pytest.raises(ConfigErrors) as exc:
        load_settings(config, env={})
    ((file, key, reason),) = _errors(exc)
    assert (file, key) == (str(config), "")
    assert reason.startswith("not valid YAML")


def test_a_relative_catalogue_path_is_relative_to_the_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "router.yaml"
    config.write_text("catalogue:\n  path: cat/catalogue.yaml\n")
    assert load_settings(config, env={}).catalogue.path == tmp_path / "cat" / "catalogue.yaml"


def test_check_config_exits_0_for_the_defaults_and_2_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    bad = tmp_path / "router.yaml"
    bad.write_text("transfer:\n  originate_margin_s: 0\n")
    assert main(["check-config", str(bad)]) == 2
    assert capsys.readouterr().err == (
        f"error: {bad}: transfer.originate_margin_s: Input should be greater than or "
        "equal to 1\n")
