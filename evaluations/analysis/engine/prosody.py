"""Pitch and intensity tracks with Praat (praat-parselmouth), computed chunk by chunk on a 10 ms grid, and syllable
nuclei after the method of de Jong & Wempe (2009): peaks of intensity that stand out from the dip before the next
peak by a minimum dip, lie above a silence threshold relative to the loud end of the recording, and are voiced."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import parselmouth

from .decode import SAMPLE_RATE

STEP = 0.01
PITCH_FLOOR = 60.0
PITCH_CEILING = 500.0
INTENSITY_MIN_PITCH = 50.0
OVERLAP = 1.0  # seconds of the previous chunk analysed again, so frames at chunk edges are computed whole


@dataclass
class Tracks:
    """Frame times (s), pitch in Hz (0 = unvoiced) and intensity in dB, one value per 10 ms."""

    times: np.ndarray
    pitch: np.ndarray
    intensity: np.ndarray


class ProsodyTracker:
    """Feeds chunks through Praat's pitch and intensity analyses and keeps only the small per-frame arrays."""

    def __init__(self) -> None:
        self._tail = np.zeros(0, dtype=np.float64)
        self._position = 0  # samples fed so far
        self._times: list[np.ndarray] = []
        self._pitch: list[np.ndarray] = []
        self._intensity: list[np.ndarray] = []

    def _analyse(self, samples: np.ndarray, start: float, keep_from: float, keep_to: float) -> None:
        if samples.size < int(0.2 * SAMPLE_RATE):
            return
        sound = parselmouth.Sound(samples, sampling_frequency=SAMPLE_RATE, start_time=start)
        # Frames on one global 10 ms grid, so chunks line up without gaps or doubles.
        first = np.ceil(max(keep_from, start) / STEP - 1e-9) * STEP
        grid = np.arange(first, keep_to - 1e-9, STEP)
        if grid.size == 0:
            return
        pitch = sound.to_pitch_ac(time_step=STEP, pitch_floor=PITCH_FLOOR, pitch_ceiling=PITCH_CEILING)
        intensity = sound.to_intensity(minimum_pitch=INTENSITY_MIN_PITCH, time_step=STEP, subtract_mean=False)
        f0 = pitch.selected_array["frequency"]
        f0_times = pitch.xs()
        index = np.clip(np.round((grid - f0_times[0]) / STEP).astype(int), 0, f0.size - 1)
        f0_on_grid = np.where(np.abs(f0_times[index] - grid) <= STEP / 2 + 1e-6, f0[index], 0.0)
        db = intensity.values[0]
        db_on_grid = np.interp(grid, intensity.xs(), db, left=np.nan, right=np.nan)
        self._times.append(grid)
        self._pitch.append(f0_on_grid)
        self._intensity.append(db_on_grid)

    def feed(self, chunk: np.ndarray) -> None:
        chunk = chunk.astype(np.float64, copy=False)
        start = self._position / SAMPLE_RATE - self._tail.size / SAMPLE_RATE
        end = (self._position + chunk.size) / SAMPLE_RATE
        data = np.concatenate([self._tail, chunk])
        self._analyse(data, start, self._position / SAMPLE_RATE - OVERLAP / 2, end - OVERLAP / 2)
        self._position += chunk.size
        self._tail = data[-int(OVERLAP * SAMPLE_RATE) :]

    def finish(self) -> Tracks:
        end = self._position / SAMPLE_RATE
        if self._tail.size:
            self._analyse(self._tail, end - self._tail.size / SAMPLE_RATE, end - OVERLAP / 2, end)
        if not self._times:
            empty = np.zeros(0)
            return Tracks(empty, empty, empty)
        times = np.concatenate(self._times)
        intensity = np.concatenate(self._intensity)
        # Praat leaves the outermost half-window undefined; fill with the quietest defined value.
        floor = np.nanmin(intensity) if np.isfinite(intensity).any() else 0.0
        return Tracks(times, np.concatenate(self._pitch), np.nan_to_num(intensity, nan=floor))


def syllable_nuclei(tracks: Tracks, *, silence_db: float = -25.0, min_dip_db: float = 2.0) -> np.ndarray:
    """Times of syllable nuclei (de Jong & Wempe 2009)."""
    db = tracks.intensity
    if db.size < 3:
        return np.zeros(0)
    loud = np.quantile(db, 0.99)
    threshold = max(loud + silence_db, float(db.min()))
    # Local maxima (a plateau counts once, at its first frame).
    rising = np.diff(db) > 0
    peaks = np.flatnonzero(rising[:-1] & ~rising[1:] & (np.diff(db)[1:] <= 0)) + 1
    peaks = peaks[db[peaks] > threshold]
    if peaks.size == 0:
        return np.zeros(0)
    keep = np.ones(peaks.size, dtype=bool)
    for i in range(peaks.size - 1):
        dip = db[peaks[i] : peaks[i + 1] + 1].min()
        keep[i] = db[peaks[i]] - dip >= min_dip_db
    peaks = peaks[keep]
    voiced = tracks.pitch[peaks] > 0
    return tracks.times[peaks[voiced]]
