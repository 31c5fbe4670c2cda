"""LaTeX in titles and abstracts as readable text: `$O(n^2)$` reads `O(n^2)`, `\\textit{x}`
reads `x`, `5\\%` reads `5%`, `$\\alpha$` reads `α` (pylatexenc converts).

Only text that looks like LaTeX is converted, by rule: a command (a backslash and a letter),
an escaped special character or accent (`\\%`, `\\&`, `\\"o`), or a math span by pandoc's rule
(the opening `$` has a non-space after it, the closing one a non-space before it and no digit
after it, so "$5 to $10" is no math). Text that is not LaTeX is returned as it is, at the cost
of one regular expression. In text that is, only its LaTeX pieces go through pylatexenc (a
math span, a command with its arguments, a braced group, an escape); the words between them
stay as they are (pylatexenc reads a character at a time: a whole abstract would cost 20 ms).
A piece that does not parse (an unbalanced brace) keeps its source; a command pylatexenc does
not know (a paper's own `\\method`) is shown as written. Conversions are cached. Never raises.

The store keeps the source (export and BibTeX need it); what is shown and indexed is this,
with the spans the source set in italics (`italics`) for the reader.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# A math span: $$...$$, \(...\), \[...\], or $...$ by pandoc's rule; escapes skipped inside
# (a `\(` looks at most 2,000 characters ahead for its `\)`: text of many is read in linear time).
_MATH = (r"\$\$(?:\\.|[^$\\])+?\$\$|\\\(.{1,2000}?\\\)|\\\[.{1,2000}?\\\]"
         r"|\$(?=[^\s$])(?:\\.|[^$\\])*?(?<=[^\s\\])\$(?!\d)")
_LOOKS_LIKE_LATEX = re.compile(r"\\(?:[A-Za-z]|[%&_#${}\"'`^~=.])|" + _MATH, re.DOTALL)
# Where a LaTeX piece starts: a math span, a command, an escaped character, a group.
_PIECE = re.compile(rf"(?P<math>{_MATH})|\\(?P<name>[A-Za-z]+\*?|.)|\{{", re.DOTALL)
_PIECE_START = re.compile(r"[\\${]")
_MATH_PIECE = re.compile(_MATH, re.DOTALL)
_COMMAND = re.compile(r"\\([A-Za-z]+)")
# What the parser-free reading of a piece knows: a command, an escape, a group, words.
_QUICK_TOKEN = re.compile(
    r"\\(?P<name>[A-Za-z]+)|\\(?P<escaped>[%&_#${}])|(?P<group>\{)|(?P<words>[^\\{}$]+)")
_ACCENTS = frozenset("\"'`^~=.")
_LIGATURES = {"~": " ", "---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d"}
_LIGATURE = re.compile(r"(?<=\S)~(?=\S)|(?<!-)---?(?!-)|``|''")
_ITALIC = re.compile(r"\$?\\(?:textit|emph)\{.*\}\$?", re.DOTALL)  # a piece in italics
_LINE_BREAKS = re.compile(r"\s*\n\s*")
_LOOSE = re.compile(r"(?<!\\)[%&]")  # a comment and a column to LaTeX, a sign in a title
_SPACES = re.compile(r"[ \t\xa0]{2,}")
CACHED_TEXTS = 1_000  # conversions of whole texts kept: what a reader redraws (an import
# converts each once; 20,000 abstracts were 60 MB of a million papers' import)
CACHED_PIECES = 20_000  # conversions of LaTeX pieces kept (`$\\alpha$`: papers share them)


def looks_like_latex(text: str) -> bool:
    """Whether `text` holds a LaTeX command, an escaped character or a math span."""
    return ("\\" in text or "$" in text) and _LOOKS_LIKE_LATEX.search(text) is not None


def readable(text: str, *, ties: bool = True) -> str:
    """`text` as a person reads it: its LaTeX converted to plain Unicode text, anything else
    as it is. `ties` False: the words between LaTeX pieces are left as they are, TeX's `~`
    and `--` too (a query, where `word~` is fuzzy)."""
    if not looks_like_latex(text):  # most text: two scans at the speed of memchr
        return text
    return _converted(text, ties)[0]


def italics(text: str) -> list[tuple[int, int]]:
    """The spans of `readable(text)` that `text` sets in italics (`\\textit{...}`,
    `\\emph{...}`, also as a math span of its own: `$\\textit{...}$`)."""
    if not looks_like_latex(text):
        return []
    return _converted(text, True)[1]


def latex_parts(text: str) -> list[tuple[str, bool]]:
    """`text` cut into its LaTeX pieces that pylatexenc reads whole (every command known),
    as LaTeX a document can hold (a `%` or `&` in them escaped): (piece, True), and the rest,
    words and pieces it cannot read, as plain text: (text, False). For BibTeX: the one
    keeps its math and styles, the other is escaped."""
    if not looks_like_latex(text):
        return [(text, False)]
    parts, pos = [], 0
    try:
        for start, end in _pieces(text):
            piece = text[start:end]
            whole = (_piece_text(piece) != piece
                     and not any(_unknown(name) for name in _COMMAND.findall(piece)))
            parts += [(text[pos:start], False),
                      (_LOOSE.sub(r"\\\g<0>", piece), True) if whole else (piece, False)]
            pos = end
    except Exception:  # anything pylatexenc meets: plain text
        return [(text, False)]
    parts.append((text[pos:], False))
    return [(part, latex) for part, latex in parts if part]


@functools.lru_cache(maxsize=CACHED_TEXTS)
def _converted(text: str, ties: bool = True) -> tuple[str, list[tuple[int, int]]]:
    """`text` with each LaTeX piece as text, spaces tidied, and the spans of it in italics;
    the source (no italics) if anything fails."""
    words = _typeset if ties else str
    try:
        out, slanted, pos = [], [], 0
        for start, end in _pieces(text):
            piece = _piece_text(text[start:end])
            out += [words(text[pos:start]), piece]
            if _ITALIC.fullmatch(text, start, end):
                slanted.append(_tidy(piece))
            pos = end
        out.append(words(text[pos:]))
        joined = _tidy("".join(out), "\n" not in text)
    except Exception:  # anything pylatexenc meets: the source
        return text, []
    spans, pos = [], 0
    for part in filter(None, slanted):  # each in order in the text as tidied
        found = joined.find(part, pos)
        if found >= 0:
            spans.append((found, found + len(part)))
            pos = found + len(part)
    return (joined, spans) if joined else (text, [])


def _tidy(text: str, one_line: bool = True) -> str:
    """Runs of spaces as one, and (`one_line`: the source had no line breaks) the lines
    that `\\\\`, display math or a list made joined; no space at either end."""
    if one_line and "\n" in text:
        text = _LINE_BREAKS.sub(" ", text)
    if "  " in text or "\xa0" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def _typeset(words: str) -> str:
    """The words between LaTeX pieces with TeX's ligatures as a reader sees them: a tie
    (`Type~1`) a space, `--` and `---` dashes, ``` ``quotes'' ``` quotes."""
    if "~" not in words and "--" not in words and "``" not in words and "''" not in words:
        return words
    return _LIGATURE.sub(lambda m: _LIGATURES[m.group(0)], words)


def _pieces(text: str):
    """The (start, end) of each LaTeX piece of `text`, in order."""
    pos = 0
    while (start := _PIECE_START.search(text, pos)) is not None:
        found = _PIECE.match(text, start.start())
        if found is None:  # a `$` of no math span
            pos = start.end()
            continue
        end = found.end()
        name = found.group("name")
        if found.group("math"):
            pass
        elif name is None:  # a group: to its closing brace
            end = _closing(text, found.start()) or len(text)
        elif name[0].isalpha():  # a command and the groups and options right after it
            while end < len(text) and text[end] in "{[":
                end = _closing(text, end) or len(text)
            if name == "begin":
                env = re.match(r"\{([^{}]*)\}", text[found.end():])
                close = text.find(f"\\end{{{env.group(1)}}}", end) if env else -1
                end = len(text) if close < 0 else close + len(env.group(1)) + 6
        elif name in _ACCENTS and end < len(text):  # \"o, \'{e}
            end = (_closing(text, end) or len(text)) if text[end] == "{" else end + 1
        yield found.start(), end
        pos = end


def _closing(text: str, start: int) -> int | None:
    """The end of the group or option opening at `start` (after its closing brace or
    bracket), escapes skipped; None when it is not closed."""
    opening = text[start]
    closing = "}" if opening == "{" else "]"
    depth, pos = 0, start
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    return None


@functools.lru_cache(maxsize=CACHED_PIECES)
def _piece_text(piece: str) -> str:
    """One LaTeX piece as text; its source when it does not parse."""
    quick = _without_parser(piece)
    if quick is not None:
        return quick
    from pylatexenc.latexwalker import LatexWalker
    try:
        nodes, _, _ = LatexWalker(_LOOSE.sub(r"\\\g<0>", piece), latex_context=_walker_context(),
                                  tolerant_parsing=False).get_latex_nodes()
        return _converter().nodelist_to_text(nodes)
    except Exception:
        return piece


def _without_parser(piece: str) -> str | None:
    """The text of the commonest pieces without pylatexenc's parser (it reads a character at
    a time: a millisecond a piece), by pylatexenc's own tables: words, escapes, groups,
    symbols (`\\times`: ×) and text styles (`\\textbf{...}`: its words), as in `$12.5\\%$`,
    `$512 \\times 512$`, `\\textbf{\\emph{Ours}}`. None when the piece holds anything else
    (a command with another kind of argument, a math style, an accent): the parser reads it."""
    if piece == "\\\\":  # a line break (the parser wants what follows it)
        return "\n"
    math = _MATH_PIECE.fullmatch(piece)
    if math:
        piece = piece[2:-2] if piece[:2] in ("$$", "\\(", "\\[") else piece[1:-1]
    text = _quick_text(piece)
    return None if text is None else _typeset(text)


def _quick_text(body: str) -> str | None:
    """The text of a piece's body read token by token, or None (see _without_parser)."""
    out, pos = [], 0
    symbols, styles = _symbols(), _styles()
    while pos < len(body):
        found = _QUICK_TOKEN.match(body, pos)
        if found is None:  # a `}`, a `$`, an accent
            return None
        name, escaped, group, words = found.group("name", "escaped", "group", "words")
        pos = found.end()
        if words is not None:
            out.append(words.replace("~", " "))
        elif escaped is not None:
            out.append(escaped)
        elif group or name in styles:  # a group, or a style and its groups
            count, take = (1, "all") if group else styles[name]
            pos = found.start() if group else pos
            arguments = []
            for _ in range(count):
                end = _closing(body, pos) if body[pos:pos + 1] == "{" else None
                if end is None:
                    return None
                arguments.append(body[pos + 1:end - 1])
                pos = end
            texts = [_quick_text(a) for a in (arguments[-1:] if take == "last" else arguments)]
            if None in texts:
                return None
            out += texts
        elif name in symbols:  # an operator's name is a word of its own: `n\\log n`: "n log n"
            word = symbols[name]
            gap = word[:1].isalpha() and out and out[-1][-1:].isalnum()
            out.append(" " + word if gap else word)
        elif _unknown(name):
            out.append("\\" + name)
        else:
            return None
    return "".join(out)


def _unknown(name: str) -> bool:
    """Whether neither pylatexenc's parser nor its converter knows a command (`\\begin` and
    `\\end` it knows as environments)."""
    converter = _converter().latex_context
    return (name not in ("begin", "end") and _walker_context().get_macro_spec(name) is None
            and converter.get_macro_spec(name) is converter.unknown_macro_spec)


@functools.cache
def _symbols() -> dict[str, str]:
    """Commands without arguments that pylatexenc turns into a fixed text (`\\times`: ×;
    `\\bf`: nothing), by name."""
    converter, walker = _converter().latex_context, _walker_context()
    found = {}
    for category in converter.categories():
        for spec in converter.iter_macro_specs([category]):
            name, repl = spec.macroname, spec.simplify_repl
            known = walker.get_macro_spec(name)
            if (name in found or (known is not None and known.args_parser.argspec)
                    or not isinstance(repl, str if spec.discard else type(None))
                    or "%" in (repl or "")):
                continue
            found[name] = repl or ""
    return found


@functools.cache
def _styles() -> dict[str, tuple[int, str]]:
    """Commands whose text is the words of their arguments (`\\emph`, `\\textbf`: "all") or
    of their last one (`\\texttt`, `\\href`: "last"), all in braces: (arguments, which)."""
    converter, walker = _converter().latex_context, _walker_context()
    found = {}
    for category in converter.categories():
        for spec in converter.iter_macro_specs([category]):
            name = spec.macroname
            known = walker.get_macro_spec(name)
            argspec = known.args_parser.argspec if known is not None else ""
            if name in found or not argspec or set(argspec) != {"{"}:
                continue
            if not spec.discard and spec.simplify_repl is None:
                found[name] = (len(argspec), "all")
            elif spec.simplify_repl is _last_argument:
                found[name] = (len(argspec), "last")
    return found


# What pylatexenc's parser does not know the arguments of: (name, arguments).
_ARGUMENTS = (("boldsymbol", "{"), ("bm", "{"), ("uline", "{"), ("operatorname", "*{"), ("href", "{{"),
              ("textsuperscript", "{"), ("textsubscript", "{"), ("unicode", "{"))
# Declarations and spacing that change no word (pylatexenc drops them only as unknown).
_SILENT = ("bf it em rm sc sf tt sl up md bfseries itshape ttfamily scshape slshape upshape"
           " mdseries rmfamily sffamily normalfont tiny scriptsize footnotesize small normalsize"
           " large Large LARGE huge Huge noindent left right big Big bigg Bigg bigl bigr Bigl"
           " Bigr biggl biggr middle displaystyle textstyle scriptstyle limits nolimits"
           " quad qquad label nonumber notag centering vspace hspace color").split()
# What shows the words of its last argument (for words, not style).
_CONTENT = ("texttt", "textsf", "textup", "textmd", "textnormal", "mbox", "underline", "uline",
            "boldsymbol", "bm", "textsuperscript", "textsubscript")


@functools.cache
def _walker_context():
    """pylatexenc's parser context, with the arguments of a few more commands."""
    from pylatexenc.latexwalker import get_default_latex_context_db
    from pylatexenc.macrospec import MacroSpec
    db = get_default_latex_context_db()
    db.add_context_category("tui-reader", prepend=True,
                            macros=[MacroSpec(name, args) for name, args in _ARGUMENTS])
    return db


def _as_written(node, macroname: str = "") -> str:
    """A command pylatexenc does not know (a paper's own `\\method`), as the source wrote it."""
    return "\\" + macroname + (node.macro_post_space or "")


def _unicode_character(node, l2tobj) -> str:
    r"""MathJax's `\unicode{x1F600}` (or a decimal code point) as its character."""
    code = l2tobj.nodelist_to_text([node.nodeargd.argnlist[0]]).strip()
    try:
        char = chr(int(code[1:], 16) if code[:1] in "xX" else int(code))
    except (ValueError, OverflowError):
        return code
    return code if unicodedata.category(char)[0] == "C" else char  # never a control


def _last_argument(node, l2tobj) -> str:
    return l2tobj.nodelist_to_text([node.nodeargd.argnlist[-1]])


@functools.cache
def _converter():
    """pylatexenc's converter (loaded on first use), math as text, with a few changes for
    titles and abstracts: a `~` is a space, monospaced and sans-serif text, links and URLs
    keep their words (pylatexenc drops them), an unknown command is shown as written."""
    from pylatexenc import latex2text
    db = latex2text.get_default_latex_context_db()
    spec = latex2text.MacroTextSpec
    db.add_context_category(
        "tui-reader", prepend=True,
        macros=[*(spec(name, simplify_repl=_last_argument) for name in _CONTENT),
                *(spec(name, "") for name in _SILENT),
                spec("operatorname", simplify_repl=_last_argument),
                spec("href", simplify_repl=_last_argument), spec("url", "%s"),
                spec("unicode", simplify_repl=_unicode_character)],
        specials=[latex2text.SpecialsTextSpec("~", " ")])
    db.set_unknown_macro_spec(spec("", simplify_repl=_as_written))
    return latex2text.LatexNodes2Text(latex_context=db, math_mode="text")
