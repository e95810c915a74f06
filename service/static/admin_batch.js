// The batch page's live view: poll the batch's status until its archive is ready, then show the
// failed rows and the archive link. Text only through textContent (no HTML from the data).
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var started = Date.now();
  function show(id, visible) { document.getElementById(id).hidden = !visible; }
  function render(data) {
    var b = data.batch;
    var done = b.finished + b.failed;
    document.getElementById("bar").value = b.progress;
    document.getElementById("percent").textContent = b.progress + "%";
    document.getElementById("finished").textContent = b.finished;
    document.getElementById("failed").textContent = b.failed;
    var status = document.getElementById("status");
    status.dataset.status = b.status;
    status.textContent = b.status === "finished" ? live.dataset.done : live.dataset.running;
    var rate = b.documents_per_second || (done / Math.max((Date.now() - started) / 1000, 1));
    document.getElementById("eta").textContent = (!b.archive_ready && rate > 0 && done < b.total)
      ? "· " + live.dataset.eta + " " + Math.ceil((b.total - done) / rate) + " s" : "";
    if (!b.archive_ready) { return false; }
    show("archive", true);
    show("archive-wait", false);
    var body = document.querySelector("#errors-table tbody");
    body.textContent = "";
    data.failed.forEach(function (e) {
      var row = body.insertRow();
      row.className = "error-row";
      [e.ref, e.where, e.msg].forEach(function (text) { row.insertCell().textContent = text; });
    });
    show("errors-table", data.failed.length > 0);
    show("no-errors", data.failed.length === 0);
    return true;
  }
  function poll() {
    fetch(live.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) { if (!render(data)) { setTimeout(poll, 1000); } })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
}());
