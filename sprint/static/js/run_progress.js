// Polls a queued or running match run and reloads the page when it finishes.
// Without JavaScript the page keeps a plain "Refresh" link.
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (run) {
        if (run.status === "done" || run.status === "failed") {
          window.location.reload();
          return;
        }
        var stage = document.getElementById("run-stage");
        if (stage && run.stage) { stage.textContent = run.stage; }
        if (run.started_at && bar) {
          var elapsed = (Date.now() - Date.parse(run.started_at + "Z")) / 1000;
          bar.value = Math.min(elapsed, Number(bar.max));
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
