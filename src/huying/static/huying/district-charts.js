// District overview charts: villages per town (bar) and town locations (scatter, no map tiles).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var barEl = document.getElementById("chart-villages");
  var mapEl = document.getElementById("chart-map");
  if (!window.echarts || !barEl || !mapEl) { return; }
  var en = document.documentElement.lang === "en";
  var bar = echarts.init(barEl, null, { renderer: "svg" });
  bar.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { data: [en ? "Villages" : "村社", en ? "Key villages" : "重点村"] },
    grid: { left: 40, right: 10, bottom: 70, top: 30 },
    xAxis: { type: "category", data: data.towns, axisLabel: { rotate: 60, interval: 0 } },
    yAxis: { type: "value" },
    series: [
      { name: en ? "Villages" : "村社", type: "bar", data: data.villages, itemStyle: { color: "#1f6feb" } },
      { name: en ? "Key villages" : "重点村", type: "bar", data: data.key_villages, itemStyle: { color: "#d97706" } }
    ]
  });
  var map = echarts.init(mapEl, null, { renderer: "svg" });
  map.setOption({
    animation: false,
    tooltip: { formatter: function (p) { return p.name + "：" + p.value[2] + (en ? " villages" : " 个村社"); } },
    grid: { left: 50, right: 20, bottom: 30, top: 20 },
    xAxis: { type: "value", scale: true, name: en ? "lon" : "经度" },
    yAxis: { type: "value", scale: true, name: en ? "lat" : "纬度" },
    series: [{
      type: "scatter", data: data.points,
      symbolSize: function (v) { return 8 + v[2]; },
      label: { show: true, formatter: "{b}", position: "right", fontSize: 10 },
      itemStyle: { color: "#0f766e" }
    }]
  });
  window.addEventListener("resize", function () { bar.resize(); map.resize(); });
})();
