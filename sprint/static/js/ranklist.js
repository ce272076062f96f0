// Rank lists: drag-and-drop and Up/Down buttons on top of plain rank-number inputs.
// Without JavaScript the number inputs alone work; this script only reorders rows and renumbers them.
(function () {
  "use strict";

  function renumber(list) {
    var rows = Array.prototype.slice.call(list.querySelectorAll("li"));
    if (list.dataset.ranklist === "strict") {
      rows.forEach(function (row, index) { row.querySelector(".rank-input").value = index + 1; });
      return;
    }
    // Tiers (hosts): keep runs of equal numbers tied, blanks stay "do not rank", a moved row gets its own tier.
    var tier = 0, previous = null;
    rows.forEach(function (row) {
      var input = row.querySelector(".rank-input");
      if (input.value === "") { return; }
      var original = row.classList.contains("just-moved") ? NaN : Number(input.value);
      if (previous === null || original !== previous || isNaN(original)) { tier += 1; }
      previous = original;
      input.value = tier;
    });
    rows.forEach(function (row) { row.classList.remove("just-moved"); });
  }

  function announce(list, row) {
    var status = list.parentNode.querySelector("[data-ranklist-status]");
    var rows = Array.prototype.slice.call(list.querySelectorAll("li"));
    if (status) { status.textContent = row.dataset.title + " moved to place " + (rows.indexOf(row) + 1) + " of " + rows.length + "."; }
  }

  function move(list, row, before) {
    row.classList.add("just-moved");
    list.insertBefore(row, before);
    renumber(list);
    announce(list, row);
  }

  document.querySelectorAll("[data-ranklist]").forEach(function (list) {
    var dragged = null;
    list.querySelectorAll("li").forEach(function (row) {
      row.setAttribute("draggable", "true");
      var buttons = row.querySelector(".move-buttons");
      if (buttons) { buttons.hidden = false; }
      row.addEventListener("click", function (event) {
        var direction = event.target.closest("[data-move]");
        if (!direction) { return; }
        if (direction.dataset.move === "up" && row.previousElementSibling) {
          move(list, row, row.previousElementSibling);
        } else if (direction.dataset.move === "down" && row.nextElementSibling) {
          move(list, row, row.nextElementSibling.nextElementSibling);
        }
        direction.focus();
      });
      row.addEventListener("dragstart", function (event) {
        dragged = row;
        row.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.dataset.title || "");
      });
      row.addEventListener("dragend", function () { row.classList.remove("dragging"); dragged = null; });
      row.addEventListener("dragover", function (event) { if (dragged) { event.preventDefault(); } });
      row.addEventListener("drop", function (event) {
        event.preventDefault();
        if (!dragged || dragged === row) { return; }
        var box = row.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        move(list, dragged, after ? row.nextElementSibling : row);
      });
    });
  });
}());
