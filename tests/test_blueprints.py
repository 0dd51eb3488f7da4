"""The blueprints users import: each is loaded by Home Assistant's blueprint code and run."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component

from .helpers import ENTRY_ID

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / DOMAIN
SUBJECT = "Your DHL parcel 00340434161234567890 arrives today"


async def use_blueprints(hass: HomeAssistant, *automations: dict[str, Any]) -> None:
    """Install this repository's blueprints as a user imports them, and set up automations from them."""
    target = Path(hass.config.path("blueprints", "automation", DOMAIN))
    await hass.async_add_executor_job(lambda: shutil.copytree(BLUEPRINTS, target, dirs_exist_ok=True))
    assert await async_setup_component(hass, "automation", {"automation": list(automations)})
    await hass.async_block_till_done()


def blueprint(path: str, **inputs: Any) -> dict[str, Any]:
    """An automation using one of the blueprints, triggered by a shipping e-mail (IMAP's event)."""
    return {
        "use_blueprint": {
            "path": f"{DOMAIN}/{path}",
            "input": {
                "entrance": ENTRY_ID,
                "announced": [{"trigger": "event", "event_type": "imap_content"}],
                **inputs,
            },
        }
    }


async def deliveries(hass: HomeAssistant) -> list[dict[str, Any]]:
    """The entrance's deliveries."""
    result = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert result is not None
    return [item for item in result["passes"] if item["kind"] == "delivery"]  # type: ignore[union-attr]


async def test_schedule_a_delivery_from_any_trigger(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A shipping e-mail schedules a delivery (carrier from the subject); the same e-mail again adds none."""
    await use_blueprints(
        hass,
        blueprint(
            "schedule_delivery.yaml",
            tracking_number="{{ trigger.event.data.subject | regex_findall_index('[0-9]{10,}') }}",
            window_start="{{ now() }}",
            window_end="{{ now() + timedelta(hours=3) }}",
        ),
    )
    for _ in range(2):
        hass.bus.async_fire("imap_content", {"subject": SUBJECT, "sender": "noreply@dhl.de"})
        await hass.async_block_till_done()
    found = await deliveries(hass)
    assert [(item["carrier"], item["tracking_number"], item["status"]) for item in found] == [
        ("DHL", "00340434161234567890", "scheduled")
    ]


async def test_send_me_the_link_of_a_new_delivery(
    hass: HomeAssistant, init_integration: MockConfigEntry, phone_messages: list[ServiceCall]
) -> None:
    """A new delivery's link goes to the owner's phone, once: the same parcel again sends nothing."""
    await hass.config.async_update(external_url="https://home.example.org")
    await use_blueprints(
        hass,
        blueprint(
            "send_delivery_link.yaml",
            carrier="DHL",
            tracking_number="{{ trigger.event.data.subject | regex_findall_index('[0-9]{10,}') }}",
            phone="notify.mobile_app_phone",
        ),
    )
    for _ in range(2):
        hass.bus.async_fire("imap_content", {"subject": SUBJECT})
        await hass.async_block_till_done()
    links = [call.data["message"] for call in phone_messages if call.data.get("title") == "Courier link"]
    assert len(links) == 1
    assert links[0].startswith("https://home.example.org/api/webhook/")
    assert "#pass=" in links[0]
    assert len(await deliveries(hass)) == 1
