"""The doorbell while a delivery is expected: the owner's phone asks, "Let in" admits the courier."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.core import HomeAssistant, ServiceCall

from .conftest import LOCK, PICTURE
from .helpers import ENTRY_ID, PHASE, schedule_now, tick


async def ring(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Press the simulated doorbell; it rings for two seconds."""
    await hass.services.async_call("input_button", "press", {"entity_id": "input_button.sim_doorbell"}, blocking=True)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.doorbell").state == "on"
    await tick(hass, freezer, 3)
    assert hass.states.get("binary_sensor.doorbell").state == "off"


@pytest.mark.usefixtures("init_integration")
async def test_let_in_from_the_phone(
    hass: HomeAssistant,
    phone_messages: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Ring, the phone asks with two buttons, "Let in" starts the courier's visit; the answer works once."""
    await hass.config.async_update(external_url="https://home.example.org")
    delivery_id = (await schedule_now(hass, carrier="DPD", hours=1))["delivery_id"]
    await ring(hass, freezer)
    (question,) = [call for call in phone_messages if "Someone rang" in call.data["message"]]
    assert "DPD" in question.data["message"]
    let_in, not_now = question.data["data"]["actions"]
    assert question.data["data"]["image"].startswith("/api/camera_proxy/camera.porch_camera?authSig=")
    client = await hass_client_no_auth()
    picture = await client.get(question.data["data"]["image"])
    assert picture.status == 200
    assert await picture.read() == PICTURE
    assert let_in["title"] == "Let in"
    assert not_now["title"] == "Not now"

    hass.bus.async_fire("mobile_app_notification_action", {"action": let_in["action"]})
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"
    assert hass.states.get(PHASE).state == "waiting_for_entry"
    controller = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.controller
    assert controller.visit.pass_id == delivery_id

    await hass.services.async_call(DOMAIN, "end_visit", {"config_entry_id": ENTRY_ID}, blocking=True)
    await hass.async_block_till_done()
    hass.bus.async_fire("mobile_app_notification_action", {"action": let_in["action"]})
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


@pytest.mark.usefixtures("init_integration")
async def test_not_now_closes_the_question_for_every_phone(
    hass: HomeAssistant, phone_messages: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """One phone answers "Not now": "Let in" from another phone, a minute later, opens nothing."""
    await schedule_now(hass, carrier="DPD", hours=1)
    await ring(hass, freezer)
    (question,) = [call for call in phone_messages if "Someone rang" in call.data["message"]]
    let_in, not_now = question.data["data"]["actions"]
    hass.bus.async_fire("mobile_app_notification_action", {"action": not_now["action"]})
    await tick(hass, freezer, 60)
    hass.bus.async_fire("mobile_app_notification_action", {"action": let_in["action"]})
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


@pytest.mark.usefixtures("init_integration")
async def test_no_question_without_a_delivery(
    hass: HomeAssistant, phone_messages: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """Outside any delivery window the doorbell does not offer to open the door."""
    await ring(hass, freezer)
    assert not [call for call in phone_messages if "Someone rang" in call.data["message"]]


async def test_rule_off(
    hass: HomeAssistant,
    hardware: None,
    mock_config_entry: MockConfigEntry,
    phone_messages: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """With "ask me when the doorbell rings" off, nothing is asked."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**mock_config_entry.options, "ask_on_doorbell": False}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await hass.config.async_update(external_url="https://home.example.org")
    await schedule_now(hass, carrier="DPD", hours=1)
    await ring(hass, freezer)
    assert not [call for call in phone_messages if "Someone rang" in call.data["message"]]


@pytest.fixture
def entry_data(entry_data: dict[str, Any]) -> dict[str, Any]:
    """The phone, and a target without buttons."""
    return entry_data | {"notify_targets": [*entry_data["notify_targets"], "notify.plain_text"]}


async def test_targets_without_buttons_are_told_how_to_answer(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    plain_messages: list[ServiceCall],
    phone_messages: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The phone gets buttons; a target without them gets the question and how to answer it."""
    await schedule_now(hass, carrier="DPD", hours=1)
    await ring(hass, freezer)
    (question,) = [call for call in plain_messages if "Someone rang" in call.data["message"]]
    assert "in_home_delivery.admit" in question.data["message"]
    (on_phone,) = [call for call in phone_messages if "Someone rang" in call.data["message"]]
    assert "in_home_delivery.admit" not in on_phone.data["message"]
