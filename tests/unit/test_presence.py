"""Presence commands from phones (by extension) and desks (by catalogue id): what the core
asks the PBX and the desk. The catalogue here gives specialist 2001 extension 6001 and
operator 1001 extension 7001, so an id and an extension are never the same string."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from router.core.commands import ReplyToParty, SetPresence
from router.core.events import PresenceRequested
from router.core.presence import presence_commands
from skills.catalogue import Catalogue, load_catalogue

DEFAULT = Path(__file__).resolve().parents[2] / "skills" / "data" / "catalogue.yaml"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    data["specialists"]["2001"]["extension"] = "6001"
    data["operators"]["1001"]["extension"] = "7001"
    path = tmp_path_factory.mktemp("presence") / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_catalogue(path)


@pytest.mark.parametrize(("event", "expected"), [
    # a phone's feature code names the extension
    (PresenceRequested("6001", "pause", "phone", reason="lunch"),
     [SetPresence("2001", "specialist", "6001", True, "lunch", "phone")]),
    (PresenceRequested("6001", "pause", "phone"),
     [SetPresence("2001", "specialist", "6001", True, "paused", "phone")]),
    (PresenceRequested("6001", "logout", "phone", reason="ignored"),
     [SetPresence("2001", "specialist", "6001", True, "logged-out", "phone")]),
    (PresenceRequested("6001", "unpause", "phone", reason="ignored"),
     [SetPresence("2001", "specialist", "6001", False, "", "phone")]),
    (PresenceRequested("7001", "login", "phone"),
     [SetPresence("1001", "operator", "7001", False, "", "phone")]),
    # an id is not an extension on a phone; an unknown phone gets nothing back
    (PresenceRequested("2001", "logout", "phone"), []),
    (PresenceRequested("9999", "logout", "phone"), []),
    # a desk names the catalogue id and its role, and is answered
    (PresenceRequested("2001", "logout", "desk", request_id="r1", role="specialist"),
     [SetPresence("2001", "specialist", "6001", True, "logged-out", "desk"),
      ReplyToParty("2001", "specialist", "r1", True, "accepted")]),
    (PresenceRequested("1001", "pause", "desk", "meeting", "r2", role="operator"),
     [SetPresence("1001", "operator", "7001", True, "meeting", "desk"),
      ReplyToParty("1001", "operator", "r2", True, "accepted")]),
    # the role is part of the name: a specialist's id under the operator role is unknown
    (PresenceRequested("2001", "logout", "desk", request_id="r3", role="operator"),
     [ReplyToParty("2001", "operator", "r3", False, "unknown_party")]),
    (PresenceRequested("6001", "logout", "desk", request_id="r4", role="specialist"),
     [ReplyToParty("6001", "specialist", "r4", False, "unknown_party")]),
])
def test_presence_commands(catalogue: Catalogue, event: PresenceRequested,
                           expected: list[object]) -> None:
    assert presence_commands(catalogue, event) == expected
