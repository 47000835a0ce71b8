"""`makemessages` that also finds the live page's JavaScript strings.

static/js/live.js wraps the catalogue's gettext as `t("...")`; xgettext only knows
`gettext`, so without this keyword `makemessages -d djangojs` would silently drop
every live-page string from the Spanish catalogue.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=t"]
