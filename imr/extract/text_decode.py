"""Bytes of a ``.txt`` letter to ``str``: UTF-8 (with or without BOM), else a Windows, Mac or DOS code page
whose characters are all ones letters print, else detected (charset-normalizer: cp1252, latin-1...)."""

from __future__ import annotations

import codecs

from imr.errors import EmptyFileError, UndecodableTextError


def decode_text(data: bytes) -> str:
    """Decode letter bytes; returns text with LF line ends.

    Raises :class:`EmptyFileError` for no bytes and :class:`UndecodableTextError` for binary data.
    """
    if not data.strip():
        raise EmptyFileError("the file is empty")
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _detect(data)
    if "\x00" in text or _control_share(text) > 0.05:
        raise UndecodableTextError("the file is not text (binary content)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


#: Characters other than ASCII that letters print (degrees, trade marks, dashes, typographic quotes,
#: accented names, fractions, bullets): the code page that turns a file's other bytes into these is the
#: file's. A statistical detector alone misreads a letter with a handful of them ('®' as cp850's '«').
_LETTER_CHARS = frozenset("°®©™×–—‘’“”•·…½¼¾±µ§¶éèêëáàâäíìîïóòôöúùûüñçÉÈÁÍÓÚÑÇ\u00a0")
_CODE_PAGES = ("cp1252", "mac_roman", "cp850")


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes

    scored = []
    for rank, code_page in enumerate(_CODE_PAGES):
        try:
            text = data.decode(code_page)
        except UnicodeDecodeError:
            continue
        other = [c for c in text if ord(c) > 127]
        if other and all(c in _LETTER_CHARS for c in other):
            scored.append((-len(other), rank, text))
    if scored:
        return min(scored)[2]
    best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "utf_16", "mac_roman", "cp850"]).best()
    if best is None:
        best = from_bytes(data).best()
    if best is None:
        raise UndecodableTextError("the text encoding could not be determined")
    return str(best)


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    return bad / len(text)
