// Statistics page (calls/statistics): calls vs resolved per group, and the on-time resolution rate
// with the average satisfaction. The data and legends come from json_script in the results
// fragment; a filter change swaps that fragment (htmx), so the charts are drawn again after it.
(function () {
  "use strict";
  var charts = [];
  var narrow = window.matchMedia("(max-width: 760px)").matches;

  // Units lie along the vertical axis, largest first: long Chinese names (区城市管理和综合执法局)
  // stay readable, and the chart grows with the number of units instead of cramming them.
  function units(names) {
    return {
      type: "category", data: names, inverse: true,
      axisLabel: { interval: 0, width: narrow ? 84 : 150, overflow: "truncate", fontSize: narrow ? 10 : 12 }
    };
  }

  function fit(el, count) {
    el.style.height = Math.max(narrow ? 260 : 320, count * (narrow ? 24 : 26) + 90) + "px";
  }

  function volumeOption(data) {
    var l = data.labels;
    return {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, data: [l.calls, l.resolved] },
      grid: { left: 8, right: 24, bottom: 8, top: 36, containLabel: true },
      yAxis: units(data.names),
      xAxis: { type: "value", minInterval: 1 },
      series: [
        { name: l.calls, type: "bar", data: data.calls, barMaxWidth: 12, itemStyle: { color: "#1f6feb" } },
        { name: l.resolved, type: "bar", data: data.resolved, barMaxWidth: 12, itemStyle: { color: "#15803d" } }
      ]
    };
  }

  function qualityOption(data) {
    var l = data.labels;
    return {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, data: [l.rate, l.satisfaction] },
      grid: { left: 8, right: 24, bottom: 8, top: 60, containLabel: true },
      yAxis: units(data.names),
      xAxis: [
        { type: "value", min: 0, max: 100, position: "bottom", axisLabel: { formatter: "{value}%" } },
        { type: "value", min: 0, max: 5, position: "top", splitLine: { show: false } }
      ],
      series: [
        { name: l.rate, type: "bar", data: data.on_time_rate, barMaxWidth: 12, itemStyle: { color: "#b91c1c" } },
        { name: l.satisfaction, type: "scatter", xAxisIndex: 1, data: data.satisfaction,
          symbol: "diamond", symbolSize: 10, itemStyle: { color: "#d97706" } }
      ]
    };
  }

  function draw() {
    charts.forEach(function (chart) { chart.dispose(); });
    charts = [];
    var source = document.getElementById("stats-chart-data");
    var volumeEl = document.getElementById("chart-volume");
    var qualityEl = document.getElementById("chart-quality");
    if (!window.echarts || !source || !volumeEl || !qualityEl) { return; }
    var data = JSON.parse(source.textContent);
    fit(volumeEl, data.names.length);
    fit(qualityEl, data.names.length);
    var volume = echarts.init(volumeEl, null, { renderer: "svg" });
    volume.setOption(volumeOption(data));
    var quality = echarts.init(qualityEl, null, { renderer: "svg" });
    quality.setOption(qualityOption(data));
    charts = [volume, quality];
  }

  // The dates count only for a period of one's own: show them then, and picking a date picks it.
  function showDates() {
    var period = document.getElementById("id_period");
    var dates = document.querySelector("[data-custom-dates]");
    if (period && dates) { dates.hidden = period.value !== "custom"; }
  }
  // Capture phase: runs before htmx (listening on the form) sends the changed filters.
  document.addEventListener("change", function (event) {
    var period = document.getElementById("id_period");
    if (!period || !event.target.closest) { return; }
    if (event.target.closest("[data-custom-dates]")) { period.value = "custom"; }
    showDates();
    var start = document.getElementById("id_start");
    var end = document.getElementById("id_end");
    if (period.value === "custom" && start && end && !start.value && !end.value) {
      event.stopPropagation();  // 自定义 just chosen: wait for a date rather than show an error
    }
  }, true);

  document.body.addEventListener("htmx:afterSettle", draw);
  document.body.addEventListener("htmx:historyRestore", function () { showDates(); draw(); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  showDates();
  draw();
})();
