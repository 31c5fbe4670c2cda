"""The reader: a Textual app on a Library (README "The reader")."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from .commands import ReaderCommands
from .gate import LibraryGate, ReaderLibrary
from .screens.main import MainScreen


KEY_LABELS = {
    "slash": "/",
    "backslash": "\\",
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "pagedown": "page down",
    "pageup": "page up",
}


class ReaderApp(App[None]):
    """Browse, search, bookmark and annotate the papers of a Library.

    `debounce`: seconds of quiet typing before a search starts (0 in tests);
    `read_delay`: seconds a paper stays in the detail pane before it counts as read (None: never);
    `similar_delay`: seconds a paper stays before its similar papers are looked up (a cursor
    move or a keystroke cancels it: typing is not slowed by lookups of passing results);
    `typing_pause`: seconds without a key in the search box, while it has the focus, before
    the user counts as no longer typing: similar papers are looked up and changes made
    elsewhere shown only then (a pause in typing is often longer than similar_delay);
    `suggestion_delay`: seconds a search as you type that found nothing while its last word
    was a prefix stays before it runs again with the word complete, which corrects a typo
    (typing on cancels it);
    `import_samples`: a library that never imported anything imports the bundled samples.
    """

    CSS_PATH = "reader.tcss"
    TITLE = "tui-reader"
    COMMANDS = App.COMMANDS | {ReaderCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    def __init__(self, library: ReaderLibrary, *, debounce: float = 0.15, read_delay: float | None = 1.5,
                 similar_delay: float = 0.3, typing_pause: float = 1.0,
                 suggestion_delay: float = 0.3, import_samples: bool = True,
                 freeze_start: bool = False) -> None:
        super().__init__()
        self.library = LibraryGate(library)
        self.debounce = debounce
        self.read_delay = read_delay
        self.similar_delay = similar_delay
        self.typing_pause = typing_pause
        self.suggestion_delay = suggestion_delay
        self.import_samples = import_samples
        # what the start built is frozen out of the garbage collector (memory.py): a process
        # that runs one reader (run_app), not one that runs many (tests)
        self.freeze_start = freeze_start
        self.rescued_notes: list[str] = []  # notes the library could not take, kept in files
        self.notices_told = 0  # the library's notices shown so far (more come as its index opens)

    def get_default_screen(self) -> Screen:
        return MainScreen()

    def on_mount(self) -> None:
        # What the Library's start found and did (a damaged store repaired from the backup, an
        # index rebuilt): the same sentences the command line prints on stderr.
        self.tell_notices()
        saved = self.library.setting("theme")
        if saved and saved in self.available_themes and saved != self.theme:
            self.theme = saved
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def tell_notices(self) -> None:
        """Show the library's notices not shown yet."""
        notices = getattr(self.library, "notices", None) or []
        for notice in notices[self.notices_told:]:
            self.notify(notice, title="tui-reader", severity="warning", markup=False,
                        timeout=30)
        self.notices_told = len(notices)

    def _remember_theme(self, theme: Theme) -> None:
        self.library.set_setting("theme", theme.name)

    @property
    def main_screen(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("the main screen is not there")

    def save_open_notes(self) -> None:
        """Save the text of a note editor that is open (the app is going away)."""
        from .screens.note_editor import NoteEditor

        for screen in self.screen_stack:
            if isinstance(screen, NoteEditor):
                screen.save_now()

    async def action_quit(self) -> None:
        self.save_open_notes()
        await super().action_quit()

    def on_unmount(self) -> None:
        self.save_open_notes()
        self.library.shut()  # worker threads still running find the library closed

    def key_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every key of the reader, for the help screen (from the bindings themselves)."""
        from .screens.note_editor import NoteEditor
        from .widgets.paper_list import PaperList

        main = [self._rows(MainScreen.BINDINGS)]
        return [
            ("Anywhere in the reader", main[0]),
            ("In the list of papers", self._rows(PaperList.BINDINGS)),
            ("In the search box", [
                ("enter", "to the results (a typo in the last word is corrected)"),
                ("escape", "to the list (the query stays; escape there clears it)"),
                ("ctrl+u", "clear the box"),
                ("tab", "to the sidebar of views"),
            ]),
            ("In the note editor", self._rows(NoteEditor.BINDINGS) + [
                ("ctrl+q", "quit (the note is saved first)"),
            ]),
            ("In the tag prompt (t, T)", [
                ("+name, name / -name", "add / remove a tag; several at once"),
                ("tab, →", "complete the tag being typed"),
                ("enter / escape", "apply / cancel"),
            ]),
            ("In the facet panel (f)", [
                ("enter", "add the value's filter to the search (✓: remove it)"),
                ("escape, f, q", "close"),
            ]),
            ("In the import dialog (i)", [
                ("tab", "complete the path typed (when several files match, they are listed)"),
                ("right", "take the completion shown greyed after the text"),
                ("enter", "import the paths, or a page pasted into the dialog"),
                ("escape", "cancel"),
            ]),
            ("Everywhere", [
                ("ctrl+p", "command palette: actions, views, saved searches, themes"),
                ("tab, shift+tab", "move between search box, views, list and detail pane"),
                ("ctrl+q", "quit"),
                ("mouse", "click a view, a paper, a similar paper or \"search instead\""),
            ]),
        ]

    @staticmethod
    def _rows(bindings) -> list[tuple[str, str]]:
        rows: dict[str, list[str]] = {}
        for binding in bindings:
            keys = [KEY_LABELS.get(key.strip(), key.strip()) for key in binding.key.split(",")]
            rows.setdefault(binding.description, []).extend(keys)
        return [(", ".join(keys), description) for description, keys in rows.items()]
