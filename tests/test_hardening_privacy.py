"""Privacy: the data dir is its owner's only; nothing opens a network
connection but `o` (open in the browser) on the user's request.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.test_hardening_support import ROOT, cli_command, env, spawn, write_corpus
from tui_reader.library import Library


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_with_umask(command: list[str], umask: int, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, env=kwargs.pop("env", env()), cwd=ROOT,
                          preexec_fn=lambda: os.umask(umask), timeout=120, **kwargs)


def assert_private_tree(top: Path, what: str) -> None:
    """Every folder under `top` (itself too) is 0700, every file 0600."""
    assert mode(top) == 0o700, (what, top)
    for folder, folders, files in os.walk(top):
        for name in folders:
            assert mode(Path(folder, name)) == 0o700, (what, folder, name)
        for name in files:
            assert mode(Path(folder, name)) == 0o600, (what, folder, name)


def test_the_data_dir_and_its_files_are_the_owners_only_whatever_the_umask(tmp_path):
    dump = tmp_path / "corpus.jsonl"
    ids = write_corpus(dump, 20)
    with open(dump, "a") as f:  # 9 MB: the import indexes in two writer processes
        f.write((" " * (1 << 20) + "\n") * 9)
    for name, how in (("flag", "--data-dir"), ("env", "TUI_READER_DATA_DIR"),
                      ("default", "XDG_DATA_HOME")):
        root = tmp_path / name / "deep" / "er"
        if how == "--data-dir":
            data, prefix, child_env = root / "data", ["--data-dir", str(root / "data")], env()
        elif how == "TUI_READER_DATA_DIR":
            data, prefix = root / "data", []
            child_env = env(TUI_READER_DATA_DIR=str(root / "data"))
        else:  # platformdirs' user data dir, under XDG_DATA_HOME
            data, prefix = root / "tui-reader", []
            child_env = env(XDG_DATA_HOME=str(root))
        base = [sys.executable, "-m", "tui_reader", *prefix]
        steps = [["import", str(dump)], ["bookmark", ids[0]], ["note", ids[1], "--set", "n"],
                 ["import", "-"], ["reindex"]] if how == "--data-dir" else [
            ["saved", "add", "s", "graphs"]]  # makes the store and the backup
        for args in steps:
            done = run_with_umask([*base, *args], 0o000, env=child_env,
                                  input=b"Title\n\nAn abstract of a pasted page.\n")
            assert done.returncode in (0, 1) and b"Traceback" not in done.stderr, (
                how, args, done.stderr)
        assert_private_tree(tmp_path / name / "deep", how)  # the missing parents too
        for name in ("library.sqlite3", "user.sqlite3", "user-backup.json",
                     "library.sqlite3.lock"):
            assert mode(data / name) == 0o600, (how, name)
        assert how != "--data-dir" or {"index", "pasted"} <= {p.name for p in data.iterdir()}


def test_what_an_older_version_left_open_to_others_is_tightened(tmp_path):
    dump = tmp_path / "corpus.jsonl"
    write_corpus(dump, 20)
    data = tmp_path / "data"
    done = run_with_umask([*cli_command(data), "import", str(dump)], 0o022)
    assert done.returncode == 0, done.stderr
    (data / "mine.txt").write_text("not tui-reader's")
    os.chmod(data / "mine.txt", 0o644)
    for item in (data / "index").iterdir():
        os.chmod(item, 0o777 if item.name == "MAIN_WRITELOCK" else 0o644)
    os.chmod(data / "index", 0o755)
    done = run_with_umask([*cli_command(data), "stats"], 0o022)
    assert done.returncode == 0, done.stderr
    assert_private_tree(data / "index", "index")
    assert mode(data / "mine.txt") == 0o644  # only what tui-reader keeps there


def test_the_store_and_its_wal_are_private_while_open_and_loosened_files_are_tightened(
        tmp_path):
    old_umask = os.umask(0)
    try:
        lib = Library(tmp_path / "data")
        try:
            lib.set_setting("x", "y")
            files = (lib.store.path, lib.store.user_path)
            for db in files:
                for suffix in ("", "-wal", "-shm"):
                    assert mode(Path(f"{db}{suffix}")) == 0o600, (db, suffix)
        finally:
            lib.close()
        for db in files:
            os.chmod(db, 0o644)  # e.g. copied in by hand
        Library(tmp_path / "data").close()
        assert [mode(db) for db in files] == [0o600, 0o600]
    finally:
        os.umask(old_umask)


AUDIT_DRIVER = r"""
import asyncio, json, socket, sys

events = []
NETWORK = {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
           "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
           "socket.getnameinfo", "http.client.connect", "urllib.Request", "ftplib.connect",
           "smtplib.connect", "webbrowser.open", "subprocess.Popen", "os.system", "os.exec",
           "os.posix_spawn", "os.spawn", "os.startfile"}


def hook(event, args):
    if event in NETWORK:
        events.append([event, repr(args)[:300]])
    elif event == "socket.__new__" and args[1] != socket.AF_UNIX:
        events.append([event, repr(args)[:300]])


sys.addaudithook(hook)

import webbrowser  # noqa: E402

opened = []
webbrowser.open = lambda url, *a, **k: opened.append(url) or True

from tui_reader.app.app import ReaderApp  # noqa: E402
from tui_reader.cli import main  # noqa: E402
from tui_reader.library import Library  # noqa: E402
from tests.conftest import settle, until  # noqa: E402

data, dump, paper = sys.argv[1], sys.argv[2], sys.argv[3]
for args in (["import", dump], ["search", "graphs"], ["search", "grahps", "--json"],
             ["show", paper], ["bookmark", paper], ["note", paper, "--set", "private"],
             ["saved", "add", "mine", "graphs"], ["saved", "--json"], ["stats"],
             ["bookmarks"], ["notes", "--json"], ["export", "bookmarks", "--format", "bibtex"],
             ["export", "search", "graphs", "--format", "json"], ["reindex"],
             ["saved", "rm", "mine"], ["unbookmark", paper]):
    try:
        main(["--data-dir", data, *args], standalone_mode=False)
    except SystemExit:
        pass
cli_events = list(events)


async def session(folder, samples):
    lib = Library(folder)
    app = ReaderApp(lib, debounce=0, read_delay=0.1, similar_delay=0, import_samples=samples)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(10):
                await pilot.pause()
            await app.workers.wait_for_complete()
            if samples:  # a new library: the first start imports the bundled samples
                return list(events)
            await pilot.press("slash", *"graphs", "enter")
            await until(pilot, lambda: app.main_screen.papers.listing.query == "graphs")
            for key in ("j", "b", "r", "y", "S", "right_square_bracket",
                        "left_square_bracket", "question_mark", "escape", "n", "x", "ctrl+s",
                        "escape", "s", *"kept", "enter", "1", "escape"):
                await pilot.press(key)
                await settle(pilot)  # what the key started is done
            before = list(events)
            await pilot.press("o")
            await until(pilot, lambda: opened)
            await settle(pilot)
    finally:
        lib.close()
    return before


app_events = asyncio.run(session(data, False))
first_run = asyncio.run(session(sys.argv[4], True))  # a new library imports the samples
print(json.dumps({"cli": cli_events, "app": app_events, "first_run": first_run,
                  "all": events, "opened": opened}))
"""


def test_nothing_opens_a_network_connection_but_o_on_request(tmp_path):
    dump = tmp_path / "corpus.jsonl"
    ids = write_corpus(dump, 30)
    driver = spawn(AUDIT_DRIVER, tmp_path / "data", dump, ids[0], tmp_path / "fresh")
    out, err = driver.communicate(timeout=240)
    assert driver.returncode == 0, err
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["cli"] == [], seen["cli"]  # import, search, show, notes, export, reindex...
    assert seen["app"] == [], seen["app"]  # search, bookmark, note, save, copy, views, help
    assert seen["first_run"] == [], seen["first_run"]  # the bundled samples imported
    assert seen["all"] == []  # `o` only asked the browser module (replaced here) to open:
    assert seen["opened"][0].startswith("https://arxiv.org/abs/2401.")  # a paper of the dump
    assert len(seen["opened"]) == 1


def test_the_real_cli_process_has_no_network_either(tmp_path):
    """The installed entry point, in its own process, watched by an audit hook installed
    before anything of ours is imported (sitecustomize)."""
    dump = tmp_path / "corpus.jsonl"
    ids = write_corpus(dump, 10)
    site = tmp_path / "site"
    site.mkdir()
    log = tmp_path / "events.log"
    (site / "sitecustomize.py").write_text(
        "import sys, socket\n"
        f"LOG = {str(log)!r}\n"
        "WATCH = ('socket.connect', 'socket.bind', 'socket.sendto', 'socket.getaddrinfo',\n"
        "         'socket.gethostbyname', 'http.client.connect', 'urllib.Request',\n"
        "         'webbrowser.open', 'subprocess.Popen')\n"
        "def hook(event, args):\n"
        "    if event in WATCH or (event == 'socket.__new__' and args[1] != socket.AF_UNIX):\n"
        "        with open(LOG, 'a') as f:\n"
        "            f.write(event + ' ' + repr(args)[:200] + '\\n')\n"
        "sys.addaudithook(hook)\n"
        f"open({str(tmp_path / 'watched')!r}, 'a').write('x')\n")  # proof the hook was there
    child = env(PYTHONPATH=f"{site}{os.pathsep}{ROOT}")
    for args in (["import", dump], ["search", "number"], ["bookmark", ids[0]],
                 ["note", ids[1], "--set", "n"], ["show", ids[1], "--json"], ["stats"]):
        done = subprocess.run([*cli_command(tmp_path / "data"), *map(str, args)],
                              capture_output=True, env=child, cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "watched").read_text() == "x" * 6  # every process was watched
    assert not log.exists(), log.read_text()
