"""`nn-playground train --data FILE.txt`: the character model on a text file, and every refusal
naming the byte, character or limit."""
from __future__ import annotations

import json

from serverkit import run_main

TEXT = "Sing a song of sixpence, a pocket full of rye.\nFour and twenty blackbirds!\n" * 5
SMALL = '{"data": {"dataset": "text", "samples": 100, "seq_length": 10}}'


def test_train_takes_a_text_file_with_data_and_exports_it(tmp_path, capsys):
    path = tmp_path / "rhyme.txt"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode())    # Windows-saved
    code, out, err = run_main(["train", SMALL, "--data", str(path), "--epochs", "1", "--json",
                               "--lowercase", "--export", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert json.loads(out)["epochs"] == 1
    spec = json.loads((tmp_path / "out" / "spec.json").read_text())
    assert spec["data"]["text"] == TEXT.lower() and spec["data"]["samples"] == 100
    assert (tmp_path / "out" / "text.txt").read_text(encoding="utf-8") == TEXT.lower()


def test_a_bad_text_file_is_named_with_its_byte_or_character(tmp_path, capsys):
    cases = {"latin1.txt": (TEXT + "café").encode("latin-1"),
             "bell.txt": (TEXT[:30] + "\x07" + TEXT[30:]).encode(),
             "short.txt": b"too short"}
    messages = {"latin1.txt": f"byte {len(TEXT) + 4} is not UTF-8 text (0xE9); save the file as UTF-8",
                "bell.txt": "data.text: character 31 (line 1, column 31) is U+0007",
                "short.txt": "data.text: 9 characters is outside 100 to 20,000"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        code, _, err = run_main(["train", SMALL, "--data", str(tmp_path / name), "--epochs", "1"],
                                capsys)
        assert code == 2 and f"{tmp_path / name}: {messages[name]}" in err, err
