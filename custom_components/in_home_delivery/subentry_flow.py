"""Add, change and renew guests and carrier links from the entrance's page (config subentry flows).

*Add guest* and *Add carrier link* make the pass (on disk first), then show its link once: as text, as a
QR code made here, and with an optional notify entity to send it to. Where the entrance has a keypad,
the pass may also get a keypad code, shown once with the link (never in the subentry, a log or a
message). *Reconfigure* changes the name, times and limits (the link stays), renews the link (the old
one stops working at once), and renews or adds the keypad code. Deleting the subentry revokes the pass
(subentries.py). None of it reloads the entrance: a running visit runs on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, override

import probatio

from homeassistant.components.notify.const import DATA_COMPONENT as NOTIFY_ENTITIES
from homeassistant.config_entries import (
    ConfigEntryState,
    SubentryFlowResult,
)
from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import selector

from .core.carriers import Carrier
from .core.guests import Guest
from .flow_forms import flatten, nest
from .links import async_pass_link
from .subentries import (
    CARRIER,
    GUEST,
    GUEST_SECTIONS,
    async_list_pass,
    carrier_fields,
    guest_terms,
    pass_values,
)
from .subentry_codes import CodeSteps
from .subentry_forms import CARRIER_SCHEMA, CODE, FIELD_OF, GUEST_SCHEMA, SEND_TO, qr_code, spoken, with_code_field

if TYPE_CHECKING:
    from .core.codes import Code
    from .data import InHomeDeliveryConfigEntry
    from .keypad import KeypadCodes
    from .passbook import PassBook


class PassSubentryFlow(CodeSteps):
    """What adding and changing a guest or a carrier link share: the form, the link step, renewing."""

    kind: str
    schema: probatio.Schema
    sections: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init__(self) -> None:
        """Nothing is made until the form is sent."""
        self._item: Guest | Carrier | None = None
        self._token: str | None = None
        self._code: Code | None = None  # a keypad code to show once (the flow's memory only)

    def _passes(self) -> PassBook | None:
        """The entrance's pass book, while the entrance runs."""
        entry: InHomeDeliveryConfigEntry = self._get_entry()
        return entry.runtime_data.passes if entry.state is ConfigEntryState.LOADED else None

    def _keypad(self) -> KeypadCodes | None:
        """The entrance's keypad codes, while the entrance runs and has a keypad."""
        entry: InHomeDeliveryConfigEntry = self._get_entry()
        keypad = entry.runtime_data.controller.keypad if entry.state is ConfigEntryState.LOADED else None
        return keypad if keypad is not None and not keypad.retiring else None

    async def _async_make(self, passes: PassBook, values: dict[str, Any]) -> tuple[Guest | Carrier, str]:
        """Make the pass: on disk before its token is shown."""
        raise NotImplementedError

    async def _async_change(self, passes: PassBook, pass_id: str, values: dict[str, Any]) -> Guest | Carrier:
        """Change the pass (its link stays)."""
        raise NotImplementedError

    async def _async_unmake(self, passes: PassBook, pass_id: str) -> None:
        """Close a new pass again (its code could not be given)."""
        raise NotImplementedError

    def _form(
        self, step_id: str, values: dict[str, Any], errors: dict[str, str], **placeholders: str
    ) -> SubentryFlowResult:
        schema = self.schema
        if step_id == "user" and self._keypad() is not None:
            schema = with_code_field(schema)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, nest(values, self.sections)),
            errors=errors,
            description_placeholders=placeholders or None,
        )

    async def _async_attempt(self, action: Any) -> tuple[Any, dict[str, str]]:
        """Run a change of the pass book; a refusal becomes the form's error, and changes nothing."""
        try:
            return await action(), {}
        except ServiceValidationError as err:
            key = err.translation_key or "invalid_value"
            return None, {FIELD_OF.get(key, "base"): key}
        except ValueError, OverflowError:  # a date or duration beyond the calendar
            return None, {"base": "invalid_value"}
        except HomeAssistantError as err:  # a new pass is forgotten; a change is kept, closed, and written later
            return None, {
                "base": "change_not_stored" if err.translation_key == "change_not_stored" else "pass_not_stored"
            }

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """The guest's or carrier link's name and times."""
        if (passes := self._passes()) is None:
            return self.async_abort(reason="entrance_not_running")
        values = flatten(user_input, self.sections) if user_input is not None else {}
        errors: dict[str, str] = {}
        if user_input is not None:
            keypad = self._keypad() if values.get(CODE) else None
            if values.get(CODE) and keypad is None:  # the entrance lost its keypad while the form was open
                return self._form("user", values, {"base": "no_keypad"})
            if keypad is not None and not keypad.has_free_slot():
                return self._form("user", values, {CODE: "no_code_slot"})  # before anything is made
            made, errors = await self._async_attempt(lambda: self._async_make(passes, values))
            if made is not None:
                self._item, self._token = made
                passes.handing_over.add(self._item.pass_id)  # its subentry comes when this flow ends
                if keypad is not None:
                    self._code, errors = await self._async_attempt(
                        lambda: self._async_give_code(passes, keypad, made[0].pass_id)
                    )
                if not errors:
                    return await self.async_step_link()
        return self._form("user", values, errors)

    async def async_step_link(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Show the link once (and the new keypad code): as text and QR code, and send the link to a phone if asked."""
        passes, item, token = self._passes(), self._item, self._token
        if passes is None or item is None or token is None:
            return self.async_abort(reason="entrance_not_running")
        link = await async_pass_link(self.hass, passes.webhook_id, token)
        errors: dict[str, str] = {}
        if user_input is not None:
            target = user_input.get(SEND_TO)
            if target and not await self._async_send(target, item.label, link):
                errors[SEND_TO] = "send_failed"
            if not errors:
                return self._async_done(item)
        placeholders = {"name": item.label, "link": link, "qr": qr_code(link)}
        if self._code is not None:
            placeholders |= {"code": spoken(self._code.secret), "slot": str(self._code.slot)}
        return self.async_show_form(
            step_id="link" if self._code is None else "link_code",
            data_schema=probatio.Schema(
                {probatio.Optional(SEND_TO): selector.EntitySelector(selector.EntitySelectorConfig(domain="notify"))}
            ),
            errors=errors,
            description_placeholders=placeholders,
            last_step=True,
        )

    async def async_step_link_code(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """The link step of a pass that got a keypad code too (the code is never sent to the phone)."""
        return await self.async_step_link(user_input)

    async def _async_send(self, target: str, name: str, link: str) -> bool:
        """Send the link to a notify entity (a phone).

        Straight to the entity, not through the notify action: an action's data is fired on the event bus
        and kept by the recorder, and the link is a secret.
        """
        component = self.hass.data.get(NOTIFY_ENTITIES)
        entity = component.get_entity(target) if component is not None else None
        if entity is None:
            return False
        try:
            await entity.async_send_message(link, title=name)
        except Exception:  # noqa: BLE001 - whatever the phone's integration raises, the link is still shown
            return False
        return True

    @callback
    def _async_done(self, item: Guest | Carrier) -> SubentryFlowResult:
        if self.source == "user":
            return self.async_create_entry(title=item.label, data=pass_values(item), unique_id=item.pass_id)
        if self._deleted():
            return self.async_abort(reason="pass_gone")
        return self.async_update_and_abort(self._get_entry(), self._get_reconfigure_subentry(), reason="link_renewed")

    @override
    @callback
    def async_remove(self) -> None:
        """The flow ended; one left at its link step still lists its new pass (its link was shown)."""
        if self._item is None or (passes := self._passes()) is None or self._item.pass_id not in passes.handing_over:
            return
        passes.handing_over.discard(self._item.pass_id)
        entry = self._get_entry()
        if not any(subentry.unique_id == self._item.pass_id for subentry in entry.subentries.values()):
            async_list_pass(self.hass, entry, self._item)

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Change the name, times and limits, give a new link, or a new keypad code (or a first one)."""
        options = ["change", "renew"]
        if (keypad := self._keypad()) is not None and (current := self._current()) is not None:
            options.append("renew_code" if keypad.code_of(current.pass_id) is not None else "add_code")
        return self.async_show_menu(step_id="reconfigure", menu_options=options)

    def _deleted(self) -> bool:
        """Whether the owner deleted the subentry being changed (in another window, meanwhile)."""
        return self._reconfigure_subentry_id not in self._get_entry().subentries

    def _current(self) -> Guest | Carrier | None:
        """The pass of the subentry being changed, unless it is revoked or gone."""
        if (passes := self._passes()) is None or self._deleted():
            return None
        found = passes.find_pass(self._get_reconfigure_subentry().unique_id or "")
        return found if isinstance(found, Guest | Carrier) and not found.revoked else None

    async def async_step_change(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """The form again, filled in; the link stays the same."""
        passes, current = self._passes(), self._current()
        if passes is None or current is None:
            return self.async_abort(reason="pass_gone")
        errors: dict[str, str] = {}
        if user_input is None:
            values = pass_values(current)
        else:
            values = flatten(user_input, self.sections)
            changed, errors = await self._async_attempt(lambda: self._async_change(passes, current.pass_id, values))
            if self._deleted():  # meanwhile: the entrance revoked it
                return self.async_abort(reason="pass_gone")
            if changed is not None:
                return self.async_update_and_abort(
                    self._get_entry(), self._get_reconfigure_subentry(), data=pass_values(changed), title=changed.label
                )
        return self._form("change", values, errors)

    async def async_step_renew(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A new link; the old one stops working at once."""
        passes, current = self._passes(), self._current()
        if passes is None or current is None:
            return self.async_abort(reason="pass_gone")
        errors: dict[str, str] = {}
        if user_input is not None:
            renewed, errors = await self._async_attempt(lambda: passes.async_renew_link(current.pass_id))
            if self._deleted():  # meanwhile: the entrance revoked it, so its new link is never shown
                return self.async_abort(reason="pass_gone")
            if renewed is not None:
                self._item, self._token = renewed
                return await self.async_step_link()
        return self.async_show_form(
            step_id="renew",
            data_schema=probatio.Schema({}),
            errors=errors,
            description_placeholders={"name": current.label},
        )


class GuestSubentryFlow(PassSubentryFlow):
    """A guest: a name, weekdays and times (or a repeat rule), and optional limits."""

    kind = GUEST
    schema = GUEST_SCHEMA
    sections: ClassVar[dict[str, tuple[str, ...]]] = GUEST_SECTIONS

    @override
    async def _async_make(self, passes: PassBook, values: dict[str, Any]) -> tuple[Guest, str]:
        return await passes.async_add_guest(guest_terms(values))

    @override
    async def _async_change(self, passes: PassBook, pass_id: str, values: dict[str, Any]) -> Guest:
        return await passes.async_change_guest(pass_id, guest_terms(values))

    @override
    async def _async_unmake(self, passes: PassBook, pass_id: str) -> None:
        await passes.async_remove_guest(pass_id)


class CarrierSubentryFlow(PassSubentryFlow):
    """A carrier's standing link: the carrier's name, and optional hours."""

    kind = CARRIER
    schema = CARRIER_SCHEMA

    @override
    async def _async_make(self, passes: PassBook, values: dict[str, Any]) -> tuple[Carrier, str]:
        return await passes.async_add_carrier(**carrier_fields(values))

    @override
    async def _async_change(self, passes: PassBook, pass_id: str, values: dict[str, Any]) -> Carrier:
        return await passes.async_change_carrier(pass_id, **carrier_fields(values))

    @override
    async def _async_unmake(self, passes: PassBook, pass_id: str) -> None:
        await passes.async_remove_carrier(pass_id)
