"""Courier and guest links: `<base>/api/webhook/<webhook_id>#pass=<token>`.

The token rides in the fragment, which browsers never send: no web server, reverse proxy, cloud
relay, access log or Referer sees it. The page's script reads it and sends it in POST bodies.

The base is the cloudhook where Home Assistant Cloud is set up, else the external URL. Where neither
exists, couriers cannot reach the door from outside: a repair issue says so, and the link falls back to
the internal URL so the owner can still try it at home.
"""

from __future__ import annotations

from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError, get_url

from .const import DOMAIN


async def _async_cloudhook(hass: HomeAssistant, webhook_id: str) -> str | None:
    """The cloudhook of the webhook where a Home Assistant Cloud subscription is active."""
    # Imported only where Cloud is loaded: the module pulls in Assist and its requirements.
    from homeassistant.components import cloud  # noqa: PLC0415

    if not cloud.async_active_subscription(hass):
        return None
    try:
        return await cloud.async_get_or_create_cloudhook(hass, webhook_id)
    except cloud.CloudNotConnected:
        return None


async def async_webhook_url(hass: HomeAssistant, webhook_id: str) -> str:
    """The entrance's webhook address as the outside world reaches it."""
    issue_id = f"no_external_url_{webhook_id[:8]}"
    if "cloud" in hass.config.components:
        url = await _async_cloudhook(hass, webhook_id)
        if url is not None:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            return url
    path = webhook.async_generate_path(webhook_id)
    try:
        base = get_url(hass, allow_internal=False, allow_cloud=False)
    except NoURLAvailableError:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="no_external_url",
        )
        return f"{get_url(hass, allow_cloud=False)}{path}"
    ir.async_delete_issue(hass, DOMAIN, issue_id)
    return f"{base}{path}"


async def async_pass_link(hass: HomeAssistant, webhook_id: str, token: str) -> str:
    """The link that opens the door with a pass's token."""
    return f"{await async_webhook_url(hass, webhook_id)}#pass={token}"
