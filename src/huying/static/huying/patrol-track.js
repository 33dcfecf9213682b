// The route page: the day's track over the area's dwellings (ECharts, no map tiles), and,
// while the inspector says "巡查中", positions sent every ~30 s. Unsent positions wait in
// localStorage, so a lane with no signal loses nothing; a resend is harmless (the server
// stores each (inspector, time) once).
(function () {
  "use strict";
  var en = document.documentElement.lang === "en";

  function drawChart() {
    var el = document.getElementById("chart-track");
    var data = JSON.parse(document.getElementById("track-data").textContent);
    if (!window.echarts || !el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    var series = [
      { name: en ? "Dwellings" : "出租屋", type: "scatter", symbolSize: 6,
        itemStyle: { color: "#94a3b8" }, data: data.dwellings, z: 1 },
      { name: en ? "Route" : "路线", type: "line", showSymbol: false,
        lineStyle: { color: "#1f6feb", width: 2 }, data: data.points, z: 2 },
      { name: en ? "Stops" : "停留", type: "scatter", itemStyle: { color: "#d97706" }, z: 3,
        symbolSize: function (v) { return Math.min(28, 10 + v[3]); }, data: data.stays,
        label: { show: true, position: "right", fontSize: 11,
          formatter: function (p) { return (p.value[2] || "") + " " + p.value[3] + (en ? " min" : "分"); } } }
    ];
    if (data.positions.length) {
      series.push({ name: en ? "Now" : "当前位置", type: "scatter", symbol: "pin", symbolSize: 26,
        itemStyle: { color: "#dc2626" }, data: data.positions, z: 4,
        label: { show: true, position: "top", formatter: function (p) { return p.value[2]; } } });
    }
    function span(v) { var pad = (v.max - v.min) * 0.05 || 0.001; return [v.min - pad, v.max + pad]; }
    chart.setOption({
      animation: false,
      legend: { top: 0 },
      // Pinch or scroll to zoom into a lane: an area is wider than one morning's walk.
      dataZoom: [{ type: "inside", xAxisIndex: 0, filterMode: "none" },
        { type: "inside", yAxisIndex: 0, filterMode: "none" }],
      tooltip: { formatter: function (p) { return p.seriesName + (p.value[2] ? "：" + p.value[2] : ""); } },
      grid: { left: 8, right: 8, bottom: 8, top: 30, containLabel: false },
      xAxis: { type: "value", show: false, scale: true,
        min: function (v) { return span(v)[0]; }, max: function (v) { return span(v)[1]; } },
      yAxis: { type: "value", show: false, scale: true,
        min: function (v) { return span(v)[0]; }, max: function (v) { return span(v)[1]; } },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function sender() {
    var box = document.getElementById("patrol-sender");
    if (!box || !navigator.geolocation) { return; }
    var KEY = "huying.patrol.queue", ON = "huying.patrol.on";
    var state = box.querySelector("[data-testid=patrol-state]");
    var queueEl = box.querySelector("[data-testid=patrol-queue]");
    var toggle = box.querySelector("[data-testid=patrol-toggle]");
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    var watch = null, sending = false;

    function queue() { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
    function save(q) { localStorage.setItem(KEY, JSON.stringify(q.slice(-20000))); show(); }
    function show() {
      var n = queue().length;
      queueEl.textContent = n ? queueEl.dataset.template.replace("{n}", n) : "";
      var on = localStorage.getItem(ON) === "1";
      state.textContent = on ? state.dataset.on : state.dataset.off;
      toggle.textContent = on ? toggle.dataset.stop : toggle.dataset.start;
    }
    function onPosition(pos) {
      var q = queue();
      q.push({ at: new Date(pos.timestamp).toISOString(), lat: pos.coords.latitude,
        lon: pos.coords.longitude, accuracy_m: pos.coords.accuracy });
      save(q);
    }
    function flush() {
      var q = queue();
      if (sending || !q.length || !navigator.onLine) { return; }
      var batch = q.slice(0, 1000);
      sending = true;
      fetch(box.dataset.api, {
        method: "POST", credentials: "same-origin",
        headers: Object.assign({ "Content-Type": "application/json" }, headers),
        body: JSON.stringify({ points: batch })
      }).then(function (r) {
        // 202 stored; 422 means the batch can never be stored (too old): drop it, not loop.
        if (r.status === 202 || r.status === 422) {
          var sent = {}; batch.forEach(function (p) { sent[p.at] = true; });
          save(queue().filter(function (p) { return !sent[p.at]; }));
        }
      }).catch(function () { /* offline: keep the queue */ })
        .finally(function () { sending = false; });
    }
    function start() {
      localStorage.setItem(ON, "1");
      watch = navigator.geolocation.watchPosition(onPosition, function () {},
        { enableHighAccuracy: true, maximumAge: 10000 });
      show();
    }
    function stop() {
      localStorage.setItem(ON, "0");
      if (watch !== null) { navigator.geolocation.clearWatch(watch); watch = null; }
      show(); flush();
    }
    toggle.addEventListener("click", function () {
      if (localStorage.getItem(ON) === "1") { stop(); } else { start(); }
    });
    window.addEventListener("online", flush);
    setInterval(flush, 30000);
    if (localStorage.getItem(ON) === "1") { start(); } else { show(); }
    flush();
  }

  drawChart();
  sender();
})();
