// Charts of the outreach coverage dashboard. The figures come from the page through json_script.
(function () {
  const source = document.getElementById("coverage-data");
  if (!source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const red = ["#b3121f", "#e0565f", "#f2a3a8", "#7a0c15", "#d98c1f", "#6c757d", "#343a40"];
  const charts = [];
  function draw(id, option) {
    const element = document.getElementById(id);
    if (!element) return;
    const chart = echarts.init(element);
    chart.setOption(Object.assign({ color: red, tooltip: { trigger: "axis" } }, option));
    charts.push(chart);
  }
  draw("chart-months", {
    legend: { data: [data.labels.lectures, data.labels.organizations] },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value" },
    series: [
      { name: data.labels.lectures, type: "bar", data: data.lectures },
      { name: data.labels.organizations, type: "line", data: data.organizations },
    ],
  });
  draw("chart-tiers", { tooltip: { trigger: "item" }, series: [{ type: "pie", radius: ["40%", "70%"], data: data.tiers }] });
  draw("chart-counties", {
    xAxis: { type: "category", data: data.counties, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value" },
    series: [{ name: data.labels.lectures, type: "bar", data: data.county_lectures }],
  });
  draw("chart-types", { tooltip: { trigger: "item" }, series: [{ type: "pie", radius: "65%", data: data.types }] });
  draw("chart-plays", {
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value" },
    series: [{ name: data.labels.plays, type: "line", areaStyle: {}, data: data.plays }],
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
