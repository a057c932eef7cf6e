// The dashboard's live parts, with no library and no inline script (the page's CSP forbids those).
// Every [data-live] element is refreshed from its URL, an HTML fragment the server renders with the page's own
// template, every data-poll-ms of .dash. Countdowns to readyAt and the clock's face tick between polls from the
// mock clock's now as the server last sent it (.clock[data-now]); a poll brings the clock's moves.
(function () {
  "use strict";
  const root = document.querySelector(".dash");
  if (!root) {
    return;
  }
  const interval = Number(root.dataset.pollMs) || 1000;
  const shown = new WeakMap();
  let clock = { now: 0, frozen: true, at: 0 };

  function readClock() {
    const face = document.querySelector(".clock[data-now]");
    if (face) {
      clock = { now: Date.parse(face.dataset.now), frozen: face.dataset.frozen === "true", at: performance.now() };
    }
  }

  function mockNow() {
    return clock.frozen ? clock.now : clock.now + (performance.now() - clock.at);
  }

  function two(number) {
    return String(number).padStart(2, "0");
  }

  function left(milliseconds) {
    const seconds = Math.ceil(milliseconds / 1000);
    const hours = Math.floor(seconds / 3600);
    const rest = seconds % 3600;
    const tail = two(Math.floor(rest / 60)) + ":" + two(rest % 60);
    return hours ? hours + ":" + tail : tail;
  }

  function tick() {
    const now = mockNow();
    document.querySelectorAll(".countdown[data-ready-at]").forEach(function (element) {
      const remaining = Date.parse(element.dataset.readyAt) - now;
      element.textContent = remaining > 0 ? left(remaining) : "landing…";
    });
    const face = document.querySelector(".clock-now");
    if (face && !clock.frozen) {
      face.textContent = new Date(now).toISOString().slice(0, 19).replace("T", " ") + " UTC";
    }
  }

  async function refresh(element) {
    try {
      const response = await fetch(element.dataset.live, { credentials: "same-origin" });
      if (!response.ok) {
        return;
      }
      const html = await response.text();
      if (shown.get(element) !== html) {
        element.innerHTML = html;
        shown.set(element, html);
      }
    } catch (error) {
      // the server is away (stopped, restarting): the next poll tries again
    }
  }

  async function poll() {
    await Promise.all(Array.from(document.querySelectorAll("[data-live]"), refresh));
    readClock();
    tick();
    window.setTimeout(poll, interval);
  }

  readClock();
  tick();
  window.setInterval(tick, 250);
  window.setTimeout(poll, interval);
})();
