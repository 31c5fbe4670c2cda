"""The sidebar on narrow terminals: below NARROW columns it folds away, so the list keeps room
for titles; `\\` shows it over the list (focused), and escape, a view chosen or the focus moving
on folds it again. At NARROW columns and more the layout is the wide one and `\\` moves the
focus between the sidebar and the list."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

NARROW = 100  # columns: a narrower screen folds the sidebar away
FOLDED = "-narrow"  # the main screen's class while the sidebar is folded away
SHOWN = "-views-shown"  # ... and while it is shown over the list


class SidebarFold:
    """The main screen's part that folds the sidebar (the styles are in reader.tcss)."""

    def fold_to(self, width: int) -> None:
        """Fold the sidebar away below NARROW columns; at NARROW or more, show it in place."""
        narrow = width < NARROW
        if not narrow:
            self.remove_class(SHOWN)
        self.set_class(narrow, FOLDED)
        footer = self.query_one(Footer)  # narrow: the reader's keys closer together, and
        footer.compact = narrow  # without the palette's (ctrl+p, in the help), so they fit
        footer.show_command_palette = not narrow

    def on_resize(self, event: events.Resize) -> None:
        self.fold_to(event.size.width)

    def on_screen_resume(self) -> None:  # the terminal may have changed under a dialog
        self.fold_to(self.app.size.width)

    @property
    def views_shown(self) -> bool:
        """Whether the sidebar is shown over the list (on a narrow terminal)."""
        return self.has_class(FOLDED) and self.has_class(SHOWN)

    def action_toggle_views(self) -> None:
        """Narrow: show the sidebar over the list (focused), or fold it. Wide: to the sidebar,
        or back to the list."""
        if self.views_shown or (not self.has_class(FOLDED) and self.sidebar.has_focus):
            self.fold_views()
            self.papers.focus()
            return
        if self.has_class(FOLDED):
            self.add_class(SHOWN)
        self.sidebar.focus()

    def fold_views(self) -> bool:
        """Fold the sidebar shown over the list away (the list focused when the sidebar was);
        False when it was not shown."""
        if not self.views_shown:
            return False
        if self.sidebar.has_focus:
            self.papers.focus()
        self.remove_class(SHOWN)
        return True

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self.views_shown and event.widget is not self.sidebar:  # tab, a click elsewhere
            self.remove_class(SHOWN)
