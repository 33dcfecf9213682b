// 减负成效 (supervision/metrics): the data and legends come from json_script on the page.
(function () {
  "use strict";
  var el = document.getElementById("metrics-chart-data");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(el.textContent), l = data.labels;
  var base = { animation: false, tooltip: { trigger: "axis" },
    grid: { left: 8, right: 24, bottom: 8, top: 40, containLabel: true } };

  function draw(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var chart = echarts.init(node);
    chart.setOption(Object.assign({}, base, option));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var a = data.assessments;
  draw("chart-assessments", {
    legend: { top: 0, data: [l.last, l.this, l.target] },
    xAxis: { type: "category", data: data.months }, yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: l.last, type: "line", data: a.last, itemStyle: { color: "#94a3b8" } },
      { name: l.this, type: "bar", data: a["this"], barMaxWidth: 18, itemStyle: { color: "#1f6feb" } },
      { name: l.target, type: "line", data: a.target, lineStyle: { type: "dashed" },
        symbol: "none", itemStyle: { color: "#b91c1c" } }
    ]
  });

  var t = data.towns, cells = [];
  t.grid.forEach(function (row, y) { row.forEach(function (n, x) { cells.push([x, y, n]); }); });
  var towns = document.getElementById("chart-towns");
  if (towns) { towns.style.height = Math.max(340, t.towns.length * 18 + 90) + "px"; }
  draw("chart-towns", {
    tooltip: { position: "top" },
    grid: { left: 8, right: 16, bottom: 56, top: 8, containLabel: true },
    xAxis: { type: "category", data: data.months, splitArea: { show: true } },
    yAxis: { type: "category", data: t.towns, inverse: true, axisLabel: { fontSize: 11 } },
    visualMap: { min: 0, max: Math.max(t.peak, 1), calculable: true, orient: "horizontal",
      left: "center", bottom: 0, itemHeight: 120, inRange: { color: ["#eff6ff", "#1f6feb", "#b91c1c"] } },
    series: [{ name: l.tasks, type: "heatmap", data: cells, label: { show: false } }]
  });

  var f = data.filling;
  draw("chart-filling", {
    legend: { top: 0, data: [l.prefilled, l.typed, l.hours] },
    xAxis: { type: "category", data: data.months },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", splitLine: { show: false } }],
    series: [
      { name: l.prefilled, type: "bar", stack: "f", data: f.prefilled, itemStyle: { color: "#15803d" } },
      { name: l.typed, type: "bar", stack: "f", data: f.typed, itemStyle: { color: "#d97706" } },
      { name: l.hours, type: "line", yAxisIndex: 1, data: f.hours, itemStyle: { color: "#1f6feb" } }
    ]
  });

  function pie(pairs, center, title) {
    return { type: "pie", name: title, radius: ["18%", "34%"], center: center,
      label: { formatter: "{b} {c}", fontSize: 11 }, labelLine: { length: 6, length2: 6 },
      data: pairs.map(function (p) { return { name: p[0], value: p[1] }; }) };
  }
  draw("chart-people", { tooltip: { trigger: "item" },
    title: [{ text: l.level, left: "25%", top: "50%", textAlign: "center", textVerticalAlign: "middle",
              textStyle: { fontSize: 12 } },
            { text: l.measure, left: "75%", top: "50%", textAlign: "center", textVerticalAlign: "middle",
              textStyle: { fontSize: 12 } }],
    series: [pie(data.levels, ["25%", "50%"], l.level), pie(data.measures, ["75%", "50%"], l.measure)] });

  var league = data.league;
  var node = document.getElementById("chart-league");
  if (node) { node.style.height = Math.max(260, league.length * 24 + 80) + "px"; }
  draw("chart-league", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, data: [l.burden, l.flags] },
    yAxis: { type: "category", inverse: true, data: league.map(function (r) { return r.name; }),
      axisLabel: { width: 150, overflow: "truncate" } },
    xAxis: [{ type: "value" }, { type: "value", position: "top", splitLine: { show: false }, minInterval: 1 }],
    series: [
      { name: l.burden, type: "bar", barMaxWidth: 14, data: league.map(function (r) { return r.burden; }),
        itemStyle: { color: "#1f6feb" } },
      { name: l.flags, type: "scatter", xAxisIndex: 1, symbol: "diamond", symbolSize: 10,
        data: league.map(function (r) { return r.flags; }), itemStyle: { color: "#b91c1c" } }
    ]
  });
})();
