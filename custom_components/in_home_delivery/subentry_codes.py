"""The keypad code steps of the guest and carrier subentry flows: give a code, renew it, show it once.

A code is shown once, in the step's placeholders: never in the subentry, its title, a log or a message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import probatio

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .subentry_forms import spoken

if TYPE_CHECKING:
    from .core.carriers import Carrier
    from .core.codes import Code
    from .core.guests import Guest
    from .keypad import KeypadCodes
    from .passbook import PassBook

type GiveCode = Callable[[KeypadCodes, str], Awaitable[Code]]


class CodeSteps(ConfigSubentryFlow):
    """The code steps; PassSubentryFlow gives them the pass, the keypad and how to undo a pass."""

    _item: Guest | Carrier | None
    _token: str | None
    _code: Code | None

    def _current(self) -> Guest | Carrier | None:
        raise NotImplementedError

    def _keypad(self) -> KeypadCodes | None:
        raise NotImplementedError

    def _deleted(self) -> bool:
        raise NotImplementedError

    async def _async_attempt(self, action: Any) -> tuple[Any, dict[str, str]]:
        raise NotImplementedError

    async def _async_unmake(self, passes: PassBook, pass_id: str) -> None:
        raise NotImplementedError

    async def _async_give_code(self, passes: PassBook, keypad: KeypadCodes, pass_id: str) -> Code:
        """The new pass's keypad code; where it cannot be kept, the pass made for it is closed again."""
        try:
            return await keypad.async_issue(pass_id, one_time=False)
        except HomeAssistantError:
            with suppress(HomeAssistantError):  # a closing the disk refused is kept, opening nothing
                await self._async_unmake(passes, pass_id)
            passes.handing_over.discard(pass_id)
            self._item = self._token = None
            raise

    async def async_step_renew_code(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A new keypad code in the same slot; the old one leaves the lock at once."""
        return await self._async_code_step(
            "renew_code", user_input, lambda keypad, pass_id: keypad.async_renew(pass_id)
        )

    async def async_step_add_code(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A first keypad code for the pass, in a free slot."""
        return await self._async_code_step(
            "add_code", user_input, lambda keypad, pass_id: keypad.async_issue(pass_id, one_time=False)
        )

    async def _async_code_step(
        self, step_id: str, user_input: dict[str, Any] | None, give: GiveCode
    ) -> SubentryFlowResult:
        """Ask, then give the code (on disk first) and show it once; a refusal is the form's error."""
        current, keypad = self._current(), self._keypad()
        if current is None:
            return self.async_abort(reason="pass_gone")
        if keypad is None:
            return self.async_abort(reason="no_keypad")
        errors: dict[str, str] = {}
        if user_input is not None:
            if not current.open_at(dt_util.utcnow()):
                errors = {"base": "code_pass_closed"}
            else:
                code, errors = await self._async_attempt(lambda: give(keypad, current.pass_id))
                errors = {"base": next(iter(errors.values()))} if errors else {}  # the form has no fields
                if self._deleted():  # meanwhile: the entrance revoked it, so its code is never shown
                    return self.async_abort(reason="pass_gone")
                if code is not None:
                    self._item, self._code = current, code
                    return await self.async_step_code()
        return self.async_show_form(
            step_id=step_id,
            data_schema=probatio.Schema({}),
            errors=errors,
            description_placeholders={"name": current.label},
        )

    async def async_step_code(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Show the new keypad code once, with its slot."""
        item, code = self._item, self._code
        if item is None or code is None:
            return self.async_abort(reason="pass_gone")
        if user_input is not None:
            self._code = None
            return self.async_abort(reason="code_handed_over")
        return self.async_show_form(
            step_id="code",
            data_schema=probatio.Schema({}),
            description_placeholders={"name": item.label, "code": spoken(code.secret), "slot": str(code.slot)},
            last_step=True,
        )
