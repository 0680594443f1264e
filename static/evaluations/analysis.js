// 授课分析: the charts (data from the json_script block "analysis-data") and the buttons that play the recording
// from a moment. Charts resize before printing.
(function () {
  "use strict";
  const node = document.getElementById("analysis-data");
  if (!node || typeof echarts === "undefined") return;
  const data = JSON.parse(node.textContent);
  const red = "#b3121f", blue = "#2a5d9f", grey = "#6c757d";
  const charts = [];
  const mmss = (s) => Math.floor(s / 60) + ":" + String(Math.round(s % 60)).padStart(2, "0");

  function draw(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    const chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(Object.assign({ animation: false, grid: { left: 44, right: 44, top: 28, bottom: 28 }, tooltip: { trigger: "axis" } }, option));
    charts.push(chart);
  }

  const minutes = data.pace.minutes;
  draw("chart-pace", {
    legend: { top: 0 },
    xAxis: { type: "category", data: minutes.map((m, i) => i + 1), name: "min" },
    yAxis: { type: "value", name: "字/分" },
    series: [
      { name: "语速", type: "bar", data: minutes.map((m) => m.rate), color: red,
        markArea: { silent: true, itemStyle: { color: "rgba(40,167,69,0.12)" }, data: [[{ yAxis: data.pace.low }, { yAxis: data.pace.high }]] } },
      { name: "清晰语速（不含停顿）", type: "line", data: minutes.map((m) => m.articulation), color: blue },
    ],
  });

  draw("chart-pitch", {
    xAxis: { type: "value", min: 0, max: data.duration, axisLabel: { formatter: mmss } },
    yAxis: { type: "value", name: "半音", min: -12, max: 12 },
    tooltip: { trigger: "axis", valueFormatter: (v) => v },
    series: [{ type: "line", showSymbol: false, data: data.pitch.track, color: blue, lineStyle: { width: 1 },
      markArea: { itemStyle: { color: "rgba(255,193,7,0.25)" }, data: data.pitch.monotone.map((m) => [{ xAxis: m.start, name: "语调平淡" }, { xAxis: m.end }]) } }],
  });

  draw("chart-variation", {
    legend: { top: 0 },
    xAxis: { type: "category", data: data.pitch.minutes.map((m, i) => i + 1) },
    yAxis: [{ type: "value", name: "半音" }, { type: "value", name: "dB" }],
    series: [
      { name: "音高变化", type: "line", data: data.pitch.minutes.map((m) => m.variation), color: blue },
      { name: "响度变化", type: "line", yAxisIndex: 1, data: data.pitch.minutes.map((m) => m.loudness), color: grey },
    ],
  });

  draw("chart-pauses", {
    xAxis: { type: "category", data: data.pauses.histogram.map((b) => b.to ? b.from + "–" + b.to + " s" : "≥ " + b.from + " s") },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.pauses.histogram.map((b) => b.count), color: grey }],
  });

  if (data.sections.length) {
    draw("chart-sections", {
      xAxis: { type: "value", name: "分钟" },
      yAxis: { type: "category", inverse: true, data: data.sections.map((s) => s.title) },
      grid: { left: 120, right: 30, top: 20, bottom: 28 },
      series: [{ type: "bar", data: data.sections.map((s) => +(s.seconds / 60).toFixed(1)), color: red }],
    });
  }
  if (data.slides.length) {
    draw("chart-slides", {
      xAxis: { type: "value", min: 0, max: data.duration, axisLabel: { formatter: mmss } },
      yAxis: { type: "value", name: "页", minInterval: 1 },
      series: [{ type: "line", step: "end", showSymbol: false, color: red,
        data: data.slides.flatMap((s) => [[s.start, s.page], [s.end, s.page]]) }],
    });
  }
  if (data.motion && data.motion.timeline) {
    draw("chart-motion", {
      xAxis: { type: "value", min: 0, max: data.duration, axisLabel: { formatter: mmss } },
      yAxis: { type: "value" },
      series: [{ type: "line", showSymbol: false, data: data.motion.timeline, color: grey, areaStyle: { opacity: 0.2 } }],
    });
  }
  if (data.trend.length) {
    draw("chart-trend", {
      legend: { top: 0 },
      xAxis: { type: "category", data: data.trend.map((t) => t.date) },
      yAxis: [{ type: "value", name: "字/分" }, { type: "value", name: "半音 / %" }],
      series: [
        { name: "语速", type: "line", data: data.trend.map((t) => t.pace), color: red },
        { name: "音高变化", type: "line", yAxisIndex: 1, data: data.trend.map((t) => t.pitch), color: blue },
        { name: "讲话占比 %", type: "line", yAxisIndex: 1, data: data.trend.map((t) => t.talk), color: grey },
      ],
    });
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  window.addEventListener("beforeprint", () => charts.forEach((c) => c.resize()));

  const player = document.getElementById("player");
  document.querySelectorAll("[data-seek]").forEach((button) => {
    button.addEventListener("click", () => {
      if (!player) return;
      player.currentTime = Math.max(0, parseFloat(button.dataset.seek) - 2);
      player.play();
      player.scrollIntoView({ block: "nearest" });
    });
  });
})();
