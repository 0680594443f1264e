"""The one exception the engine raises for input it cannot analyse."""

from __future__ import annotations

# Chinese messages live here because the engine imports no Django; the web layer maps each code to a
# translated message of its own, and these stay the text for command-line and task-log use.
MESSAGES: dict[str, str] = {
    "empty_file": "文件为空，请上传授课录音或录像。",
    "not_media": "无法识别的文件：请上传 MP3、M4A、WAV 音频或 MP4 视频。",
    "no_audio": "视频中没有声音，无法分析语速和语调，请上传带声音的录像。",
    "zero_length": "录音时长为 0 秒，请上传完整的授课录音。",
    "too_short": "录音太短（不足 {min_seconds} 秒），无法得出可靠的分析结果。",
    "too_long": "录音时长 {minutes} 分钟，超过上限 {max_minutes} 分钟，请剪辑后上传。",
    "too_large": "文件大小 {size_mb} MB，超过上限 {max_mb} MB。",
    "no_speech": "录音中几乎没有检测到讲话（可能是静音或纯音乐），无法分析。",
    "decode_failed": "文件已损坏或编码不受支持，解码失败。",
}


class AnalysisError(Exception):
    """Input the engine refuses, with a stable `code` and a Chinese message."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        self.message = MESSAGES[code].format(**params)
        super().__init__(self.message)
