// 企业风险 (sensing/enterprises): key enterprises on a scatter by longitude and latitude, coloured
// by risk, the size growing with open alarms. Data from the boards API, fetched every 10 s.
(function () {
  "use strict";
  var source = document.getElementById("enterprise-chart-data");
  var el = document.getElementById("chart-enterprise-map");
  if (!window.echarts || !source || !el) { return; }
  var cfg = JSON.parse(source.textContent);
  var l = cfg.labels;
  var order = ["red", "orange", "yellow", "blue"];
  var chart = echarts.init(el, null, { renderer: "canvas" });
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[ch];
    });
  }
  function draw(data) {
    chart.setOption({
      animation: false,
      legend: { top: 0, data: order.map(function (c) { return cfg.risk_labels[c]; }) },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", scale: true, axisLabel: { formatter: "{value}°E" }, splitLine: { show: false } },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: "{value}°N" }, splitLine: { show: false } },
      tooltip: { trigger: "item", formatter: function (p) {
        var e = p.data.e;
        return "<strong>" + esc(e.name) + "</strong><br>" + esc(l.town) + ": " + esc(e.town) +
          "<br>" + esc(l.risk) + ": " + esc(cfg.risk_labels[e.risk]) + "<br>" + esc(l.open) + ": " + e.open_alarms;
      } },
      series: order.map(function (c) {
        return { name: cfg.risk_labels[c], type: "scatter", itemStyle: { color: cfg.colours[c], opacity: 0.9 },
          z: 10 - order.indexOf(c),
          symbolSize: function (v, p) { return 10 + Math.min(p.data.e.open_alarms, 5) * 3; },
          data: data.enterprises.filter(function (e) { return e.risk === c; })
            .map(function (e) { return { value: [e.lon, e.lat], e: e }; }) };
      })
    }, true);
  }
  function load() {
    fetch(cfg.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () {});
  }
  load();
  window.setInterval(function () { if (!document.hidden) { load(); } }, 10000);
  window.addEventListener("resize", function () { chart.resize(); });
})();
