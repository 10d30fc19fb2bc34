"""Files a person might upload, made in the test: CSV tables and zips of class folders of
drawn shapes (circles, squares and crosses), plus zips with whatever entries a test needs."""
from __future__ import annotations

import io
import zipfile

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("circle", "cross", "square")


def png(kind: str = "circle", k: int = 0, size: int = 24, colour: bool = False,
        fmt: str = "PNG") -> bytes:
    """One drawn shape, placed and sized a little differently for each k."""
    img = Image.new("RGB" if colour else "L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    ink = (255, 200, 40) if colour else 255
    a, b = 3 + k % 4, size - 4 - (k // 4) % 4
    if kind == "circle":
        draw.ellipse((a, a, b, b), outline=ink, width=2)
    elif kind == "square":
        draw.rectangle((a, a, b, b), outline=ink, width=2)
    else:
        draw.line((a, a, b, b), fill=ink, width=2)
        draw.line((a, b, b, a), fill=ink, width=2)
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def shapes_zip(per_class: int = 12, prefix: str = "", classes=SHAPES, colour: bool = False,
               extra: dict[str, bytes] | None = None) -> bytes:
    entries = {f"{prefix}{cls}/{cls}{k}.png": png(cls, k, colour=colour)
               for cls in classes for k in range(per_class)}
    return zip_of({**entries, **(extra or {})})


def table_csv(rows: int = 60, seed: int = 0, header: str = "width,height,weight,kind") -> bytes:
    """Two separable classes (small and big) in three numeric columns and a text label."""
    rng = np.random.default_rng(seed)
    lines = [header] if header else []
    for i in range(rows):
        big = i % 2
        w, h = rng.normal(2 + 3 * big, 0.5, 2)
        lines.append(f"{w:.3f},{h:.3f},{rng.normal(10, 1):.3f},{'big' if big else 'small'}")
    return ("\n".join(lines) + "\n").encode()


def stored(folder, upload_id: str, X: np.ndarray, y: np.ndarray, kind: str, class_names):
    """Arrays written as the server's uploads store writes them; their UploadInfo."""
    from engine.data import uploaded
    counts = [int((y == k).sum()) for k in range(len(class_names))]
    meta = {"kind": kind, "shape": list(X.shape[1:]), "class_names": list(class_names),
            "counts": counts}
    uploaded.write(folder / upload_id, X, y, meta)
    return uploaded.info_of(upload_id, folder / upload_id, meta)
