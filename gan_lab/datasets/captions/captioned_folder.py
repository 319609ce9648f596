"""A folder of images with captions (CUB-200, Oxford-102 and the like, or your own).

Captions come from ``captions.jsonl`` in the folder (one ``{"file": "<path relative to the
folder>", "text": "..."}`` per line; a file may appear on several lines) and/or from a ``.txt``
file beside each image with the same stem (one caption per non-empty line). Every image needs
at least one caption unless ``skip_uncaptioned``. With several captions, each item draws one
from its own generator (:func:`gan_lab.datasets.resumable_sampler.item_generator`), so a resumed
run sees the same caption for the same (epoch, index) as an uninterrupted one.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch

from gan_lab.datasets.image_folder import DEFAULT_EXTENSIONS, ImageFolderImages
from gan_lab.datasets.resumable_sampler import item_generator
from gan_lab.errors import EmptyDatasetError, GanLabError
from gan_lab.text.tokenizer import HashedWordTokenizer

CAPTIONS_FILE = "captions.jsonl"


def read_captions(root: Path, images: list[Path], captions_file: str = CAPTIONS_FILE) -> dict[Path, list[str]]:
    """Captions per image path (lists in file order: the jsonl lines, then the ``.txt`` lines)."""
    captions: dict[Path, list[str]] = {path: [] for path in images}
    jsonl = root / captions_file
    if jsonl.is_file():
        unknown = []
        for number, line in enumerate(jsonl.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                path, text = (root / str(entry["file"])).resolve(), str(entry["text"])
            except (ValueError, KeyError, TypeError) as err:
                raise GanLabError(
                    f'{jsonl} line {number} is not a JSON object with "file" and "text" ({type(err).__name__}: '
                    f'{err}); each line must look like {{"file": "images/0001.jpg", "text": "a red bird"}}'
                ) from None
            if path in captions:
                captions[path].append(text)
            else:
                unknown.append(str(entry["file"]))
        if unknown:
            warnings.warn(
                f"{len(unknown)} caption(s) in {jsonl} name no image of the folder, e.g. {unknown[0]}", stacklevel=2
            )
    for path in images:
        text_file = path.with_suffix(".txt")
        if text_file.is_file():
            captions[path] += [
                line.strip() for line in text_file.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
    return captions


class CaptionedImageFolder(ImageFolderImages):
    """Args: root, image_size, channels, extensions, skip_corrupt (as :class:`ImageFolderImages`);
    tokenizer: ``{buckets, max_words}``; captions_file: the jsonl's name in ``root``;
    skip_uncaptioned: drop images without captions (else a :class:`GanLabError`).
    Items: ``{"real", "caption" (int64 [max_words]), "label" (sub-folder class or -1)}``."""

    provides = ("real", "caption", "label")

    def __init__(
        self,
        root: str,
        image_size: int,
        channels: int,
        tokenizer: dict[str, int] | None = None,
        captions_file: str = CAPTIONS_FILE,
        skip_uncaptioned: bool = False,
        extensions: tuple[str, ...] = DEFAULT_EXTENSIONS,
        skip_corrupt: bool = False,
    ) -> None:
        super().__init__(root, image_size, channels, extensions, skip_corrupt)
        paths = [path.resolve() for path, _ in self.samples]
        captions = read_captions(self.root, paths, captions_file)
        missing = [path for path in paths if not captions[path]]
        if missing and not skip_uncaptioned:
            raise EmptyDatasetError(
                f"{len(missing)} of {len(paths)} images under {self.root} have no caption (e.g. {missing[0]}): give "
                f'each one lines in {self.root / captions_file} ({{"file": ..., "text": ...}}) or a .txt file '
                "beside it, or set dataset.skip_uncaptioned=true to leave them out"
            )
        keep = [i for i, path in enumerate(paths) if captions[path]]
        if not keep:
            raise EmptyDatasetError(f"no image under {self.root} has a caption ({captions_file} or .txt files)")
        self.samples = [self.samples[i] for i in keep]
        self.targets = self.targets[keep]
        self.captions = [captions[paths[i]] for i in keep]
        self.tokenizer = HashedWordTokenizer(**(tokenizer or {}))

    def caption_texts(self, index: int) -> list[str]:
        return list(self.captions[index])

    def __getitem__(self, index: int) -> dict:
        image, label = super().__getitem__(index)
        texts = self.captions[index]
        choice = int(torch.randint(len(texts), (), generator=item_generator(index))) if len(texts) > 1 else 0
        return {"real": image, "caption": self.tokenizer(texts[choice]), "label": int(label)}
