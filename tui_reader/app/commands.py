"""The command palette (ctrl+p): the reader's actions and the saved searches."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from ..models import VIEWS
from .text import one_line
from .views import FOR_YOU_TAG, SAVED, TAG, VIEW_TEXTS

ACTIONS = [
    ("Search", "Focus the search box (/)", "focus_search"),
    ("Bookmark", "Bookmark the highlighted paper, or remove its bookmark (b)", "bookmark"),
    ("Edit note", "Write a note on the highlighted paper (n)", "note"),
    ("Tags", "Add or remove tags of the highlighted paper (t)", "tag"),
    ("Tag the list", "Add or remove tags of every paper of the list (T)", "tag_list"),
    ("Facets", "Count the papers of the list by year, organisation, category, tag (f)",
     "facets"),
    ("Edit note in your editor", "The highlighted paper's note in $VISUAL or $EDITOR (E)",
     "note_in_editor"),
    ("Save search", "Keep the current query under a name (s)", "save_search"),
    ("Cycle sort order", "Relevance, date, upvotes, title (S)", "cycle_sort"),
    ("Toggle read", "Mark the highlighted paper read or unread (r)", "toggle_read"),
    ("Next unread paper", "The next unread paper of the list (u; U: the previous)",
     "next_unread"),
    ("Mark the list read", "Mark every paper of the list read (A)", "mark_all_read"),
    ("Undo", "Undo the last change to bookmarks, read state, notes, saved searches (z)",
     "undo"),
    ("Open in browser", "Open the paper's page (o)", "open_link"),
    ("Copy title and link", "Copy the highlighted paper's title and link (y)", "copy"),
    ("Delete saved search", "Delete the saved search that is open (d)", "delete_search"),
    ("Next view", "The next view in the sidebar (])", "next_view"),
    ("Previous view", "The previous view in the sidebar ([)", "previous_view"),
    ("Views", "To the sidebar of views; shown over the list on a narrow terminal (\\)",
     "toggle_views"),
    ("Import dumps", "Import files, folders or a pasted page in the background (i)",
     "import_dumps"),
    ("Keys", "Every key of the reader (?)", "help"),
]


class ReaderCommands(Provider):
    """Actions and views of the main screen, and one command per saved search."""

    def _main(self):
        from .screens.main import MainScreen

        for candidate in reversed(self.app.screen_stack):
            if isinstance(candidate, MainScreen):
                return candidate
        return None

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self._main()
        if screen is None:
            return []
        commands = [(title, help_text, getattr(screen, f"action_{action}"))
                    for title, help_text, action in ACTIONS]
        commands += [(VIEW_TEXTS[view].command, "Open this view",
                      partial(screen.open_view, view)) for view in VIEWS]
        for search in screen.searches:
            name = one_line(search.name)
            commands.append((f"Saved search: {name}",
                             f"{one_line(search.query)}  ({search.sort})",
                             partial(screen.open_view, SAVED + search.name)))
        for tag in screen.tags:
            commands.append((f"Tag: #{tag}", "The papers with this tag",
                             partial(screen.open_view, TAG + tag)))
            commands.append((f"For you: {tag}", f"Unread papers like those tagged #{tag}",
                             partial(screen.open_view, FOR_YOU_TAG + tag)))
        return commands

    def _display(self, text: str, query: str) -> Content:
        """`text` with the fuzzy match marked (plain text: never read as markup)."""
        matcher = self.matcher(query)
        content = Content(text)
        score, offsets = matcher.fuzzy_search.match(query, text)
        if score:
            for offset in offsets:
                if not text[offset].isspace():
                    content = content.stylize(matcher.match_style, offset, offset + 1)
        return content

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, self._display(title, query), callback, text=title,
                          help=help_text)
