"""Body movement estimated from frame differences in the speaker's region of the picture.

This is motion energy, not pose: the MediaPipe wheels of today (1.x) ship no pose model (their pose landmarker
needs a downloaded .task file) and the last wheel that bundled one (0.10.14) needs numpy 1 and jax. So the engine
measures how much the picture changes where the speaker is, and says so on the page. Facing the room is not
measured."""

from __future__ import annotations

import numpy as np

CELL = 16  # pixels of the 256x144 working frame


class MotionTracker:
    """Per grid cell, the mean absolute grey-level change between consecutive sampled frames."""

    def __init__(self) -> None:
        self._previous: np.ndarray | None = None
        self.times: list[float] = []
        self.cells: list[np.ndarray] = []

    def feed(self, time: float, grey: np.ndarray, *, slide_change: bool) -> None:
        frame = grey.astype(np.int16)
        if self._previous is not None and self._previous.shape == frame.shape:
            diff = np.abs(frame - self._previous)
            h, w = diff.shape
            grid = (
                diff[: h // CELL * CELL, : w // CELL * CELL].reshape(h // CELL, CELL, w // CELL, CELL).mean(axis=(1, 3))
            )
            if slide_change:
                grid = np.full(grid.shape, np.nan)  # a new slide is not a movement of the speaker
            self.times.append(time)
            self.cells.append(grid.astype(np.float32))
        self._previous = frame

    def result(self, duration: float, *, threshold: float, still_min_seconds: float) -> dict | None:
        if len(self.cells) < 4:
            return None
        cells = np.stack(self.cells)  # samples x rows x cols
        times = np.asarray(self.times)
        activity = np.nanmean(cells, axis=0)
        if not np.isfinite(activity).any() or np.nanmax(activity) < threshold / 4:
            return {"method": "frame_difference", "speaker_found": False}
        # The speaker's region: the cells that move at least a third as much as the busiest cell.
        region = activity >= np.nanmax(activity) / 3
        rows, cols = np.nonzero(region)
        box = [
            int(cols.min() * CELL),
            int(rows.min() * CELL),
            int((cols.max() + 1) * CELL),
            int((rows.max() + 1) * CELL),
        ]
        picked = cells[:, region]
        valid = np.isfinite(picked).all(axis=1)
        energy = np.where(valid, np.nan_to_num(picked).mean(axis=1), 0.0)
        moving = (energy >= threshold) & valid
        starts = np.flatnonzero(moving[1:] & ~moving[:-1]) + 1
        gestures = starts.size + int(moving[0])
        per_minute = []
        for m in range(int(np.ceil(duration / 60)) or 1):
            inside = (times >= m * 60) & (times < (m + 1) * 60)
            per_minute.append(
                {
                    "start": m * 60,
                    "energy": round(float(energy[inside].mean()), 2) if inside.any() else 0.0,
                    "moving_share": round(float(moving[inside].mean()), 3) if inside.any() else 0.0,
                    "gestures": int(((times[starts] >= m * 60) & (times[starts] < (m + 1) * 60)).sum()),
                }
            )
        still = []
        run_start = None
        for t, mv in zip(times, moving, strict=False):
            if not mv and run_start is None:
                run_start = t
            elif mv and run_start is not None:
                if t - run_start >= still_min_seconds:
                    still.append({"start": round(run_start, 1), "end": round(t, 1)})
                run_start = None
        if run_start is not None and times[-1] - run_start >= still_min_seconds:
            still.append({"start": round(run_start, 1), "end": round(float(times[-1]), 1)})
        timeline = [
            [round(float(times[i]), 1), round(float(energy[i : i + 4].mean()), 2)] for i in range(0, len(times), 4)
        ]
        return {
            "method": "frame_difference",
            "speaker_found": True,
            "region": box,
            "moving_share": round(float(moving.mean()), 3),
            "gestures_per_minute": round(gestures / max(duration / 60, 1e-9), 1),
            "per_minute": per_minute,
            "still": still,
            "timeline": timeline,
        }
