// The live parts of jaicp-mock's pages: a polling helper and notifications. Pages load this file and their own
// script file; nothing runs inline (the Content-Security-Policy forbids it). Text from the server is only ever
// set with textContent, never parsed as HTML.
(function () {
  "use strict";

  function pollMs() {
    var ms = Number(document.body.dataset.pollMs);
    return ms > 0 ? ms : 1000;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // Calls onData(json) now and every pollMs() until stop() is called or the server answers 401/403/404
  // (logged out, refused or gone: polling on cannot help). onError(message) hears about failures.
  function poll(url, onData, onError) {
    var timer = null;
    var stopped = false;
    function schedule() {
      if (!stopped) { timer = window.setTimeout(tick, pollMs()); }
    }
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return { status: response.status, body: body }; });
        })
        .then(function (answer) {
          if (answer.status === 200) {
            onData(answer.body);
            schedule();
            return;
          }
          if (onError) { onError(answer.body && answer.body.message ? answer.body.message : "HTTP " + answer.status); }
          if ([401, 403, 404].indexOf(answer.status) === -1) { schedule(); } else { stopped = true; }
        })
        .catch(function () {
          if (onError) { onError("the mock does not answer"); }
          schedule();
        });
    }
    tick();
    return { stop: function () { stopped = true; window.clearTimeout(timer); } };
  }

  // Shows a notification; `link` ({href, text}) adds a link. Returns the element.
  function notify(text, link) {
    var box = document.getElementById("notifications");
    var toast = document.createElement("div");
    toast.className = "toast";
    toast.setAttribute("role", "alert");
    var message = document.createElement("span");
    message.textContent = text;
    toast.appendChild(message);
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = " " + link.text;
      toast.appendChild(anchor);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Dismiss");
    close.addEventListener("click", function () { toast.remove(); });
    toast.appendChild(close);
    box.appendChild(toast);
    return toast;
  }

  window.JaicpLive = { poll: poll, notify: notify, csrfToken: csrfToken, pollMs: pollMs };
})();
