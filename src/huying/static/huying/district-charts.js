// District overview charts: villages per town (bar) and town locations (scatter, no map tiles).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var barEl = document.getElementById("chart-villages");
  var mapEl = document.getElementById("chart-map");
  if (!window.echarts || !barEl || !mapEl) { return; }
  var en = document.documentElement.lang === "en";
  var narrow = window.matchMedia("(max-width: 760px)").matches;
  function pad(v) { return { min: v.min - 0.02, max: v.max + 0.02 }; }
  var bar = echarts.init(barEl, null, { renderer: "svg" });
  bar.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: [en ? "Villages" : "村社", en ? "Key villages" : "重点村"] },
    grid: { left: 40, right: 10, bottom: 80, top: 40 },
    xAxis: {
      type: "category", data: data.towns,
      // Every name fits on a desk screen; on a phone let ECharts thin them out.
      axisLabel: { rotate: 60, interval: narrow ? "auto" : 0, fontSize: narrow ? 10 : 12 }
    },
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
    xAxis: { type: "value", name: en ? "lon" : "经度",
      min: function (v) { return +pad(v).min.toFixed(2); }, max: function (v) { return +pad(v).max.toFixed(2); } },
    yAxis: { type: "value", name: en ? "lat" : "纬度",
      min: function (v) { return +pad(v).min.toFixed(2); }, max: function (v) { return +pad(v).max.toFixed(2); } },
    series: [{
      type: "scatter", data: data.points,
      labelLayout: { hideOverlap: true },
      symbolSize: function (v) { return 8 + v[2]; },
      label: { show: true, formatter: "{b}", position: "right", fontSize: 10 },
      itemStyle: { color: "#0f766e" }
    }]
  });
  window.addEventListener("resize", function () { bar.resize(); map.resize(); });
})();
