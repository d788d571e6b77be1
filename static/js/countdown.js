// Counts the seconds left down on the page ([data-countdown] = seconds); the server decides anyway.
document.querySelectorAll("[data-countdown]").forEach(function (el) {
  var end = Date.now() + 1000 * parseInt(el.dataset.countdown, 10);
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left > 0) { setTimeout(tick, 1000); }
  }
  tick();
});
