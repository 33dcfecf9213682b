// The video review queue: draw the detection box over the snapshot, keep the selected event
// marked in the polled queue, and show a refused decision (409, 403) in the panel.
(function () {
  "use strict";

  function drawBox(img) {
    var box = (img.dataset.box || "").split(",").map(Number);
    var mark = img.parentElement.querySelector(".box");
    if (!mark || box.length !== 4 || box.some(isNaN) || !img.naturalWidth) return;
    mark.style.left = (100 * box[0] / img.naturalWidth) + "%";
    mark.style.top = (100 * box[1] / img.naturalHeight) + "%";
    mark.style.width = (100 * box[2] / img.naturalWidth) + "%";
    mark.style.height = (100 * box[3] / img.naturalHeight) + "%";
    mark.hidden = false;
  }

  function markSelected() {
    var panel = document.getElementById("video-event");
    var id = panel ? panel.dataset.event : "";
    document.querySelectorAll(".video-item").forEach(function (item) {
      item.classList.toggle("selected", item.dataset.id === id);
    });
  }

  function drawAll() {
    document.querySelectorAll(".snap img[data-box]").forEach(function (img) {
      if (img.complete) drawBox(img);
    });
  }

  document.addEventListener("load", function (e) {
    if (e.target.matches && e.target.matches(".snap img[data-box]")) drawBox(e.target);
  }, true);
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if (e.detail.target.id === "video-event" && (status === 403 || status === 409 || status === 422)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSettle", function () { markSelected(); drawAll(); });
  document.addEventListener("DOMContentLoaded", function () { markSelected(); drawAll(); });
})();
