"""The dialplan contract: names shared by the router and asterisk_conf/ are defined once
(router/dialplan.py, router/ami/names.py) and the .conf files use exactly those."""

from __future__ import annotations

import re
from pathlib import Path

from router import dialplan
from router.ami import names

CONF = Path(__file__).resolve().parents[2] / "asterisk_conf"
GENERATED = (CONF / "extensions_catalogue.conf").read_text(encoding="utf-8")
EXTENSIONS = (CONF / "extensions.conf").read_text(encoding="utf-8") + GENERATED
LAB = (CONF / "lab" / "extensions_lab.conf").read_text(encoding="utf-8")
FEATURES = (CONF / "features.conf").read_text(encoding="utf-8")
MANAGER = (CONF / "manager.conf").read_text(encoding="utf-8")
QUEUES = (CONF / "queues.conf").read_text(encoding="utf-8")


def _contexts(text: str) -> set[str]:
    return set(re.findall(r"^\[([a-z0-9-]+)\]", text, re.M)) - {"general", "globals"}


def test_every_context_the_router_names_exists_and_no_other() -> None:
    named = {v for k, v in vars(dialplan).items() if k.startswith("CONTEXT_")}
    lab = {dialplan.CONTEXT_LAB_CALLER, dialplan.CONTEXT_LAB_PARTY,
           dialplan.CONTEXT_LAB_DIRECT, dialplan.CONTEXT_LAB_DIRECT_SEAT,
           dialplan.CONTEXT_LAB_DIRECT_LEG,
           dialplan.CONTEXT_EMERGENCY_OUT}  # the lab's stand-in for the site's route
    assert _contexts(EXTENSIONS) == named - lab
    assert _contexts(LAB) == lab


def test_the_production_dialplan_includes_only_the_generated_site_and_lab_files() -> None:
    assert re.findall(r"^#\w*include.*$", EXTENSIONS, re.M) == [
        '#include "extensions_catalogue.conf"', '#tryinclude "extensions_site.conf"',
        '#tryinclude "extensions_lab.conf"']
    assert not (CONF / "extensions_lab.conf").exists()


def test_every_user_event_raised_is_known_to_the_router_and_carries_version_and_call_id() -> None:
    raised = re.findall(r"UserEvent\((Hotline\w+),(.*)\)$", EXTENSIONS, re.M)
    assert {name for name, _ in raised} == {*names.USER_EVENTS, names.UE_PRESENCE}
    for name, headers in raised:
        about_a_call = name != names.UE_PRESENCE
        prefix = "Version: 1,CallId: ${HOTLINE_CALL_ID}" if about_a_call else \
            "Version: 1,Extension: ${CALLERID(num)}"
        assert headers.startswith(prefix), name


def test_every_channel_variable_the_router_names_is_used_by_the_dialplan() -> None:
    for name, value in vars(dialplan).items():
        if name.startswith("VAR_"):
            assert "${" + value + "}" in EXTENSIONS or f"{value}=" in EXTENSIONS, value
    assert f"channelvars = {dialplan.VAR_CALL_ID},{dialplan.VAR_ROLE},{dialplan.VAR_LEG_ID}" \
        in MANAGER


def test_queues_features_and_entry_use_the_shared_names() -> None:
    assert f"[{dialplan.OPERATOR_QUEUE}]" in QUEUES
    assert f"HOTLINE_OPERATOR_QUEUE = {dialplan.OPERATOR_QUEUE}" in EXTENSIONS
    assert f"exten => {dialplan.ENTRY_EXTEN},1," in EXTENSIONS
    for feature, context in ((dialplan.FEATURE_TRANSFER, dialplan.CONTEXT_OPERATOR_TRANSFER),
                             (dialplan.FEATURE_LEAVE, dialplan.CONTEXT_OPERATOR_LEAVE)):
        assert re.search(rf"^{feature} => \*\d,self,Gosub\({context},s,1\)(,default)?$",
                         FEATURES, re.M)
        assert feature in EXTENSIONS  # enabled on the operator's channel
    assert f'"${{HOTLINE_REPLY}}" = "{dialplan.REPLY_ACCEPTED}"' in EXTENSIONS
