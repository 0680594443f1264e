"""Plain-Chinese suggestions from rules whose thresholds come from the settings; each points at a moment."""

from __future__ import annotations

from .settings import AnalysisSettings


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _minute_runs(rows: list[dict], test) -> list[list[dict]]:
    runs: list[list[dict]] = []
    for i, row in enumerate(rows):
        if test(row):
            if runs and runs[-1][-1]["_i"] == i - 1:
                runs[-1].append({**row, "_i": i})
            else:
                runs.append([{**row, "_i": i}])
    return runs


def _span(run: list[dict]) -> str:
    first, last = run[0]["_i"] + 1, run[-1]["_i"] + 1
    return f"第 {first} 分钟" if first == last else f"第 {first}–{last} 分钟"


def build(result: dict, settings: AnalysisSettings) -> list[dict]:
    """Suggestions as dicts: code, start, end (seconds), params and the Chinese text."""
    out: list[dict] = []
    s = settings
    rows = result["pace"]["per_minute"]
    for run in _minute_runs(rows, lambda r: r["talk_share"] >= 0.3 and r["rate"] > s.pace_high):
        rate = round(sum(r["rate"] for r in run) / len(run))
        params = {"span": _span(run), "rate": rate, "low": round(s.pace_low), "high": round(s.pace_high)}
        text = "{span}语速 {rate} 字/分，高于建议范围（{low}–{high}），重点处可放慢、留出停顿。".format(**params)
        out.append(
            {"code": "pace_fast", "start": run[0]["start"], "end": run[-1]["end"], "params": params, "text": text}
        )
    for run in _minute_runs(rows, lambda r: r["talk_share"] >= 0.5 and r["rate"] < s.pace_low):
        rate = round(sum(r["rate"] for r in run) / len(run))
        params = {"span": _span(run), "rate": rate, "low": round(s.pace_low), "high": round(s.pace_high)}
        text = "{span}语速 {rate} 字/分，低于建议范围（{low}–{high}），可适当加快节奏。".format(**params)
        out.append(
            {"code": "pace_slow", "start": run[0]["start"], "end": run[-1]["end"], "params": params, "text": text}
        )
    for stretch in result["intonation"]["monotone"]:
        params = {"from": clock(stretch["start"]), "to": clock(stretch["end"]), "variation": stretch["variation"]}
        text = "{from}–{to} 语调平淡（音高变化仅 {variation} 半音），可用重音和升降调突出重点。".format(**params)
        out.append(
            {"code": "monotone", "start": stretch["start"], "end": stretch["end"], "params": params, "text": text}
        )
    for pause in result["pauses"]["long"]:
        params = {"at": clock(pause["start"]), "length": round(pause["length"], 1)}
        text = "{at} 处停顿 {length} 秒，长时间沉默容易让学员走神，可用提问或过渡语衔接。".format(**params)
        out.append({"code": "long_pause", "start": pause["start"], "end": pause["end"], "params": params, "text": text})
    share = result["pauses"]["talk_share"]
    if share < s.talk_share_low:
        params = {"share": round(share * 100)}
        text = "讲话时间只占录音的 {share}%，停顿和空白偏多。".format(**params)
        out.append({"code": "talk_share", "start": 0.0, "end": None, "params": params, "text": text})
    for section in result.get("sections") or []:
        # A page of its own (no outline) is flagged only when it never appeared: many slides take under a minute.
        limit = 0.5 if section.get("page") else s.section_rushed_seconds
        if section["seconds"] < limit:
            params = {"title": section["title"], "seconds": round(section["seconds"])}
            if section["seconds"] == 0:
                text = "「{title}」没有讲到（录像中未出现对应课件页）。".format(**params)
                code = "section_skipped"
            else:
                text = "「{title}」只讲了 {seconds} 秒，可能讲得过快。".format(**params)
                code = "section_rushed"
            out.append(
                {"code": code, "start": section.get("start") or 0.0, "end": None, "params": params, "text": text}
            )
    motion = result.get("motion") or {}
    for still in motion.get("still", []):
        params = {"from": clock(still["start"]), "to": clock(still["end"])}
        text = "{from}–{to} 几乎没有肢体动作（画面差分估计），可适当走动或配合手势。".format(**params)
        out.append({"code": "still", "start": still["start"], "end": still["end"], "params": params, "text": text})
    out.sort(key=lambda x: x["start"] or 0.0)
    return out
