"""Hostile configuration files are refused at once, with file and reason: an alias bomb
("billion laughs") and a 50 MB file, for every file the router reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.cli import main

BOMB = ('version: 1\na: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
        + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n"
                  for p, n in zip("abcdefgh", "bcdefghi", strict=True)))
FLAGS = {"settings": [], "catalogue": ["--catalogue"], "calendar": ["--calendar"]}


@pytest.mark.parametrize("kind", FLAGS)
def test_an_alias_bomb_is_refused_before_anything_expands_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    assert main(["check-config", *FLAGS[kind], str(path)]) == 2
    assert capsys.readouterr().err == (
        f"error: {path}: <file>: the document expands to over 200,000 values (YAML aliases "
        "repeated inside aliases?)\n")


@pytest.mark.parametrize("kind", FLAGS)
def test_a_50_mb_file_is_refused_before_it_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as file:
        file.write(b"version: 1\n")
        file.truncate(50 << 20)  # sparse: 52,428,800 bytes of NUL after the first line
    assert main(["check-config", *FLAGS[kind], str(path)]) == 2
    assert capsys.readouterr().err == (
        f"error: {path}: <file>: the file is 52,428,800 bytes; the limit is 4,194,304\n")


def test_a_shared_anchor_is_read_as_written(tmp_path: Path) -> None:
    from skills.files import parse_yaml  # noqa: PLC0415

    text = "office: &office {days: working_days, periods: ['09:00-17:00']}\nunits:\n" + \
        "".join(f"  u{n}: {{hours: *office}}\n" for n in range(50))
    data = parse_yaml(text, "shared.yaml")
    assert data["units"]["u49"] == {"hours": {"days": "working_days",
                                              "periods": ["09:00-17:00"]}}
