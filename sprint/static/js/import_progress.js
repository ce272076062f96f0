// The import progress page: asks the small JSON status every 2 seconds and updates the figures;
// reloads the page once the import has finished. Without JavaScript the page refreshes itself.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.finished === "true") { return; }
  var meter = box.querySelector("progress");
  var figures = document.getElementById("import-figures");
  function show(status) {
    if (status.finished) { window.location.reload(); return; }
    meter.value = status.percent;
    figures.textContent = status.status === "queued"
      ? "Waiting for a worker to start the import\u2026"
      : (status.rows_done > 0
        ? status.rows_done.toLocaleString() + " of " + status.rows_total.toLocaleString() + " rows written\u2026"
        : "Checking and writing " + status.rows_total.toLocaleString() + " rows\u2026");
    window.setTimeout(poll, 2000);
  }
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(show)
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
