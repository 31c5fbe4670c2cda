"""Decompression and size bombs: what importing each costs (time, peak memory, store size) and
what a search costs afterwards. Each import runs in a fresh process on a fresh data dir.

    python benchmarks/bombs.py            # every bomb, one JSON object a line
    python benchmarks/bombs.py title.jsonl.gz
    python benchmarks/bombs.py --measure CMD...  # one command's figures (as JSON)
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MB = 1 << 20
GOOD = ('{"id": "2401.%05d", "title": "A good paper number %d on graphs", "abstract": "We study'
        ' graphs with a simple method and report careful experiments on several benchmarks."}\n')


def _good(n: int) -> bytes:
    return "".join(GOOD % (i, i) for i in range(n)).encode()


def _write_gz(path: Path, parts) -> None:
    """A gzip file of `parts` (bytes, or (byte, count) for a long run of one byte)."""
    with gzip.open(path, "wb", compresslevel=9) as f:
        for part in parts:
            if isinstance(part, tuple):
                byte, count = part
                for _ in range(count // MB):
                    f.write(byte * MB)
            else:
                f.write(part)


def make_bombs(folder: Path) -> dict[str, Path]:
    """Each bomb in `folder`, by name."""
    big = 200 * MB
    bombs = {
        "title.jsonl.gz": [_good(3), b'{"id": "2402.00001", "title": "', (b"A", big),
                           b'", "abstract": "x"}\n', _good(3)],
        "abstract.jsonl.gz": [_good(3), b'{"title": "Long", "abstract": "', (b"word ", big),
                              b'"}\n', _good(3)],
        "title.json.gz": [b'[{"paper": {"id": "2401.00001", "title": "', (b"A", big),
                          b'", "summary": "x"}}]'],
        "page.txt.gz": [b"Daily Papers\n\nA title\n\n", (b"B", big), b"\n"],
        "field.csv.gz": [b"title,abstract\n", b'"T","', (b"c\n", big), b'"\n'],
    }
    out = {}
    for name, parts in bombs.items():
        _write_gz(folder / name, parts)
        out[name] = folder / name
    plain = folder / "title-20mb.jsonl"  # a size bomb without compression
    plain.write_bytes(_good(3) + b'{"title": "' + b"A" * (20 * MB) + b'"}\n' + _good(3))
    out[plain.name] = plain
    authors = folder / "authors.jsonl.gz"
    _write_gz(authors, [b'{"title": "Many authors", "abstract": "a b c d e f g h i",'
                        b' "authors": [' + b'"A. B", ' * 2_000_000 + b'"C. D"]}\n'])
    out[authors.name] = authors
    return out


def measure(cmd: list[str]) -> dict:
    """Run `cmd`; its exit status, wall seconds, peak RSS (MB: wait4's figure, its largest
    process), stdout and stderr. Run it from a small process (`--measure`, as `measured`
    does): a child started by vfork counts its parent's peak as its own."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        out.seek(0)
        err.seek(0)
        return {"exit": proc.returncode, "s": round(wall, 2),
                "peak_mb": round(usage.ru_maxrss / 1024, 1),
                "out": out.read().decode(errors="replace"),
                "err": err.read().decode(errors="replace")}


def measured(cmd: list[str], **kwargs) -> dict:
    """`measure(cmd)`, in a fresh interpreter."""
    done = subprocess.run([sys.executable, __file__, "--measure", *map(str, cmd)],
                          capture_output=True, check=True, **kwargs)
    return json.loads(done.stdout)


def _short(figures: dict) -> dict:
    """`figures` with the last line of stdout and the last three of stderr."""
    return {**figures, "out": figures["out"].splitlines()[-1:],
            "err": [line[:200] for line in figures["err"].splitlines()[-3:]]}


def main(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bombs = make_bombs(Path(tmp))
        for name, path in bombs.items():
            if names and name not in names:
                continue
            data = Path(tmp) / f"data-{name}"
            cli = [sys.executable, "-m", "tui_reader", "--data-dir", str(data)]
            row = {"bomb": name, "compressed_kb": round(path.stat().st_size / 1024)}
            row["import"] = _short(measured([*cli, "import", str(path)]))
            row["data_dir_mb"] = round(sum(f.stat().st_size for f in data.rglob("*")
                                           if f.is_file()) / MB, 1)
            row["search"] = _short(measured([*cli, "search", "graphs"]))
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(sys.argv[2:])))
    else:
        os.environ.setdefault("NO_COLOR", "1")
        main(sys.argv[1:])
