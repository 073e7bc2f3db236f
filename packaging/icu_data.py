"""Build a smaller ICU data library for the Linux bundle.

PySide6's wheels carry ICU's complete data (libicudata.so.NN, 32 MB: every locale's names,
currencies, units, break-iterator dictionaries, CJK converters, transliterators). Qt uses ICU
only for collation (QCollator), locale-aware case mapping, time zone names and legacy text
codecs (QStringConverter); handbook's interface is English. A single-file build unpacks every
byte on each start, so this keeps ICU's common data package minus the per-locale bulk:

- kept: all supplemental data (likely subtags, plurals, time zones, calendar data...), the
  root and English locales of every tree, the root collation (ucadata.icu, which collates every
  language the Unicode way), normalisation data, the converter alias table and every single-
  byte converter (the Windows, ISO-8859, Mac and DOS code pages);
- left out: other locales' display data, other languages' collation tailorings, break
  iterators and their dictionaries, transliterators, spell-out rules, character names,
  StringPrep profiles, confusables and the large multi-byte (CJK) converter tables.

ICU falls back to the root locale for anything missing, as it does for any locale it lacks.
The result is linked with gcc as a shared library exporting the same ``icudtNN_dat`` symbol
``libicuuc`` imports, so it replaces the original file one for one.

    python packaging/icu_data.py SOURCE_LIBICUDATA DEST_FOLDER
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

_LOCALE_TREES = {"curr", "lang", "region", "unit", "zone", "coll"}
_DROPPED_TREES = {"brkitr", "translit", "rbnf"}
_DROPPED_FILES = re.compile(r"^(unames\.icu|confusables(WholeScript)?\.cfu|.*\.spp)$")
_LOCALE_ID = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*$")
_KEPT_LOCALES = re.compile(r"^(root|en(_[A-Za-z0-9]+)*|pool|res_index)$")
_MAX_CONVERTER = 16 * 1024  # single-byte tables are 1-16 KB; CJK tables 30-550 KB


def keep_item(name: str, size: int) -> bool:
    """Whether to keep the data item ``name`` ("icudt73l/coll/de.res") of ``size`` bytes."""
    parts = name.split("/")[1:]
    file = parts[-1]
    stem, _, ext = file.rpartition(".")
    if len(parts) > 1:
        tree = parts[0]
        if tree in _DROPPED_TREES:
            return False
        if tree in _LOCALE_TREES:
            return ext != "res" or bool(_KEPT_LOCALES.match(stem))
        return True
    if _DROPPED_FILES.match(file):
        return False
    if ext == "cnv":
        return size <= _MAX_CONVERTER
    if ext == "res" and _LOCALE_ID.match(stem):
        return bool(_KEPT_LOCALES.match(stem))
    return True


# --- reading the data package out of the shared library -------------------------------------


def _elf_symbol_bytes(library: bytes, symbol: str) -> bytes:
    """The bytes of a defined dynamic symbol of a little-endian ELF64 shared library."""
    if library[:4] != b"\x7fELF" or library[4] != 2 or library[5] != 1:
        raise ValueError("not a little-endian 64-bit ELF file")
    (shoff,) = struct.unpack_from("<Q", library, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", library, 0x3A)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", library, shoff + i * shentsize) for i in range(shnum)
    ]
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 11:  # SHT_DYNSYM
            continue
        strtab = sections[link][4]
        for pos in range(offset, offset + size, entsize):
            st_name, _st_info, _other, st_shndx, st_value, st_size = struct.unpack_from(
                "<IBBHQQ", library, pos
            )
            end = library.index(b"\0", strtab + st_name)
            if library[strtab + st_name : end].decode() == symbol and st_shndx:
                sec = sections[st_shndx]
                start = sec[4] + st_value - sec[3]
                return library[start : start + st_size]
    raise ValueError(f"symbol {symbol} not found")


def _items(package: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The header and (name, data) items of an ICU common data package ("CmnD")."""
    header_size, magic = struct.unpack_from("<H2s", package, 0)
    if magic != b"\xda\x27" or package[12:16] != b"CmnD" or package[8] != 0:
        raise ValueError("not a little-endian ICU common data package")
    toc = package[header_size:]
    (count,) = struct.unpack_from("<I", toc, 0)
    entries = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_at, data_at) in enumerate(entries):
        name = toc[name_at : toc.index(b"\0", name_at)].decode("ascii")
        end = entries[i + 1][1] if i + 1 < count else len(toc)
        items.append((name, toc[data_at:end]))
    return package[:header_size], items


def _package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """Write a common data package: header, table of contents, names, 16-byte aligned items."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    table_size = 4 + 8 * len(items)
    data_at = table_size + len(names)
    data_at += (-(len(header) + data_at)) % 16  # items start 16-byte aligned in the package
    table, blobs, name_at, offset = [struct.pack("<I", len(items))], [], table_size, data_at
    for name, data in items:
        table.append(struct.pack("<II", name_at, offset))
        name_at += len(name) + 1
        padded = data + b"\0" * ((-len(data)) % 16)
        blobs.append(padded)
        offset += len(padded)
    body = b"".join(table) + names + b"\0" * (data_at - table_size - len(names))
    return header + body + b"".join(blobs)


def trim(source: Path, dest_dir: Path) -> Path:
    """Write the trimmed library into ``dest_dir``, under the same file name as ``source``."""
    match = re.match(r"libicudata\.so\.(\d+)", source.name)
    if not match:
        raise ValueError(f"{source.name} is not named libicudata.so.NN")
    symbol = f"icudt{match.group(1)}_dat"
    header, items = _items(_elf_symbol_bytes(source.read_bytes(), symbol))
    kept = [(name, data) for name, data in items if keep_item(name, len(data))]
    dest_dir.mkdir(parents=True, exist_ok=True)
    blob = dest_dir / f"{symbol}.bin"
    blob.write_bytes(_package(header, kept))
    assembly = dest_dir / "icudata.S"
    assembly.write_text(
        "\t.section .rodata\n\t.balign 16\n"
        f"\t.globl {symbol}\n\t.type {symbol}, @object\n{symbol}:\n"
        f'\t.incbin "{blob.name}"\n\t.size {symbol}, . - {symbol}\n'
        '\t.section .note.GNU-stack,"",@progbits\n',
        encoding="ascii",
    )
    target = dest_dir / source.name
    subprocess.run(
        [
            "gcc",
            "-shared",
            "-nostdlib",
            f"-Wl,-soname,{source.name}",
            "-Wl,-z,noexecstack",
            "-o",
            target.name,
            assembly.name,
        ],
        cwd=dest_dir,
        check=True,
    )
    print(
        f"icu_data: kept {len(kept)} of {len(items)} ICU data items, "
        f"{sum(len(d) for _, d in items) / 1e6:.1f} MB -> {blob.stat().st_size / 1e6:.1f} MB"
    )
    return target


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.rsplit("\n\n", 1)[-1])
    trim(Path(sys.argv[1]), Path(sys.argv[2]))
