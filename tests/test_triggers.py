"""Purpose-specific triggers and the condition, each in a real automation set up from YAML.

The entrance here follows unlocks by hand too (Auto-lock after any unlock), so each test also shows
that a key turned at the door is nobody's visit.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.settings import DEFAULT_OPTIONS
from homeassistant.components import automation
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import condition, device_registry as dr, trigger
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml

from .conftest import ALARM, DOOR, LOCK
from .helpers import (
    ENTRY_ID,
    admit,
    close_door,
    end_visit,
    open_door,
    post_link,
    schedule_now,
    set_lock_state,
    set_switch,
    tick,
)
from .test_texts import load

pytestmark = pytest.mark.usefixtures("init_integration")

RELOCK = DEFAULT_OPTIONS["relock_delay"] + 1
# What each run of a test automation reports: the trigger's variables a user would template.
REPORT = {
    "moment": "{{ trigger.description }}",
    "who": "{{ trigger.who }}",
    "how": "{{ trigger.admitted_by }}",
    "label": "{{ trigger.pass_label }}",
    "outcome": "{{ trigger.outcome }}",
    "carrier": "{{ trigger.carrier }}",
    "aim": "{{ aim | default('') }}",
}


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Front door, which also locks again after an unlock by hand."""
    return DEFAULT_OPTIONS | {"auto_lock": True}


@pytest.fixture
def entrance(device_registry: dr.DeviceRegistry) -> dict[str, list[str]]:
    """A target naming the Front door entrance by its device, as the automation editor writes it."""
    device = device_registry.async_get_device_by_identifier((DOMAIN, ENTRY_ID), ENTRY_ID)
    assert device is not None
    return {"device_id": [device.id]}


async def automate(
    hass: HomeAssistant, *triggers: dict[str, Any], conditions: list[dict[str, Any]] | None = None
) -> None:
    """Automations of the user's configuration.yaml, one per trigger, that report each run to test.automation."""
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "triggers": [trigger],
                    "conditions": conditions or [],
                    "actions": [{"action": "test.automation", "data": REPORT}],
                }
                for trigger in triggers
            ]
        },
    )
    await hass.async_block_till_done()


def runs(service_calls: list[ServiceCall]) -> list[dict[str, Any]]:
    """What the automation was run with, in order."""
    return [dict(call.data) for call in service_calls if call.domain == "test"]


async def courier_unlocks(hass: HomeAssistant, client: Any, **fields: str) -> str:
    """A delivery is expected now and its courier taps Unlock; returns the link."""
    link = str((await schedule_now(hass, **fields))["link"])
    response = await post_link(client, link, "unlock")
    assert response.status == 200
    await hass.async_block_till_done()
    return link


async def unlock_by_hand(hass: HomeAssistant) -> None:
    """Someone turns the key at the door."""
    await set_lock_state(hass, "unlocked")


async def test_visit_started_for_each_visitor_chosen(
    hass: HomeAssistant, entrance: dict[str, Any], link_client: Any, service_calls: list[ServiceCall]
) -> None:
    """A visit started: for the visitors chosen, once per visit; a key turned by hand is no visit."""
    await automate(hass, {"trigger": f"{DOMAIN}.visit_started", "target": entrance, "options": {"who": "owner"}})
    await admit(hass)
    await end_visit(hass)
    await courier_unlocks(hass, link_client)
    await end_visit(hass)
    await unlock_by_hand(hass)
    assert [(run["who"], run["label"], run["moment"]) for run in runs(service_calls)] == [
        ("owner", "Owner", "visit started at Front door")
    ]


async def test_courier_let_in(
    hass: HomeAssistant,
    entrance: dict[str, Any],
    link_client: Any,
    freezer: FrozenDateTimeFactory,
    service_calls: list[ServiceCall],
) -> None:
    """By default only a courier's unlock runs it: not the owner's admit, not a key turned by hand."""
    await automate(hass, {"trigger": f"{DOMAIN}.let_in", "target": entrance})
    await admit(hass)
    await end_visit(hass)
    await unlock_by_hand(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["entry_timeout"] + 1)
    assert hass.states.get(LOCK).state == "locked"
    assert runs(service_calls) == []

    await courier_unlocks(hass, link_client, carrier="DHL", tracking_number="00340434")
    assert hass.states.get(LOCK).state == "unlocked"
    assert [(run["who"], run["label"]) for run in runs(service_calls)] == [("courier", "DHL, parcel 00340434")]


async def test_let_in_for_anyone_chosen(
    hass: HomeAssistant, entrance: dict[str, Any], service_calls: list[ServiceCall]
) -> None:
    """With every visitor chosen, the owner's admit runs it too, when the door is unlocked, not before."""
    await automate(
        hass,
        {"trigger": f"{DOMAIN}.let_in", "target": entrance, "options": {"who": ["courier", "guest", "owner"]}},
    )
    await set_switch(hass, "input_boolean.sim_lock_responds", False)
    await admit(hass)
    assert runs(service_calls) == []  # the lock has not said unlocked yet
    await set_lock_state(hass, "unlocked")
    assert [run["who"] for run in runs(service_calls)] == ["owner"]


async def test_visit_ended_with_the_outcome_asked_for(
    hass: HomeAssistant, entrance: dict[str, Any], freezer: FrozenDateTimeFactory, service_calls: list[ServiceCall]
) -> None:
    """Only a visit that could not lock at first runs "ended after the relock failed"; it runs once it locks."""
    await automate(
        hass,
        {"trigger": f"{DOMAIN}.visit_ended", "target": entrance, "options": {"outcome": ["relock_failed"]}},
    )
    await admit(hass)
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, RELOCK)
    assert hass.states.get(LOCK).state == "locked"
    assert runs(service_calls) == []  # ended, locked as planned

    await admit(hass)
    await set_switch(hass, "input_boolean.sim_lock_jams", True)
    await end_visit(hass)
    assert hass.states.get(LOCK).state == "jammed"
    assert runs(service_calls) == []  # not ended: it stays open until the lock locks
    await set_lock_state(hass, "locked")
    assert [(run["outcome"], run["who"]) for run in runs(service_calls)] == [("relock_failed", "owner")]


async def test_visit_ended_by_default_and_not_after_a_key(
    hass: HomeAssistant, entrance: dict[str, Any], freezer: FrozenDateTimeFactory, service_calls: list[ServiceCall]
) -> None:
    """By default every visit's end runs it, with the outcome locked; a key turned by hand and locked again does not."""
    await automate(hass, {"trigger": f"{DOMAIN}.visit_ended", "target": entrance})
    await unlock_by_hand(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["entry_timeout"] + 1)
    assert hass.states.get(LOCK).state == "locked"
    await admit(hass)
    await end_visit(hass)
    assert [(run["outcome"], run["moment"]) for run in runs(service_calls)] == [("locked", "visit ended at Front door")]


async def test_relock_failed(
    hass: HomeAssistant, entrance: dict[str, Any], freezer: FrozenDateTimeFactory, service_calls: list[ServiceCall]
) -> None:
    """The door stands unlocked: once for a visit, and once after a key turned by hand that will not lock."""
    await automate(hass, {"trigger": f"{DOMAIN}.relock_failed", "target": entrance})
    await admit(hass)
    await end_visit(hass)
    assert runs(service_calls) == []  # locked fine
    await set_switch(hass, "input_boolean.sim_lock_jams", True)
    await admit(hass)
    await end_visit(hass)
    await tick(hass, freezer, 3600)  # slow retries do not tell it again
    assert [run["who"] for run in runs(service_calls)] == ["owner"]
    await set_switch(hass, "input_boolean.sim_lock_jams", False)
    await set_lock_state(hass, "locked")

    await set_switch(hass, "input_boolean.sim_lock_jams", True)
    await unlock_by_hand(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["entry_timeout"] + 1)
    assert hass.states.get(LOCK).state == "jammed"
    assert [(run["who"], run["how"]) for run in runs(service_calls)] == [("owner", "owner"), (None, "auto_lock")]


async def test_only_the_entrance_targeted(
    hass: HomeAssistant, link_client: Any, service_calls: list[ServiceCall]
) -> None:
    """Aimed at the entrance's lock entity it runs; aimed at the wrapped lock (no entrance), never."""
    await automate(
        hass,
        {"trigger": f"{DOMAIN}.let_in", "target": {"entity_id": "lock.front_door"}, "variables": {"aim": "entrance"}},
        {"trigger": f"{DOMAIN}.let_in", "target": {"entity_id": LOCK}, "variables": {"aim": "wrapped lock"}},
    )
    await courier_unlocks(hass, link_client)
    assert [run["aim"] for run in runs(service_calls)] == ["entrance"]


async def test_delivery_expected_when_its_window_opens(
    hass: HomeAssistant, entrance: dict[str, Any], freezer: FrozenDateTimeFactory, service_calls: list[ServiceCall]
) -> None:
    """Each window is told once as it opens, or at once where a delivery comes with its window open.

    A window already open when the automation starts is not told (that moment passed), nor is one
    cancelled before it opens; a reload of the entrance tells nothing twice and misses nothing after.
    """
    await schedule_now(hass, carrier="UPS")
    await automate(hass, {"trigger": f"{DOMAIN}.delivery_expected", "target": entrance})
    await schedule_now(hass, carrier="DHL", start_in=timedelta(minutes=10), tracking_number="00340434")
    cancelled = await schedule_now(hass, carrier="Hermes", start_in=timedelta(minutes=20))
    await hass.services.async_call(
        DOMAIN,
        "cancel_delivery",
        {"config_entry_id": ENTRY_ID, "delivery_id": cancelled["delivery_id"]},
        blocking=True,
    )
    await tick(hass, freezer, 9 * 60)
    assert runs(service_calls) == []
    await tick(hass, freezer, 61)
    assert [(run["carrier"], run["label"]) for run in runs(service_calls)] == [("DHL", "DHL, parcel 00340434")]

    await schedule_now(hass, carrier="GLS")
    assert [run["carrier"] for run in runs(service_calls)] == ["DHL", "GLS"]
    assert runs(service_calls)[-1]["moment"] == "delivery expected at Front door"

    await schedule_now(hass, carrier="DPD", start_in=timedelta(minutes=30))
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    await tick(hass, freezer, 20 * 60)
    assert [run["carrier"] for run in runs(service_calls)] == ["DHL", "GLS"]
    await tick(hass, freezer, 10 * 60 + 1)
    assert [run["carrier"] for run in runs(service_calls)] == ["DHL", "GLS", "DPD"]


def break_in(entrance: dict[str, Any], within: str = "00:00:00") -> dict[str, Any]:
    """The alarm example of the README: the door opens and no visit explains it."""
    return {
        "condition": "not",
        "conditions": [{"condition": f"{DOMAIN}.visit_running", "target": entrance, "options": {"within": within}}],
    }


async def alarm_automation(hass: HomeAssistant, entrance: dict[str, Any], within: str = "00:00:00") -> None:
    """Sound the alarm when the door contact opens, unless a visit explains it."""
    await automate(hass, {"trigger": "state", "entity_id": DOOR, "to": "on"}, conditions=[break_in(entrance, within)])


async def test_alarm_tells_a_delivery_from_a_break_in(
    hass: HomeAssistant,
    entrance: dict[str, Any],
    link_client: Any,
    freezer: FrozenDateTimeFactory,
    service_calls: list[ServiceCall],
) -> None:
    """The courier's door opening is a delivery; the same door opening after the visit is a break-in."""
    await alarm_automation(hass, entrance)
    await courier_unlocks(hass, link_client)
    await open_door(hass)
    await close_door(hass)
    assert runs(service_calls) == []  # the delivery
    await tick(hass, freezer, RELOCK)
    assert hass.states.get(LOCK).state == "locked"

    await open_door(hass)
    assert len(runs(service_calls)) == 1  # nobody was let in: a break-in


async def test_a_key_turned_by_hand_explains_nothing(
    hass: HomeAssistant, entrance: dict[str, Any], service_calls: list[ServiceCall]
) -> None:
    """An unlock by hand (a key, a picked lock) is followed to lock again, but lets nobody in: the alarm sounds."""
    await alarm_automation(hass, entrance)
    await unlock_by_hand(hass)
    assert hass.states.get("binary_sensor.front_door_visit_in_progress").state == "on"
    await open_door(hass)
    assert len(runs(service_calls)) == 1


async def test_a_door_that_could_not_be_locked_explains_nothing(
    hass: HomeAssistant, entrance: dict[str, Any], service_calls: list[ServiceCall]
) -> None:
    """Once the relock failed, the visit is still open but a door opening is no longer the visitor's."""
    await alarm_automation(hass, entrance)
    await admit(hass)
    await open_door(hass)
    await close_door(hass)
    assert runs(service_calls) == []
    await set_switch(hass, "input_boolean.sim_lock_jams", True)
    await end_visit(hass)
    assert hass.states.get("sensor.front_door_visit_phase").state == "relock_failed"
    await open_door(hass)
    assert len(runs(service_calls)) == 1


async def test_just_after_a_visit_within_the_time_given(
    hass: HomeAssistant, entrance: dict[str, Any], freezer: FrozenDateTimeFactory, service_calls: list[ServiceCall]
) -> None:
    """With "or ended within 1 minute", an opening 30 s after the visit ended holds; one after 61 s does not."""
    await alarm_automation(hass, entrance, within="00:01:00")
    await admit(hass)
    await end_visit(hass)
    assert hass.states.get(LOCK).state == "locked"
    await tick(hass, freezer, 30)
    await open_door(hass)
    await close_door(hass)
    assert runs(service_calls) == []
    await tick(hass, freezer, 31)
    await open_door(hass)
    assert len(runs(service_calls)) == 1


async def test_the_condition_holds_during_a_visit_only(
    hass: HomeAssistant, entrance: dict[str, Any], service_calls: list[ServiceCall]
) -> None:
    """Asked directly (an automation run by hand): yes during a visit, no before and after it."""
    await automate(
        hass,
        {"trigger": "event", "event_type": "ask"},
        conditions=[{"condition": f"{DOMAIN}.visit_running", "target": entrance}],
    )
    answers = []
    for step in (None, admit, end_visit):
        if step is not None:
            await step(hass)
        before = len(runs(service_calls))
        hass.bus.async_fire("ask")
        await hass.async_block_till_done()
        answers.append(len(runs(service_calls)) > before)
    assert answers == [False, True, False]


async def test_described_in_english_and_german(hass: HomeAssistant) -> None:
    """The automation editor lists each trigger and the condition with its fields, named in both languages."""
    triggers = await trigger.async_get_all_descriptions(hass)
    conditions = await condition.async_get_all_descriptions(hass)
    ours = {key: value for key, value in triggers.items() if key.startswith(f"{DOMAIN}.")}
    assert set(ours) == {
        f"{DOMAIN}.{key}" for key in ("visit_started", "let_in", "visit_ended", "relock_failed", "delivery_expected")
    }
    assert set(ours[f"{DOMAIN}.visit_ended"]["fields"]) == {"who", "outcome"}
    assert set(conditions[f"{DOMAIN}.visit_running"]["fields"]) == {"within"}
    for language in ("en", "de"):
        texts = load(Path("translations") / f"{language}.json")
        icons = load(Path("icons.json"))
        visit_running = {f"{DOMAIN}.visit_running": conditions[f"{DOMAIN}.visit_running"]}
        for kind, described in (("triggers", ours), ("conditions", visit_running)):
            for key, description in described.items():
                name = key.removeprefix(f"{DOMAIN}.")
                text = texts[kind][name]
                assert text["name"], (language, key)
                assert text["description"], (language, key)
                assert set(text.get("fields", {})) == set((description or {}).get("fields", {})), (language, key)
                assert icons[kind][name]
        assert set(texts["selector"]["who"]["options"]) == {"courier", "guest", "owner"}
        assert set(texts["selector"]["outcome"]["options"]) == {"locked", "unlock_failed", "relock_failed"}


def readme_automations() -> list[dict[str, Any]]:
    """The automations the README's *Triggers and conditions* shows, as a user would paste them."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Triggers and conditions\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    return [item for block in blocks for item in parse_yaml(block)["automation"]]


async def test_the_readmes_examples_work(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Each example of the README loads as written; its alarm example sounds for a break-in, not for a visit."""
    examples = readme_automations()
    assert len(examples) == 4
    assert await async_setup_component(hass, automation.DOMAIN, {automation.DOMAIN: examples})
    await hass.async_block_till_done()
    states = hass.states.async_all(automation.DOMAIN)
    assert sorted(state.attributes["friendly_name"] for state in states) == sorted(item["alias"] for item in examples)
    assert {state.state for state in states} == {"on"}

    calls = async_capture_events(hass, "call_service")
    alarm_calls = lambda: [call for call in calls if call.data["service"] == "alarm_trigger"]  # noqa: E731
    await admit(hass)
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, RELOCK)
    assert alarm_calls() == []
    await tick(hass, freezer, 61)
    await open_door(hass)
    assert len(alarm_calls()) == 1
    assert hass.states.get(ALARM).state == "triggered"
    await tick(hass, freezer, 600)  # the siren's time runs out


async def test_an_automation_turned_off_hears_no_more_windows(
    hass: HomeAssistant, entrance: dict[str, Any], freezer: FrozenDateTimeFactory, service_calls: list[ServiceCall]
) -> None:
    """Turned off, the automation is not run when a window opens; turned on again, the next window runs it."""
    await automate(hass, {"trigger": f"{DOMAIN}.delivery_expected", "target": entrance})
    await schedule_now(hass, carrier="DHL", start_in=timedelta(minutes=10))
    await schedule_now(hass, carrier="UPS", start_in=timedelta(minutes=30))
    await hass.services.async_call(automation.DOMAIN, "turn_off", {"entity_id": "all"}, blocking=True)
    await tick(hass, freezer, 11 * 60)
    assert runs(service_calls) == []
    await hass.services.async_call(automation.DOMAIN, "turn_on", {"entity_id": "all"}, blocking=True)
    await tick(hass, freezer, 20 * 60)
    assert [run["carrier"] for run in runs(service_calls)] == ["UPS"]


async def test_a_stopped_entrance_explains_nothing(
    hass: HomeAssistant, entrance: dict[str, Any], init_integration: MockConfigEntry, service_calls: list[ServiceCall]
) -> None:
    """An entrance that is not running cannot vouch for a visit: the alarm sounds."""
    await alarm_automation(hass, entrance)
    await admit(hass)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    await open_door(hass)
    assert len(runs(service_calls)) == 1
