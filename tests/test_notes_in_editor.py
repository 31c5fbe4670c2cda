"""Notes in the user's own editor: `tui-reader note ID` (the real command, in a subprocess) and
`E` in the reader, with $VISUAL set to a script that plays the editor."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_reader.editor import EditorProblem, edit_note, editor_command

from tests.conftest import settle, until
from tests.reader_pilot import SIZE, detail_text, main, make_app

ARXIV = "2401.00001"  # Diffusion Models for Protein Design, of the corpus


def fake_editor(folder: Path, text: str | None, status: int = 0) -> Path:
    """A script that plays the editor: it keeps what it was given in `seen.md`, then writes
    `text` into the file (None: leaves it as it was) and exits with `status`."""
    script = folder / "editor.sh"
    write = "" if text is None else f"printf '{text}' > \"$1\"\n"
    script.write_text(f"#!/bin/sh\ncp \"$1\" '{folder / 'seen.md'}'\n{write}exit {status}\n")
    script.chmod(0o700)
    return script


def note_command(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`tui-reader note ...` in another process, with the environment changed by `env`
    (an empty value removes the variable)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR")}
    environ.update({k: v for k, v in env.items() if v})
    return subprocess.run([sys.executable, "-m", "tui_reader", "--data-dir", str(data_dir),
                           "note", *args], capture_output=True, text=True, env=environ,
                          timeout=120, stdin=subprocess.DEVNULL)


# -- the command line ---------------------------------------------------------------------

def test_note_without_set_opens_the_editor_and_keeps_what_it_wrote(corpus_lib, data_dir,
                                                                   tmp_path):
    corpus_lib.note(ARXIV, "first thoughts")
    editor = fake_editor(tmp_path, "first thoughts\\n\\nand second ones\\n")
    done = note_command(data_dir, ARXIV, VISUAL=str(editor), EDITOR="/no/such/editor")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("noted ") and "Diffusion Models for Protein Design" in done.stdout
    assert (tmp_path / "seen.md").read_text() == "first thoughts\n"  # the note, to edit
    assert corpus_lib.paper(ARXIV).note == "first thoughts\n\nand second ones"
    assert [n.title for n in corpus_lib.notes()] == ["Diffusion Models for Protein Design"]


def test_editor_falls_back_to_EDITOR_an_unchanged_note_changes_nothing(corpus_lib, data_dir,
                                                                        tmp_path):
    corpus_lib.note(ARXIV, "keep me")
    generation = corpus_lib.store.generation()
    done = note_command(data_dir, ARXIV, EDITOR=str(fake_editor(tmp_path, None)))
    assert done.returncode == 0, done.stderr
    assert "is unchanged" in done.stdout
    assert corpus_lib.paper(ARXIV).note == "keep me"
    assert corpus_lib.store.generation() == generation  # nothing was written


def test_an_emptied_note_is_removed(corpus_lib, data_dir, tmp_path):
    corpus_lib.note(ARXIV, "to be removed")
    done = note_command(data_dir, ARXIV, VISUAL=str(fake_editor(tmp_path, "\\n\\n")))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("removed the note of ")
    assert corpus_lib.paper(ARXIV).note is None and corpus_lib.notes() == []


def test_no_editor_or_a_failing_one_is_one_line_and_changes_nothing(corpus_lib, data_dir,
                                                                    tmp_path):
    corpus_lib.note(ARXIV, "safe")
    done = note_command(data_dir, ARXIV)
    assert done.returncode == 1
    assert done.stderr == ("tui-reader: no editor is set: set $VISUAL or $EDITOR (or give the"
                           " note with --set TEXT)\n")
    done = note_command(data_dir, ARXIV, VISUAL="no-such-editor-here --wait")
    assert done.returncode == 1
    assert done.stderr.startswith("tui-reader: the editor of $VISUAL (no-such-editor-here"
                                  " --wait) is not found") and done.stderr.count("\n") == 1
    done = note_command(data_dir, ARXIV, VISUAL=str(fake_editor(tmp_path, "lost", status=3)))
    assert done.returncode == 1
    assert "exited with status 3: the note is unchanged" in done.stderr
    assert corpus_lib.paper(ARXIV).note == "safe"


def test_editor_command_splits_like_a_shell_and_prefers_VISUAL(tmp_path):
    editor = fake_editor(tmp_path, None)
    assert editor_command({"VISUAL": f"{editor} --wait", "EDITOR": "vi"}) == [str(editor),
                                                                             "--wait"]
    assert editor_command({"VISUAL": " ", "EDITOR": str(editor)}) == [str(editor)]
    with pytest.raises(EditorProblem, match="not a command"):
        editor_command({"VISUAL": "'unclosed"})


def test_edit_note_gives_none_when_only_an_end_of_line_was_added(tmp_path):
    editor = fake_editor(tmp_path, "same\\n\\n")
    assert edit_note("same", [str(editor)]) is None
    assert edit_note(None, [str(editor)]) == "same"
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("tui-reader-note-*.md"))


# -- the reader ---------------------------------------------------------------------------

def no_suspend(app) -> None:
    """Pilot's headless terminal cannot be handed over (App.suspend raises there): the editor
    runs without it (the tmux end-to-end test covers the real suspend)."""
    app.suspend = contextlib.nullcontext


@pytest.mark.asyncio
async def test_E_edits_the_note_in_the_editor_and_shows_it(corpus_lib, tmp_path, monkeypatch):
    corpus_lib.note(ARXIV, "old words")
    monkeypatch.setenv("VISUAL", str(fake_editor(tmp_path, "new words from the editor")))
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("j", "j")
        await settle(pilot)
        assert screen.detail.paper.arxiv_id == ARXIV
        no_suspend(app)
        await pilot.press("E")
        await settle(pilot)
        assert corpus_lib.paper(ARXIV).note == "new words from the editor"
        assert (tmp_path / "seen.md").read_text() == "old words\n"
        assert "new words from the editor" in str(screen.detail.query_one("#detail-note").source)
        await pilot.press("z")  # undone like a note written in the reader
        await settle(pilot)
        assert corpus_lib.paper(ARXIV).note == "old words"
        monkeypatch.setenv("VISUAL", str(fake_editor(tmp_path, "")))
        await pilot.press("E")
        await settle(pilot)
        assert corpus_lib.paper(ARXIV).note is None
        assert "No note yet" in detail_text(app)


@pytest.mark.asyncio
async def test_E_without_an_editor_or_a_terminal_says_so_in_one_line(corpus_lib, tmp_path,
                                                                     monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    app = make_app(corpus_lib)
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(main(app), "notify", lambda text, **kw: said.append(text))
        await pilot.press("E")
        await until(pilot, lambda: said, timeout=30)
        assert said == ["no editor is set: set $VISUAL or $EDITOR; n edits the note here."]
        monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path, "never written")))
        await pilot.press("E")  # the headless terminal cannot be handed over
        await until(pilot, lambda: len(said) == 2, timeout=30)
        assert said[1] == ("This terminal cannot be handed to an editor; n edits the note"
                           " here.")
        assert not (tmp_path / "seen.md").exists()
        await pilot.press("n")  # the built-in editor is there
        await until(pilot, lambda: type(app.screen).__name__ == "NoteEditor", timeout=30)
    assert corpus_lib.notes() == []


@pytest.mark.asyncio
async def test_the_palette_offers_the_note_in_the_editor(corpus_lib, tmp_path, monkeypatch):
    from tests.test_app import palette_ready

    monkeypatch.setenv("VISUAL", str(fake_editor(tmp_path, "from the palette")))
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        no_suspend(app)
        paper = main(app).detail.paper.id
        await pilot.press("ctrl+p", *"your editor")
        await palette_ready(pilot, "Edit note in your editor")
        await pilot.press("enter")
        await until(pilot, lambda: corpus_lib.paper(paper).note == "from the palette",
                    timeout=30)
