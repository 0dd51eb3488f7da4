"""Config, reconfigure and options flows: every step, every error, each ending in recovery."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.options_flow import (
    DURATION_RANGES,
    OPTION_SECTIONS,
    as_duration,
    hidden_sections,
)
from custom_components.in_home_delivery.services import MAX_TEXT
from custom_components.in_home_delivery.settings import DEFAULT_OPTIONS
from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers.translation import async_get_translations

from .conftest import ALARM, ALARM_CODE, CAMERA, DOOR, DOORBELL, ENTRY_DATA, LIGHT, LOCK, PHONE
from .helpers import post_link
from .test_texts import placeholders


def form(**overrides: Any) -> dict[str, Any]:
    """The user's input, in the form's sections."""
    values: dict[str, Any] = {
        "name": "Front door",
        "lock": LOCK,
        "door": {"door_sensor": DOOR, "doorbell": DOORBELL},
        "camera": {"camera": CAMERA},
        "comfort": {"lights": [LIGHT], "notify_targets": [PHONE]},
        "alarm": {"alarm_panel": ALARM, "alarm_code": ALARM_CODE},
        "keypad": {
            "provider": "none",
            "code_length": 6,
        },  # the collapsed section's defaults, as the frontend sends them
    }
    for key, value in overrides.items():
        section, _, field = key.partition("__")
        if field:
            values[section][field] = value
        else:
            values[section] = value
    return values


@pytest.mark.usefixtures("hardware")
async def test_user_flow(hass: HomeAssistant) -> None:
    """A full entrance is stored flat, with the default options of the README's table (*Install*)."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form())
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Front door"
    webhook_id = result["data"]["webhook_id"]
    assert len(webhook_id) >= 32  # random, for the entrance's links
    assert result["data"] == {
        "webhook_id": webhook_id,
        "name": "Front door",
        "lock": LOCK,
        "door_sensor": DOOR,
        "camera": CAMERA,
        "lights": [LIGHT],
        "notify_targets": [PHONE],
        "doorbell": DOORBELL,
        "street_door": None,
        "alarm_panel": ALARM,
        "alarm_code": ALARM_CODE,
    }
    assert result["options"] == DEFAULT_OPTIONS | {"require_camera": True, "ask_on_doorbell": True}


@pytest.mark.usefixtures("hardware")
async def test_minimal_entrance(hass: HomeAssistant) -> None:
    """Only a lock: the optional keys are stored empty and the camera and doorbell rules are off."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": " Back door ", "lock": LOCK, "door": {}, "camera": {}, "comfort": {}, "alarm": {}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["name"] == "Back door"
    assert result["data"]["door_sensor"] is None
    assert result["data"]["lights"] == []
    assert result["options"]["require_camera"] is False
    assert result["options"]["ask_on_doorbell"] is False


def suggested(result: ConfigFlowResult) -> dict[str, Any]:
    """What the form shows filled in: its suggested values, in its sections."""
    shown: dict[str, Any] = {}
    for key, value in result["data_schema"].schema.items():
        if isinstance(value, section):
            shown[str(key)] = {
                str(field): field.description["suggested_value"]
                for field in value.schema.schema
                if "suggested_value" in (field.description or {})
            }
        elif "suggested_value" in (key.description or {}):
            shown[str(key)] = key.description["suggested_value"]
    return shown


def collapsed(result: ConfigFlowResult) -> dict[str, bool]:
    """Whether each section of the form is shown collapsed."""
    return {
        str(key): value.options["collapsed"]
        for key, value in result["data_schema"].schema.items()
        if isinstance(value, section)
    }


async def error_text(hass: HomeAssistant, result: ConfigFlowResult, language: str) -> str:
    """The text the frontend shows for the form's one error, in a language."""
    ((_, error),) = result["errors"].items()
    texts = await async_get_translations(hass, language, "config", [DOMAIN])
    text = texts[f"component.{DOMAIN}.config.error.{error}"]
    return text.format(**result["description_placeholders"])


@pytest.mark.usefixtures("hardware")
@pytest.mark.parametrize(
    ("overrides", "field", "error", "shown"),
    [
        ({"name": "  "}, "name", "name_missing", "Give the entrance a name."),
        ({"lock": "lock.gone"}, "lock", "entity_not_found", "lock.gone does not exist"),
        ({"lock": None}, "base", "one_access_point", "Pick either a lock or a garage door"),
        ({"garage_door": "cover.garage_door"}, "base", "one_access_point", "Pick either a lock or a garage door"),
        ({"camera__camera": "camera.gone"}, "camera", "entity_not_found", "camera.gone does not exist"),
        ({"door__street_door": LOCK}, "door", "street_door_is_access_point", "cannot be the entrance's own lock"),
        ({"comfort__lights": [LIGHT, "light.gone"]}, "comfort", "entity_not_found", "light.gone does not exist"),
        ({"comfort__notify_targets": ["notify.nobody"]}, "comfort", "notify_target_not_found", "notify.nobody is"),
        ({"comfort__notify_targets": ["light.hall_light"]}, "comfort", "notify_target_not_found", "light.hall_light"),
        ({"alarm__alarm_code": ""}, "alarm", "alarm_code_required", "House alarm needs a code"),
    ],
)
async def test_user_flow_errors_recover(
    hass: HomeAssistant, overrides: dict[str, Any], field: str, error: str, shown: str
) -> None:
    """Each error is on the field (or the section) at fault, says what is wrong in words, keeps the input,
    and a corrected form succeeds."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    submitted = form(**overrides)
    submitted = {key: value for key, value in submitted.items() if value is not None}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], submitted)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}
    assert shown in await error_text(hass, result, "en")
    assert "{" not in await error_text(hass, result, "de")
    assert suggested(result) == submitted  # the owner's input, kept
    assert collapsed(result).get(field) in (None, False)  # a section at fault is open
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form())
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.usefixtures("hardware")
async def test_lock_already_used(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    """A lock belongs to one entrance only: the form says so on the Lock field, in both languages, keeps the
    input, and another lock is taken."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(name="Back door"))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"lock": "access_point_in_use"}
    assert await error_text(hass, result, "en") == (
        "Smart lock already belongs to the entrance Front door; pick another one, or change that entrance."
    )
    assert await error_text(hass, result, "de") == (
        "Smart lock gehört bereits zum Eingang Front door; wähle ein anderes oder ändere jenen Eingang."
    )
    assert suggested(result)["name"] == "Back door"
    assert suggested(result)["door"] == {"door_sensor": DOOR, "doorbell": DOORBELL}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(name="Back door", lock="lock.intercom_opener")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_reconfigure(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Change the entities; an error is shown and recovered from; the entrance reloads, its links unchanged."""
    webhook_id = init_integration.data["webhook_id"]
    result = await init_integration.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(door__door_sensor="binary_sensor.gone")
    )
    assert result["errors"] == {"door": "entity_not_found"}
    assert result["description_placeholders"] == {"entity": "binary_sensor.gone"}
    assert suggested(result)["door"]["door_sensor"] == "binary_sensor.gone"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(name="Porch", camera={}, comfort={"lights": [], "notify_targets": []})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert init_integration.title == "Porch"
    assert init_integration.data["webhook_id"] == webhook_id  # every link handed out stays valid
    assert init_integration.data["camera"] is None
    assert init_integration.data["lights"] == []
    assert hass.states.get("camera.front_door") is None or hass.states.get("camera.front_door").state == "unavailable"


@pytest.mark.parametrize(
    ("other", "picked"),
    [
        ({"name": "Garage", "garage_door": "cover.garage_door"}, {"lock": None, "garage_door": "cover.garage_door"}),
        ({"name": "Garage", "lock": "lock.intercom_opener"}, {"lock": "lock.intercom_opener"}),
    ],
)
async def test_reconfigure_access_point_of_another_entrance(
    hass: HomeAssistant, init_integration: MockConfigEntry, other: dict[str, Any], picked: dict[str, Any]
) -> None:
    """Picking a garage door or lock another entrance already has: the form stays, with the owner's input and
    the error on that field; picking a free one then saves."""
    MockConfigEntry(domain=DOMAIN, title="Garage", data=other).add_to_hass(hass)
    result = await init_integration.start_reconfigure_flow(hass)
    submitted = {key: value for key, value in form(name="Porch", **picked).items() if value is not None}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], submitted)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    field = next(key for key in ("garage_door", "lock") if submitted.get(key))
    assert result["errors"] == {field: "access_point_in_use"}
    assert "already belongs to the entrance Garage" in await error_text(hass, result, "en")
    assert "gehört bereits zum Eingang Garage" in await error_text(hass, result, "de")
    assert suggested(result)["name"] == "Porch"
    assert suggested(result)[field] == submitted[field]
    assert init_integration.data["lock"] == LOCK  # nothing changed yet
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(name="Porch"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert init_integration.title == "Porch"


async def test_options_flow(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Timings and rules are stored flat, in seconds, and the entrance uses them after the reload."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "timings": {
                "relock_delay": {"seconds": 30},
                "entry_timeout": {"minutes": 1},
                "max_visit": {"minutes": 20},
                "door_open_alert": {"minutes": 2},
                "grace": {"hours": 0, "minutes": 10, "seconds": 0},
            },
            "rules": {
                "lights_on": False,
                "record_visits": False,
                "require_camera": False,
                "only_when_away": True,
                "ask_on_doorbell": False,
                "keep_snapshots_days": 7,
                "camera_check_interval": 10,
                "lock_when_camera_lost": False,
                "auto_lock": True,
            },
            "expected": {"delivery_days": ["mon", "sat"], "delivery_from": "09:00:00", "delivery_until": "18:00:00"},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["opening_height"] == DEFAULT_OPTIONS["opening_height"]  # not shown, kept
    await hass.async_block_till_done()
    assert init_integration.options["relock_delay"] == 30
    assert init_integration.runtime_data.controller.sources.hours.weekdays == ("mon", "sat")
    assert isinstance(init_integration.options["relock_delay"], int)
    assert init_integration.options["only_when_away"] is True
    assert init_integration.options["auto_lock"] is True
    assert init_integration.runtime_data.controller.settings.relock_delay.total_seconds() == 30
    assert init_integration.runtime_data.controller.settings.lock_when_camera_lost is False
    assert init_integration.runtime_data.controller.camera_watch.interval.total_seconds() == 10


def current_sections(entry: MockConfigEntry) -> dict[str, dict[str, Any]]:
    """The options form's sections as the entrance has them now (timings as durations), but Expected deliveries
    and At the door."""
    return {
        name: {key: as_duration(entry.options[key]) if key in DURATION_RANGES else entry.options[key] for key in keys}
        for name, keys in OPTION_SECTIONS.items()
        if name not in ("expected", "at_door") and name not in hidden_sections(entry.data)
    }


def form_sections(result: ConfigFlowResult) -> list[str]:
    """The sections the options form shows, in order."""
    return [str(key) for key in result["data_schema"].schema]


async def test_options_show_only_the_entrances_hardware(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A door's lock has no garage door and no street door switch: their settings are not shown."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert form_sections(result) == ["timings", "rules", "expected", "at_door", "links"]


@pytest.mark.parametrize("entry_data", [ENTRY_DATA | {"street_door": "switch.street_door_relay"}])
async def test_options_street_door_switch_pulse(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """With a street door opener that is a switch, its pulse is shown (but no garage door's opening) and kept."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert form_sections(result) == ["timings", "rules", "expected", "at_door", "links", "street_door"]
    expected = {"delivery_days": ["mon"], "delivery_from": "08:00:00", "delivery_until": "20:00:00"}
    sections = current_sections(init_integration) | {"street_door": {"street_door_pulse": 3}}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {**sections, "expected": expected})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options["street_door_pulse"] == 3
    assert init_integration.runtime_data.controller.street_door.pulse.total_seconds() == 3


async def test_options_sources_and_counter_carriers(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Counting sensors lead to a step naming their carriers (guessed from their names); our own calendar is refused."""
    hass.states.async_set("sensor.mail_ups_delivering", "0", {"friendly_name": "Mail UPS delivering"})
    hass.states.async_set("sensor.parcels", "0")
    hass.states.async_set("calendar.parcels", "off")
    own_calendar = "calendar.front_door_deliveries"
    assert hass.states.get(own_calendar) is not None
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    form = current_sections(init_integration)
    expected = {"delivery_days": ["mon"], "delivery_from": "08:00:00", "delivery_until": "20:00:00"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**form, "expected": expected | {"source_calendars": [own_calendar]}}
    )
    assert result["errors"] == {"expected": "own_calendar"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            **form,
            "expected": expected
            | {
                "source_calendars": ["calendar.parcels"],
                "source_counters": ["sensor.mail_ups_delivering", "sensor.parcels"],
            },
        },
    )
    assert result["step_id"] == "counters"
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert defaults == {"Mail UPS delivering": "UPS", "parcels": "*"}  # labelled by their names
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"Mail UPS delivering": "UPS", "parcels": "Hermes "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options["source_counters"] == {
        "sensor.mail_ups_delivering": "UPS",
        "sensor.parcels": "Hermes",
    }
    assert init_integration.options["source_calendars"] == ["calendar.parcels"]


async def test_options_counters_of_one_name(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Two counting sensors of one name: each field says which sensor it is; each keeps its own carrier."""
    hass.states.async_set("sensor.mail_parcels", "0", {"friendly_name": "Parcels today"})
    hass.states.async_set("sensor.track_parcels", "0", {"friendly_name": "Parcels today"})
    hass.states.async_set("sensor.dhl_count", "0", {"friendly_name": "DHL count"})
    counters = ["sensor.mail_parcels", "sensor.track_parcels", "sensor.dhl_count"]
    expected = {"delivery_days": ["mon"], "delivery_from": "08:00:00", "delivery_until": "20:00:00"}
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**current_sections(init_integration), "expected": expected | {"source_counters": counters}},
    )
    assert result["step_id"] == "counters"
    assert [str(key) for key in result["data_schema"].schema] == [
        "Parcels today (sensor.mail_parcels)",
        "Parcels today (sensor.track_parcels)",
        "DHL count",
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "Parcels today (sensor.mail_parcels)": "GLS",
            "Parcels today (sensor.track_parcels)": "UPS",
            "DHL count": "DHL",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the entrance reloads with its new options
    assert init_integration.options["source_counters"] == {
        "sensor.mail_parcels": "GLS",
        "sensor.track_parcels": "UPS",
        "sensor.dhl_count": "DHL",
    }


async def test_options_show_durations_and_refuse_out_of_range(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The form shows 15 min, not 900; a timing out of range is refused and nothing changes."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    sections = {str(key): value for key, value in result["data_schema"].schema.items()}
    fields = {str(key): key for key in sections["timings"].schema.schema}
    assert fields["max_visit"].description["suggested_value"] == {"hours": 0, "minutes": 15, "seconds": 0}
    form = current_sections(init_integration)
    form["timings"]["relock_delay"] = {"hours": 2}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**form, "expected": {"delivery_days": ["mon"], "delivery_from": "08:00:00", "delivery_until": "20:00:00"}},
    )
    assert result["errors"] == {"timings": "duration_out_of_range"}
    assert init_integration.options["relock_delay"] == DEFAULT_OPTIONS["relock_delay"]


async def test_options_make_a_carrier_link(
    hass: HomeAssistant, init_integration: MockConfigEntry, link_client: Any
) -> None:
    """A carrier's name in the options makes its standing link, shown once; saving keeps the options."""
    expected = {"delivery_days": ["mon"], "delivery_from": "08:00:00", "delivery_until": "20:00:00"}
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**current_sections(init_integration), "expected": expected, "links": {"new_carrier_link": " DHL "}},
    )
    assert (result["step_id"], result["description_placeholders"]["carrier"]) == ("carrier_link", "DHL")
    link = result["description_placeholders"]["link"]
    assert "/api/webhook/" in link
    assert "#pass=" in link
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "new_carrier_link" not in init_integration.options
    assert init_integration.options["delivery_days"] == ["mon"]
    await hass.async_block_till_done()
    listed = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": init_integration.entry_id}, blocking=True, return_response=True
    )
    assert [item["name"] for item in listed["passes"] if item["kind"] == "carrier"] == ["DHL"]
    response = await post_link(link_client, link, "status")
    assert (response.status, (await response.json())["reason"]) == (403, "no_delivery_expected")


async def test_options_carrier_link_needs_the_entrance_running(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """With the entrance unloaded no link can be made: a clear error, and saving without a name still works."""
    sections = current_sections(init_integration)
    expected = {"delivery_days": ["mon"], "delivery_from": "08:00:00", "delivery_until": "20:00:00"}
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**sections, "expected": expected, "links": {"new_carrier_link": "DHL"}}
    )
    assert result["errors"] == {"links": "not_loaded"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**sections, "expected": expected, "links": {}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options["delivery_days"] == ["mon"]


def carrier_link_field(result: ConfigFlowResult) -> Any:
    """What the options form shows in its Carrier link field (None: empty)."""
    sections = {str(key): value for key, value in result["data_schema"].schema.items()}
    (field,) = sections["links"].schema.schema
    return (field.description or {}).get("suggested_value")


def as_submitted(result: ConfigFlowResult) -> dict[str, Any]:
    """What the Configure form sends when the owner presses Submit without changing anything."""
    sections = {str(key): value for key, value in result["data_schema"].schema.items()}
    return {
        name: {
            str(field): field.description["suggested_value"]
            for field in section.schema.schema
            if (field.description or {}).get("suggested_value") is not None
        }
        for name, section in sections.items()
    }


async def carrier_names(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """The carriers that have a standing link at the entrance."""
    listed = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": entry.entry_id}, blocking=True, return_response=True
    )
    return [item["name"] for item in listed["passes"] if item["kind"] == "carrier"]


async def test_options_never_keep_carrier_link_name(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A carrier's name makes one link; Configure opens again with the field empty, and Submit makes no other."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    submitted = as_submitted(result)
    submitted["links"] = {"new_carrier_link": "DHL"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], submitted)
    assert result["step_id"] == "carrier_link"
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "DHL" not in str(init_integration.options)
    assert await carrier_names(hass, init_integration) == ["DHL"]

    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert carrier_link_field(result) is None
    result = await hass.config_entries.options.async_configure(result["flow_id"], as_submitted(result))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert await carrier_names(hass, init_integration) == ["DHL"]


@pytest.mark.parametrize("entry_options", [DEFAULT_OPTIONS | {"links": {"new_carrier_link": "DHL"}}])
async def test_options_forget_a_carrier_link_name_kept_before(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A name the options kept before (0.2.0 stored it) is not shown again, makes no link, and goes on Submit."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert carrier_link_field(result) is None
    result = await hass.config_entries.options.async_configure(result["flow_id"], as_submitted(result))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "links" not in init_integration.options
    assert await carrier_names(hass, init_integration) == []


@pytest.mark.parametrize(
    "name",
    [pytest.param("D" * (MAX_TEXT + 1), id="one_too_many"), pytest.param("DHL " * 250_000, id="a_megabyte")],
)
async def test_options_refuse_a_too_long_carrier_link_name(
    hass: HomeAssistant, init_integration: MockConfigEntry, name: str
) -> None:
    """A carrier's name is capped as the actions cap it: a form error, nothing saved or made; then recovery."""
    options_before = dict(init_integration.options)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    submitted = as_submitted(result)
    submitted["links"] = {"new_carrier_link": name}
    result = await hass.config_entries.options.async_configure(result["flow_id"], submitted)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"links": "carrier_link_name_too_long"}
    assert collapsed(result)["links"] is False  # shown open, though it starts collapsed
    assert result["description_placeholders"] == {"max": str(MAX_TEXT)}
    for language in ("en", "de"):
        texts = await async_get_translations(hass, language, "options", [DOMAIN])
        assert "{max}" in texts[f"component.{DOMAIN}.options.error.carrier_link_name_too_long"]
    assert init_integration.options == options_before
    assert await carrier_names(hass, init_integration) == []

    submitted["links"] = {"new_carrier_link": " UPS "}
    result = await hass.config_entries.options.async_configure(result["flow_id"], submitted)
    assert (result["step_id"], result["description_placeholders"]["carrier"]) == ("carrier_link", "UPS")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert await carrier_names(hass, init_integration) == ["UPS"]


def flat_texts(texts: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """A translation file's texts by their dotted keys."""
    flat: dict[str, str] = {}
    for key, value in texts.items():
        if isinstance(value, dict):
            flat |= flat_texts(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def test_flow_and_entity_texts_agree_across_languages() -> None:
    """The setup and options forms and the entities have every English text in German, with the same placeholders."""
    folder = Path(__file__).parent.parent / "custom_components/in_home_delivery/translations"
    english, german = (json.loads((folder / f"{language}.json").read_text()) for language in ("en", "de"))
    for part in ("config", "options", "entity"):
        english_texts, german_texts = flat_texts(english[part]), flat_texts(german[part])
        assert set(german_texts) == set(english_texts), part
        for key, text in english_texts.items():
            assert placeholders(german_texts[key]) == placeholders(text), key


@pytest.mark.usefixtures("hardware")
async def test_notify_targets_by_name(hass: HomeAssistant) -> None:
    """The notify targets to pick from show notify entities by their names, and notify actions as notify.<name>;
    either is stored as notify.<name>."""
    hass.states.async_set("notify.kitchen_display", "unknown", {"friendly_name": "Kitchen display"})
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    sections = {str(key): value for key, value in result["data_schema"].schema.items()}
    fields = {str(key): value for key, value in sections["comfort"].schema.schema.items()}
    options = {option["label"]: option["value"] for option in fields["notify_targets"].config["options"]}
    assert options["Kitchen display"] == "notify.kitchen_display"
    assert options[PHONE] == PHONE
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(comfort__notify_targets=["notify.kitchen_display", PHONE])
    )
    assert result["data"]["notify_targets"] == ["notify.kitchen_display", PHONE]
