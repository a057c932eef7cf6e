// The platform's pages watch the report exports: the number running in the menu, the task list's rows (status,
// progress, Cancel and Download), and a notification when an export this page saw running completes or fails.
(function () {
  "use strict";
  var watch = document.getElementById("task-watch");
  if (!watch || !window.JaicpLive) { return; }
  var RUNNING = { CREATED: true, STARTED: true };
  var known = {};  // taskId -> status last seen
  var baseline = false;

  document.querySelectorAll("tr[data-task-id]").forEach(function (row) {
    known[row.dataset.taskId] = row.dataset.status;
  });
  baseline = Object.keys(known).length > 0;

  function show(element, visible) {
    if (element) { element.hidden = !visible; }
  }

  function updateRow(row, task) {
    row.dataset.status = task.status;
    var badge = row.querySelector(".status");
    badge.textContent = task.status;
    badge.className = "badge status " + task.status;
    var bar = row.querySelector("progress");
    bar.max = task.totalCount || 1;
    bar.value = task.writeCount;
    row.querySelector(".count").textContent = task.writeCount + " / " + task.totalCount;
    var error = row.querySelector(".task-error");
    error.textContent = task.error || "";
    show(error, Boolean(task.error));
    show(row.querySelector("form.cancel"), task.running);
    var download = row.querySelector("a.download");
    if (task.fileUrl) { download.href = task.fileUrl; }
    show(download, Boolean(task.fileUrl));
  }

  function announce(task) {
    if (task.status === "COMPLETED") {
      window.JaicpLive.notify(task.label + " is ready.", { href: task.fileUrl, text: "Download" });
    } else if (task.status === "FAILED") {
      window.JaicpLive.notify(task.label + " failed: " + (task.error || "no reason given"));
    }
  }

  function update(body) {
    var running = 0;
    var unseen = false;
    body.tasks.forEach(function (task) {
      if (task.running) { running += 1; }
      var before = known[task.taskId];
      if (baseline && before && RUNNING[before] && !RUNNING[task.status]) { announce(task); }
      known[task.taskId] = task.status;
      var row = document.querySelector('tr[data-task-id="' + CSS.escape(task.taskId) + '"]');
      if (row) { updateRow(row, task); } else if (baseline && !before) { unseen = true; }
    });
    baseline = true;
    var count = document.getElementById("running-count");
    count.textContent = running ? String(running) : "";
    if (unseen) { show(document.getElementById("new-tasks"), true); }
  }

  window.JaicpLive.poll(watch.dataset.url, update);
})();
