// 告警列表 (sensing/alarms): "处理与记录" opens an alarm's second row and loads its history and
// actions; while one is open the list's 10 s poll pauses (its hx-trigger filter), so a note
// being typed is not swept away.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-alarm-toggle]");
    if (!button) { return; }
    var body = button.closest("tbody");
    var open = body.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open && window.htmx) {
      window.htmx.ajax("GET", button.dataset.url,
        { target: body.querySelector(".alarm-history"), swap: "innerHTML" });
    }
  });
})();
