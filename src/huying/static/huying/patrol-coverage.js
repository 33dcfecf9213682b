// 巡查覆盖 (patrol/coverage): per inspector, village or town, the plan's households visited and
// not visited, and the households visited outside the plan, as stacked bars. The data and the
// legends come from json_script on the page.
(function () {
  "use strict";
  var source = document.getElementById("coverage-chart-data");
  var el = document.getElementById("chart-coverage");
  if (!window.echarts || !source || !el) { return; }
  var data = JSON.parse(source.textContent);
  var narrow = window.matchMedia("(max-width: 760px)").matches;
  var l = data.labels;
  el.style.height = Math.max(narrow ? 220 : 260, data.names.length * (narrow ? 26 : 30) + 90) + "px";
  function bar(name, values, color) {
    return { name: name, type: "bar", stack: "households", data: values, barMaxWidth: 18,
             itemStyle: { color: color } };
  }
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, data: [l.visited_planned, l.not_visited, l.outside_plan] },
    grid: { left: 8, right: 24, bottom: 8, top: narrow ? 56 : 36, containLabel: true },
    yAxis: { type: "category", data: data.names, inverse: true,
             axisLabel: { interval: 0, width: narrow ? 84 : 150, overflow: "truncate" } },
    xAxis: { type: "value", minInterval: 1 },
    series: [
      bar(l.visited_planned, data.visited_planned, "#15803d"),
      bar(l.not_visited, data.not_visited, "#d8dee4"),
      bar(l.outside_plan, data.outside_plan, "#1f6feb")
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
