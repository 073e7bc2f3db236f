"""Books made up for the search benchmark: N chapters of about 3 KB, a CJK book, a huge chapter.

The words come from a fixed vocabulary with a seeded generator, so every run (and every size)
writes the same text; a few sentences carry the code tokens developers search for.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (  # noqa: SIM905 - a paragraph is easier to read than 90 strings
    "ownership borrow checker lifetime reference slice struct enum match pattern trait generic "
    "closure iterator vector string hash map thread channel mutex future stream macro module "
    "crate package workspace test error panic result option box pointer heap stack memory "
    "compile runtime release profile cargo build install publish document comment attribute "
    "derive debug display format print value type variable constant shadow scope block loop "
    "function method parameter argument return expression statement semicolon keyword unsafe "
    "raw interior mutability count weak cycle drop deref sync send async await poll spawn join"
).split()
CODE = (
    "cargo build --release", "rustc -O3 main.rs", "let b = Box<T>::new(5);", "Vec<u8>",
    "fn f(s: &str)", "&'static str", "std::mem::swap(&mut a, &mut b);", "#[derive(Debug)]",
    "let n = read()?;", "C++ and Rust", "cargo doc --dest-dir target/doc",
)  # fmt: skip

CJK_CHAPTERS = {
    "zh-intro.md": "# 中文简介\n\n本书介绍所有权、借用检查器和生命周期。日本語の説明もあります。"
    "\n\n## 疼痛与治疗\n\n慢性疼痛是常见的问题。医生会建议适当的治疗方法。\n",
    "ja-text.md": "# 日本語のテキスト\n\nこれは日本語のテキストです。所有権と借用について"
    "説明します。\n\n## カタカナ\n\nテキストエディタでコードを書きます。"
    "コンパイラがエラーを報告します。\n",
    "th-text.md": "# ภาษาไทย\n\nภาษาไทยไม่มีการเว้นวรรคระหว่างคำ การค้นหาต้องพบคำย่อย\n",
    "ko-text.md": "# 한국어\n\n소유권과 빌림 검사기를 설명합니다. 컴파일러가 오류를 보고합니다.\n",
}


def _paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[:1].upper() + text[1:] + "."


def chapter_text(rng: random.Random, number: int, size: int = 3000) -> str:
    lines = [f"# Chapter {number}: {rng.choice(WORDS)} and {rng.choice(WORDS)}", ""]
    section = 0
    while sum(len(line) + 1 for line in lines) < size:
        if rng.random() < 0.25:
            section += 1
            lines += [f"## {rng.choice(WORDS).title()} {rng.choice(WORDS)} {section}", ""]
        if rng.random() < 0.2:
            lines += ["```", rng.choice(CODE), "```", ""]
        else:
            lines += [_paragraph(rng, rng.randint(20, 60)), ""]
    return "\n".join(lines)


def write_generated_book(root: Path, chapters: int, seed: int = 14) -> Path:
    """A book of ``chapters`` chapters of about 3 KB each; returns its folder."""
    rng = random.Random(seed)
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (root / "book.toml").write_text(f'[book]\ntitle = "Generated {chapters}"\n', encoding="utf-8")
    summary = ["# Summary", ""]
    for number in range(1, chapters + 1):
        name = f"ch{number:05d}.md"
        (src / name).write_text(chapter_text(rng, number), encoding="utf-8")
        summary.append(f"- [Chapter {number}]({name})")
    (src / "SUMMARY.md").write_text("\n".join(summary) + "\n", encoding="utf-8")
    return root


def write_cjk_book(root: Path) -> Path:
    """Chinese, Japanese, Thai and Korean chapters, plus an English one."""
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (root / "book.toml").write_text('[book]\ntitle = "CJK"\n', encoding="utf-8")
    chapters = {**CJK_CHAPTERS, "en.md": "# English\n\nOwnership and borrowing in English.\n"}
    summary = ["# Summary", ""]
    for name, text in chapters.items():
        (src / name).write_text(text, encoding="utf-8")
        summary.append(f"- [{text.splitlines()[0][2:]}]({name})")
    (src / "SUMMARY.md").write_text("\n".join(summary) + "\n", encoding="utf-8")
    return root


def write_huge_chapter_book(root: Path, megabytes: float = 5.0, seed: int = 14) -> Path:
    """One chapter of ``megabytes`` MB of prose with no subheading."""
    rng = random.Random(seed)
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (root / "book.toml").write_text('[book]\ntitle = "Huge"\n', encoding="utf-8")
    lines = ["# Huge chapter", ""]
    size, limit = 0, int(megabytes * 1024 * 1024) - 200
    while size < limit:
        line = _paragraph(rng, 60)
        lines += [line, ""]
        size += len(line) + 2
    (src / "huge.md").write_text("\n".join(lines), encoding="utf-8")
    (src / "SUMMARY.md").write_text("# Summary\n\n- [Huge](huge.md)\n", encoding="utf-8")
    return root
