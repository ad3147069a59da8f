"""A small demo dataset of generated images, so the app shows something with no ImageNet.

33 real ILSVRC-2012 classes from several branches of WordNet (fish, birds, reptiles, dogs,
cats, big cats, vehicles, food, instruments, landforms), several of which reach ``entity``
along more than one path, in ``train`` and ``val`` splits. Images are drawn with Pillow:
a colour per class, some shapes, and the class name, so thumbnails are easy to tell apart.
"""

from __future__ import annotations

import colorsys
import os
import random
import shutil
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DEMO_VERSION = 1
DEMO_CLASSES = {
    "n01440764": "tench",
    "n01443537": "goldfish",
    "n01530575": "brambling",
    "n01531178": "goldfinch",
    "n01641577": "bullfrog",
    "n01682714": "American chameleon",
    "n01698640": "American alligator",
    "n02085620": "Chihuahua",
    "n02099601": "golden retriever",
    "n02106662": "German shepherd",
    "n02110958": "pug",
    "n02123045": "tabby cat",
    "n02123159": "tiger cat",
    "n02124075": "Egyptian cat",
    "n02129165": "lion",
    "n02129604": "tiger",
    "n02504458": "African elephant",
    "n02690373": "airliner",
    "n02701002": "ambulance",
    "n02814533": "beach wagon",
    "n03100240": "convertible",
    "n03417042": "garbage truck",
    "n03792782": "mountain bike",
    "n07747607": "orange",
    "n07749582": "lemon",
    "n07753592": "banana",
    "n07697537": "hotdog",
    "n07711569": "mashed potato",
    "n03452741": "grand piano",
    "n02787622": "banjo",
    "n04254680": "soccer ball",
    "n09472597": "volcano",
    "n09246464": "cliff",
}
SPLIT_SIZES = {"train": 12, "val": 3}
_SIZE = (320, 240)


def _draw(name: str, hue: float, seed: int, caption: str) -> Image.Image:
    rng = random.Random(seed)
    top = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.35, 0.95))
    bottom = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.8, 0.55))
    image = Image.new("RGB", _SIZE)
    draw = ImageDraw.Draw(image)
    width, height = _SIZE
    for y in range(height):
        t = y / (height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(rng.randint(3, 7)):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randint(12, 60)
        shade = tuple(
            int(c * 255)
            for c in colorsys.hsv_to_rgb(
                (hue + rng.uniform(-0.08, 0.08)) % 1, 0.6, rng.uniform(0.4, 1.0)
            )
        )
        box = [x - r, y - r, x + r, y + r]
        if rng.random() < 0.5:
            draw.ellipse(box, fill=shade, outline=(255, 255, 255))
        else:
            draw.rectangle(box, fill=shade, outline=(30, 30, 30))
    font = ImageFont.load_default(size=28)
    draw.rectangle([0, height - 64, width, height], fill=(0, 0, 0))
    draw.text((12, height - 60), name, fill=(255, 255, 255), font=font)
    draw.text((12, height - 26), caption, fill=(200, 200, 200), font=ImageFont.load_default(16))
    return image


def build_demo(cache_dir: Path) -> Path:
    """The demo dataset's folder, generating it on first use (about a second)."""
    target = cache_dir / f"demo-dataset-v{DEMO_VERSION}"
    if target.is_dir():  # only ever made by the rename below, so it is complete
        return target
    staging = cache_dir / f".demo-dataset-v{DEMO_VERSION}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    for class_no, (wnid, name) in enumerate(DEMO_CLASSES.items()):
        hue = class_no / len(DEMO_CLASSES)
        for split, count in SPLIT_SIZES.items():
            folder = staging / split / wnid
            folder.mkdir(parents=True)
            for i in range(count):
                seed = class_no * 1000 + i * 7 + (500 if split == "val" else 0)
                image = _draw(name, hue, seed, f"{wnid} · {split} #{i + 1}")
                image.save(folder / f"{wnid}_{split}_{i + 1:04d}.JPEG", quality=88)
    try:
        os.rename(staging, target)
    except OSError:  # another process finished first: use theirs
        shutil.rmtree(staging, ignore_errors=True)
        if not target.is_dir():
            raise
    return target
