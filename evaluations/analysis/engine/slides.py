"""Slide changes in a video and the courseware page each stretch shows.

Each frame and each PDF page (rendered with pypdfium2) is reduced to a perceptual fingerprint: a 32x18 grey
thumbnail (box-averaged, so noise, compression and small text vanish). A 256-bit difference hash (dHash) was
tried first, but slides are mostly flat white, where dHash bits carry no information; two different pages of a
deck were as close as 29 of 256 bits. Thumbnails compare by how many of their pixels differ clearly (a change)
and by mean absolute difference (which page)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

THUMB = (32, 18)
PIXEL_CHANGED = 12  # grey levels


def fingerprint(grey: np.ndarray) -> np.ndarray:
    """32x18 box-averaged grey thumbnail, as int16 so differences do not wrap."""
    return np.asarray(Image.fromarray(grey).resize(THUMB, Image.Resampling.BOX), dtype=np.int16)


def changed_share(a: np.ndarray, b: np.ndarray) -> float:
    """Share of thumbnail pixels that differ clearly: a speaker moving in a corner changes few, a new slide many."""
    return float(np.mean(np.abs(a - b) > PIXEL_CHANGED))


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute grey-level difference of two fingerprints."""
    return float(np.mean(np.abs(a - b)))


def page_hashes(pdf_path: str, *, frame_width: int, frame_height: int) -> list[np.ndarray]:
    """Hash of every page, letterboxed into the video's frame shape as a screen recording shows it."""
    import pypdfium2

    hashes = []
    pdf = pypdfium2.PdfDocument(pdf_path)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            width, height = page.get_size()
            scale = min(frame_width / width, frame_height / height)
            image = page.render(scale=scale).to_pil().convert("L")
            page.close()
            canvas = Image.new("L", (frame_width, frame_height), 0)
            canvas.paste(image, ((frame_width - image.width) // 2, (frame_height - image.height) // 2))
            hashes.append(fingerprint(np.asarray(canvas)))
    finally:
        pdf.close()
    return hashes


@dataclass
class SlideTracker:
    """Follows the sampled frames; a change is a frame far from the current slide that the next frame confirms."""

    change_share: float = 0.15
    segments: list[dict] = field(default_factory=list)  # start, hash
    _reference: np.ndarray | None = None
    _candidate: tuple[float, np.ndarray] | None = None
    changes: set[float] = field(default_factory=set)

    def feed(self, time: float, grey: np.ndarray) -> bool:
        """Returns True when this frame confirms a slide change."""
        h = fingerprint(grey)
        if self._reference is None:
            self._reference = h
            self.segments.append({"start": 0.0, "hash": h})
            return False
        if changed_share(h, self._reference) <= self.change_share:
            self._candidate = None
            return False
        if self._candidate is None:
            self._candidate = (time, h)
            return False
        start, first = self._candidate
        if changed_share(h, first) <= self.change_share:
            self._reference = h
            self.segments.append({"start": start, "hash": h})
            self.changes.add(start)
            self._candidate = None
            return True
        self._candidate = (start, h)  # still moving (a transition): keep its start, wait for a still frame
        return False


def match_segments(
    segments: list[dict], pages: list[np.ndarray], duration: float, *, match_distance: float
) -> list[dict]:
    """Each stretch with its page (1-based, None when no page is close); neighbours on the same page merge."""
    out: list[dict] = []
    for i, seg in enumerate(segments):
        end = segments[i + 1]["start"] if i + 1 < len(segments) else duration
        page = None
        if pages:
            dists = [distance(seg["hash"], p) for p in pages]
            best = int(np.argmin(dists))
            page = best + 1 if dists[best] <= match_distance else None
        if out and out[-1]["page"] == page:
            out[-1]["end"] = round(end, 2)
        else:
            out.append({"start": round(seg["start"], 2), "end": round(end, 2), "page": page})
    for seg in out:
        seg["length"] = round(seg["end"] - seg["start"], 2)
    return out


def time_per_page(segments: list[dict], page_count: int) -> list[dict]:
    totals = {n: 0.0 for n in range(1, page_count + 1)}
    for seg in segments:
        if seg["page"] is not None:
            totals[seg["page"]] = totals.get(seg["page"], 0.0) + seg["length"]
    return [{"page": n, "seconds": round(s, 1)} for n, s in sorted(totals.items())]


def time_per_section(sections: list[dict], duration: float, *, segments: list[dict] | None = None) -> list[dict]:
    """Seconds spent per outline section. `sections` are dicts with `title` and either `start` (seconds, marked
    by hand on an audio recording) or `first_page` (1-based, for a video matched to the courseware)."""
    out = []
    if segments is not None:
        ordered = sorted(sections, key=lambda s: s["first_page"])
        for i, sec in enumerate(ordered):
            last = ordered[i + 1]["first_page"] - 1 if i + 1 < len(ordered) else 10**9
            pages = range(sec["first_page"], last + 1)
            spent = sum(s["length"] for s in segments if s["page"] in pages)
            first = min((s["start"] for s in segments if s["page"] in pages), default=None)
            row = {"title": sec["title"], "start": first, "seconds": round(spent, 1), **_planned(sec)}
            if sec.get("page"):
                row["page"] = True
            out.append(row)
        return out
    ordered = sorted(sections, key=lambda s: s["start"])
    for i, sec in enumerate(ordered):
        end = ordered[i + 1]["start"] if i + 1 < len(ordered) else duration
        out.append(
            {
                "title": sec["title"],
                "start": sec["start"],
                "seconds": round(max(0.0, end - sec["start"]), 1),
                **_planned(sec),
            }
        )
    return out


def _planned(section: dict) -> dict:
    return {"planned": section.get("planned")} if section.get("planned") is not None else {}
