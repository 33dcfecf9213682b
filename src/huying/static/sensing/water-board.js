// 水质看板 (sensing/water): today's class of every point on a scatter by longitude and latitude
// (diamonds are assessment sections) and the hourly trend of one station and parameter. The data
// comes from the boards API (api_boards.py) and is fetched again every 30 s; colours, labels and
// class limits come from json_script on the page.
(function () {
  "use strict";
  var source = document.getElementById("water-chart-data");
  var mapEl = document.getElementById("chart-water-map");
  var trendEl = document.getElementById("chart-water-trend");
  if (!window.echarts || !source || !mapEl) { return; }
  var cfg = JSON.parse(source.textContent);
  var l = cfg.labels;
  var map = echarts.init(mapEl, null, { renderer: "canvas" });
  var trend = trendEl ? echarts.init(trendEl, null, { renderer: "canvas" }) : null;

  function className(c) { return c === "" ? l.no_data : (c === "劣V" ? l.worse_than_v : c); }
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[ch];
    });
  }

  function drawMap(data) {
    var series = cfg.classes.map(function (c) {
      var rows = data.points.filter(function (p) { return (p.water_class || "") === c; });
      return {
        name: className(c), type: "scatter", itemStyle: { color: cfg.colours[c], opacity: 0.9 },
        symbol: function (v, p) { return p.data.point.kind === "section" ? "diamond" : "circle"; },
        symbolSize: function (v, p) { return p.data.point.kind === "section" ? 18 : 9; },
        data: rows.map(function (p) { return { value: [p.lon, p.lat], point: p }; })
      };
    });
    map.setOption({
      animation: false,
      legend: { top: 0, data: cfg.classes.map(className) },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", scale: true, axisLabel: { formatter: "{value}°E" }, splitLine: { show: false } },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: "{value}°N" }, splitLine: { show: false } },
      tooltip: { trigger: "item", formatter: function (p) {
        var d = p.data.point;
        var lines = ["<strong>" + esc(d.name) + "</strong>" + (d.kind === "section" ? " · " + esc(l.section) : ""),
          esc(l.river) + ": " + esc(d.river) + " · " + esc(d.town),
          esc(l["class"]) + ": " + esc(className(d.water_class || ""))];
        if (d.deciding) { lines.push(esc(l.deciding) + ": " + esc(d.deciding) + (d.deciding_value !== null ? " " + d.deciding_value : "")); }
        if (d.target_class) { lines.push(esc(l.target) + ": " + ["", "I", "II", "III", "IV", "V"][d.target_class]); }
        return lines.join("<br>");
      } },
      series: series
    }, true);
  }

  function loadMap() {
    fetch(cfg.points_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { drawMap(data); } })
      .catch(function () {});
  }

  var pick = document.getElementById("trend-pick");
  function loadTrend() {
    if (!trend || !pick || !pick.station.value) { return; }
    var url = cfg.trend_url + "?station=" + encodeURIComponent(pick.station.value) +
      "&parameter=" + encodeURIComponent(pick.parameter.value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { drawTrend(data); } })
      .catch(function () {});
  }

  function drawTrend(data) {
    var limit = cfg.limits[data.parameter];
    var marks = limit ? { silent: true, symbol: "none", lineStyle: { color: "#16a34a", type: "dashed" },
      label: { position: "insideEndTop", formatter: l.limit_iii + " {c}" }, data: [{ yAxis: limit.iii }] } : undefined;
    trend.setOption({
      animation: false,
      title: data.points.length ? undefined : { text: l.empty, left: "center", top: "middle",
        textStyle: { color: "#5b636e", fontSize: 14, fontWeight: "normal" } },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "time" },
      yAxis: { type: "value", scale: true, name: data.unit },
      series: [{ name: data.name, type: "line", showSymbol: false, color: "#1f6feb",
        data: data.points.map(function (p) { return [p.time, p.value]; }), markLine: marks }]
    }, true);
  }

  if (pick) { pick.addEventListener("change", loadTrend); }
  loadMap();
  loadTrend();
  window.setInterval(function () { if (!document.hidden) { loadMap(); } }, 30000);
  window.addEventListener("resize", function () { map.resize(); if (trend) { trend.resize(); } });
})();
