"""A person's own text for the character model (`data.text`): its checks, vocabulary, split
by position, the session trained on it, its link and its export."""
import json
import runpy

import pytest
import torch

from trainkit import trained

from engine.data.heldout import text_spans
from engine.data.registry import draw_split
from engine.data.sequences import CORPUS, VOCAB
from engine.data.usertext import (MAX_TEXT_BYTES, MAX_TEXT_CHARS, MAX_URL_TEXT, MAX_VOCAB,
                                  MIN_TEXT_CHARS, vocabulary)
from engine.export.files import export
from engine.frames.sequences import probe
from engine.spec.parse import parse_spec
from engine.spec.types import SpecError
from engine.spec.urlcodec import hash_to_raw, spec_to_hash

POEM = ("Quick brown foxes leap over lazy dogs; Zebras quietly jump.\n"
        "Vexing wizards box their juicy quarts!\n") * 6          # 594 characters
SMALL = {"samples": 200, "seq_length": 12}
FAST = {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32}


def text_spec(text, **data):
    return {"data": {"dataset": "text", "text": text, **SMALL, **data},
            "model": {"layers": [{"kind": "embedding", "dim": 8}, {"kind": "lstm", "units": 24}]},
            "training": FAST}


def errors_of(raw) -> list[dict]:
    with pytest.raises(SpecError) as info:
        parse_spec(raw)
    return info.value.errors


def test_the_text_becomes_the_vocabulary_and_the_classes():
    spec = parse_spec(text_spec(POEM))
    assert spec.data.text == POEM
    assert spec.data.vocab == tuple(sorted(set(POEM))) and len(spec.data.vocab) > 30
    assert spec.data.classes == len(spec.data.vocab)
    assert spec.to_dict()["data"]["text"] == POEM
    built_in = parse_spec({"data": {"dataset": "text"}})
    assert built_in.data.vocab == VOCAB and "text" not in built_in.to_dict()["data"]


def test_line_ends_and_tabs_are_mapped():
    spec = parse_spec(text_spec(POEM.replace("\n", "\r\n").replace(" ", "\t", 3)))
    assert "\r" not in spec.data.text and "\t" not in spec.data.text
    assert spec.data.text.replace(" ", "") == POEM.replace(" ", "")


@pytest.mark.parametrize("text, message", [
    ("short text", f"data.text: 10 characters is outside {MIN_TEXT_CHARS} to {MAX_TEXT_CHARS:,}"),
    ("a" * (MAX_TEXT_CHARS + 1), f"data.text: {MAX_TEXT_CHARS + 1:,} characters is outside"),
    ("€€€ab" * 3700, f"data.text: 40,700 bytes of UTF-8 is above the maximum {MAX_TEXT_BYTES:,}"),
    ("".join(chr(0x100 + i) for i in range(MAX_VOCAB + 1)) * 2,
     f"data.text: {MAX_VOCAB + 1} distinct characters is outside 3 to {MAX_VOCAB} (lower-case"),
    ("ab" * 100, "data.text: 2 distinct characters is outside 3 to 96"),
    (12, "data.text: 12 is not text"),
])
def test_limits_are_refused_with_the_limit(text, message):
    assert any(e["message"].startswith(message) and e["path"] == "data.text"
               for e in errors_of(text_spec(text))), errors_of(text_spec(text))


def test_a_control_character_is_named_by_its_position():
    text = POEM[:70] + "\x07" + POEM[70:] + "\u200b"
    messages = [e["message"] for e in errors_of(text_spec(text))]
    assert messages[0] == ("data.text: character 71 (line 2, column 11) is U+0007 (a control "
                           "character), which is not printable text; remove it")
    assert messages[1].startswith(f"data.text: character {len(POEM) + 2} (line 13, column 1) "
                                  f"is U+200B (zero width space)")


def test_a_lone_surrogate_is_named():
    messages = [e["message"] for e in errors_of(text_spec(POEM + "\ud800"))]
    assert messages == [f"data.text: character {len(POEM) + 1} is U+D800, half of a surrogate "
                        f"pair, which is not text; remove it"]


def test_other_datasets_take_no_text():
    assert errors_of({"data": {"dataset": "circle", "text": POEM}})[0]["message"] == (
        "data.text: circle draws its own data; only the character model (text) takes a text")


def test_a_sequence_longer_than_a_part_of_the_text_is_refused():
    errors = errors_of(text_spec(POEM[:150], seq_length=80, train_ratio=50))
    assert errors[0]["path"] == "data.seq_length" and "holds only 75" in errors[0]["message"]


def test_the_split_keeps_train_windows_in_the_first_part_and_test_in_the_tail():
    text = "".join(chr(ord("a") + i % 26) + ("\n" if i % 40 == 39 else "") for i in range(3000))
    drawn = draw_split("text", 300, 0, 5, seq_length=20, train_ratio=70, validation_ratio=20,
                       text=text)
    vocab = vocabulary(text)
    spans = text_spans(len(text), 70, 20)
    whole = "".join(text)
    for part, (a, b) in zip((drawn.train, drawn.val, drawn.test), spans):
        assert len(part)
        for row in drawn.X[part]:
            window = "".join(vocab[i] for i in row)
            start = whole.find(window, a)
            assert a <= start and start + len(window) <= b, (window, a, b)


def test_a_session_learns_the_text_and_writes_with_its_characters():
    s = trained(text_spec(POEM), 1)
    first = s.metrics["test_loss"]
    for _ in range(8):
        s.train_epoch()
    s.refresh()
    assert s.metrics["test_loss"] < first
    _, scalars = probe(s, {"text"}, prompt="Vex")
    sample = scalars["text"]["sample"]
    assert len(sample) == 200 and set(sample) <= set(POEM)
    assert scalars["text"]["prompt"] == "Vex"


def test_the_link_carries_a_short_text_and_leaves_a_long_one_out():
    spec = parse_spec(text_spec(POEM + "& = % # ;"))
    again = parse_spec(hash_to_raw(spec_to_hash(spec.to_dict())))
    assert again == spec
    long = parse_spec(text_spec("abc " * (MAX_URL_TEXT // 4 + 1)))
    assert "text=" not in spec_to_hash(long.to_dict())


def test_the_export_writes_the_text_beside_model_py_and_reads_it(tmp_path):
    s = trained(text_spec(POEM), 1)
    paths = export(s, tmp_path)
    assert (tmp_path / "text.txt").read_text(encoding="utf-8") == POEM
    assert "text.txt" in {p.name for p in paths.values()}
    assert json.loads((tmp_path / "spec.json").read_text())["data"]["text"] == POEM
    ns = runpy.run_path(str(tmp_path / "model.py"), run_name="exported")
    data = ns["load_data"]()
    for split in ("train", "test"):
        assert torch.equal(data[split][0], s.splits[split].x.cpu())
    assert ns["vocabulary"](POEM) == s.spec.data.vocab
    assert CORPUS[:40] not in (tmp_path / "model.py").read_text()     # not the rhymes
