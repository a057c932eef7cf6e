// The dashboard's live parts, through the pages' polling helper (live.js, JaicpLive.poll).
// Every [data-live] element asks its URL for its part: the markup the server renders with the page's own template
// (escaped there, as on the page's first load) and the mock clock's now. Between polls, the countdowns to readyAt
// and the clock's face tick from that now, unless the clock is frozen; a poll brings the clock's moves.
(function () {
  "use strict";
  var clock = null;

  function two(number) {
    return String(number).padStart(2, "0");
  }

  function left(milliseconds) {
    var seconds = Math.ceil(milliseconds / 1000);
    var hours = Math.floor(seconds / 3600);
    var rest = seconds % 3600;
    var tail = two(Math.floor(rest / 60)) + ":" + two(rest % 60);
    return hours ? hours + ":" + tail : tail;
  }

  function mockNow() {
    return clock.frozen ? clock.now : clock.now + (performance.now() - clock.at);
  }

  function tick() {
    if (!clock) {
      return;
    }
    var now = mockNow();
    document.querySelectorAll(".countdown[data-ready-at]").forEach(function (element) {
      var remaining = Date.parse(element.dataset.readyAt) - now;
      element.textContent = remaining > 0 ? left(remaining) : "landing…";
    });
    var face = document.querySelector(".clock-now");
    if (face && !clock.frozen) {
      face.textContent = new Date(now).toISOString().slice(0, 19).replace("T", " ") + " UTC";
    }
  }

  function follow(element) {
    var shown = null;
    window.JaicpLive.poll(element.dataset.live, function (part) {
      clock = { now: Date.parse(part.now), frozen: part.frozen, at: performance.now() };
      if (part.html !== shown) {
        element.innerHTML = part.html;
        shown = part.html;
      }
      tick();
    });
  }

  var face = document.querySelector(".clock[data-now]");
  if (face) {
    clock = { now: Date.parse(face.dataset.now), frozen: face.dataset.frozen === "true", at: performance.now() };
  }
  document.querySelectorAll("[data-live]").forEach(follow);
  tick();
  window.setInterval(tick, 250);
})();
