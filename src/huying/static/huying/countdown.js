// Ticks every .countdown[data-due] once a second, in the page's language, without a reload.
// The server renders the first text (so the page reads right with scripts off); this keeps it
// current. htmx swaps bring new countdowns, which the next tick picks up.
(function () {
  var en = document.documentElement.lang === "en";
  function part(n, zh, enUnit) { return en ? n + enUnit : n + zh; }
  function span(seconds) {
    var s = Math.abs(seconds), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
        m = Math.floor(s % 3600 / 60), r = Math.floor(s % 60);
    if (d) return part(d, "天", "d ") + part(h, "小时", "h");
    if (h) return part(h, "小时", "h ") + part(m, "分", "m");
    return part(m, "分", "m ") + part(r, "秒", "s");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var left = Math.floor((Date.parse(el.dataset.due) - now) / 1000);
      var text = left >= 0 ? (en ? span(left) + " left" : "剩余" + span(left))
                           : (en ? span(left) + " overdue" : "超期" + span(left));
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("late", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 3600);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
