"""The address printed on paper: a final print file is refused while ``PUBLIC_BASE_URL`` is a
placeholder, because its QR code would lead nowhere once the panel hangs in the hall.

Drafts (``--draft``, the review's proofs) may print with any address: they are marked DRAFT on
every page and never go to the print shop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..settings import base_url_problem


class PlaceholderAddress(Exception):
    """Final print files were asked for while PUBLIC_BASE_URL is not a public https address."""

    def __init__(self, url: str, explanation: str):
        self.url = url
        self.explanation = explanation
        super().__init__(
            f"PUBLIC_BASE_URL {explanation}: the QR code of every final print file would lead "
            f"there, not to the exhibition online. Set PUBLIC_BASE_URL to the public https "
            f"address of the topic page (e.g. EXHIBIT_PUBLIC_BASE_URL=https://expo.example.org "
            f"or PUBLIC_BASE_URL in instance/exhibit.cfg)")


def require_public_address(config: Mapping[str, Any]) -> None:
    """Raise :class:`PlaceholderAddress` unless PUBLIC_BASE_URL is a public https address."""
    url = config.get("PUBLIC_BASE_URL")
    problem = base_url_problem(url)
    if problem is not None:
        raise PlaceholderAddress(str(url or ""), problem[1])
