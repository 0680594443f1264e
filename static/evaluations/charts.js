// Radar by dimension and score trend for 我的评价; data comes from the json_script block.
(function () {
  const node = document.getElementById("chart-data");
  if (!node || typeof echarts === "undefined") return;
  const data = JSON.parse(node.textContent);
  const radarEl = document.getElementById("radar");
  if (radarEl && data.radar.length) {
    echarts.init(radarEl).setOption({
      radar: {
        radius: "62%",
        axisName: { color: "#212529", fontSize: 14 },
        indicator: data.radar.map((d) => ({ name: d.name + " " + d.value, max: 100 })),
      },
      series: [{
        type: "radar",
        data: [{ value: data.radar.map((d) => d.value), label: { show: true, fontSize: 12 } }],
        areaStyle: { opacity: 0.2 },
        color: "#b3121f",
      }],
    });
  }
  const trendEl = document.getElementById("trend");
  if (trendEl && data.trend.length) {
    echarts.init(trendEl).setOption({
      grid: { left: 36, right: 10, top: 10, bottom: 24 },
      xAxis: { type: "category", data: data.trend.map((d) => d.date) },
      yAxis: { type: "value", min: 40, max: 100 },
      series: [{ type: "line", data: data.trend.map((d) => d.score), color: "#b3121f" }],
    });
  }
})();
