"""Help that shows a flag as a flag: typer 0.29 labels every bool option ``<bool>``, as if it took a value."""
from __future__ import annotations

from typing import Any

from typer import core


def show_flags_as_flags() -> None:
    """Leave the type column empty for flags (``--json``, ``--facets``) in `monitor … --help`."""
    option = core.TyperOption
    if getattr(option, "_monitor_flags", False):
        return
    shown = option.display_type_rich

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) and not getattr(self, "count", False):
            return None
        return shown(self, ctx)

    option.display_type_rich = display_type_rich  # type: ignore[method-assign]
    option._monitor_flags = True  # type: ignore[attr-defined]
