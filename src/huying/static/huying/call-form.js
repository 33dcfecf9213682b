// The call form's small helpers (no dependencies, works offline):
// "使用当前位置" fills latitude and longitude from the browser's geolocation, and Enter in the
// matter search box filters the list instead of submitting the form. The texts come from the
// page (data-* attributes), already in the user's language.
(function () {
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    var form = button.form;
    var status = form.querySelector("[data-locate-status]");
    function say(text) { if (status) status.textContent = text; }
    if (!("geolocation" in navigator)) { return; }  // stays hidden: type the numbers instead
    button.hidden = false;
    button.addEventListener("click", function () {
      say(button.dataset.busy);
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.lon.value = position.coords.longitude.toFixed(6);
        say(button.dataset.done);
        button.disabled = false;
      }, function () {
        say(button.dataset.failed);
        button.disabled = false;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });
  document.querySelectorAll(".matter-search").forEach(function (box) {
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  });
})();
