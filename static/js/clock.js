// The live clock of the status screen (R-CI-1): the server's time at rendering
// ([data-epoch]), carried on by this phone's clock, so a wrong phone clock does not
// show a wrong time.
(function () {
  var clock = document.querySelector("[data-clock]");
  if (!clock || !window.Intl) return;
  var offset = Number(clock.dataset.epoch) * 1000 - Date.now();
  var format = new Intl.DateTimeFormat("en-GB", {hour: "2-digit", minute: "2-digit", second: "2-digit",
    hourCycle: "h23", timeZone: clock.dataset.tz});
  function tick() { clock.textContent = format.format(new Date(Date.now() + offset)); }
  tick();
  setInterval(tick, 1000);
})();
