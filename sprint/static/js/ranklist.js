// Rank lists: drag-and-drop and Up/Down buttons on top of plain rank-number inputs.
// Without JavaScript the number inputs alone work; this script only moves rows and changes the moved row's number.
(function () {
  "use strict";

  function rowsOf(list) { return Array.prototype.slice.call(list.querySelectorAll("li[data-title]")); }
  function valueOf(row) { return row.querySelector(".rank-input").value.trim(); }

  // Students: one row per rank, so the whole list is renumbered in its new order.
  function renumberStrict(list) {
    rowsOf(list).forEach(function (row, index) { row.querySelector(".rank-input").value = index + 1; });
  }

  // Hosts (tiers): equal numbers are a tie. A move changes the moved row's number only:
  // Up joins the tier above (an unranked row joins the last tier); Down joins the tier below, or a new
  // last tier when the row shares the last one. No other row is ever renumbered.
  function tierNumbers(list) {
    var seen = {};
    rowsOf(list).forEach(function (row) { var v = valueOf(row); if (/^[0-9]+$/.test(v)) { seen[Number(v)] = (seen[Number(v)] || 0) + 1; } });
    return seen;
  }

  function tierTarget(list, row, direction) {
    var counts = tierNumbers(list), numbers = Object.keys(counts).map(Number).sort(function (a, b) { return a - b; });
    var raw = valueOf(row), own = /^[0-9]+$/.test(raw) ? Number(raw) : null;
    if (direction === "up") {
      if (own === null) { return numbers.length ? { rank: numbers[numbers.length - 1] } : { rank: 1 }; }
      var above = numbers.filter(function (n) { return n < own; });
      return above.length ? { rank: above[above.length - 1] } : { refused: "is already in the top tier" };
    }
    if (own === null) { return { refused: "is not ranked: type a number or use Up to rank them" }; }
    var below = numbers.filter(function (n) { return n > own; });
    if (below.length) { return { rank: below[0] }; }
    if (counts[own] > 1 && own < 999) { return { rank: own + 1 }; }
    return { refused: "is already alone in the last tier" };
  }

  // Redraw the tiers: one section per rank (equal numbers), then "Not ranked"; rows keep their order.
  function regroup(list, moved, placeFirst) {
    var groups = {}, order = [];
    rowsOf(list).forEach(function (row) {
      var v = valueOf(row), key = /^[0-9]+$/.test(v) ? String(Number(v)) : "";
      if (!groups[key]) { groups[key] = []; order.push(key); }
      if (row !== moved) { groups[key].push(row); }
    });
    if (moved) {  // Up: the moved row ends its new tier; Down: it starts it
      var mv = valueOf(moved), mk = /^[0-9]+$/.test(mv) ? String(Number(mv)) : "";
      if (placeFirst) { groups[mk].unshift(moved); } else { groups[mk].push(moved); }
    }
    order.sort(function (a, b) { if (a === "") { return 1; } if (b === "") { return -1; } return Number(a) - Number(b); });
    list.querySelectorAll("section[data-tier]").forEach(function (section) { section.remove(); });
    var hidden = list.querySelector("input[type=hidden]");
    order.forEach(function (key, index) {
      var section = document.createElement("section"), heading = document.createElement("h2"), ol = document.createElement("ol");
      section.className = "mb-2";
      section.dataset.tier = key;
      heading.className = "h6 mb-1";
      heading.id = "tier-" + (index + 1);
      heading.textContent = key === "" ? "Not ranked" : "Rank " + key + (groups[key].length > 1 ? " \u00b7 " + groups[key].length + " tied" : "");
      section.setAttribute("aria-labelledby", heading.id);
      ol.className = "list-group ranklist";
      groups[key].forEach(function (row) { ol.appendChild(row); });
      section.appendChild(heading);
      section.appendChild(ol);
      list.insertBefore(section, hidden);
    });
  }

  function say(list, text) {
    var status = list.parentNode.querySelector("[data-ranklist-status]");
    if (status) { status.textContent = text; }
  }

  function tieText(list, row) {
    var v = valueOf(row);
    if (v === "") { return row.dataset.title + " is not ranked."; }
    var others = tierNumbers(list)[Number(v)] - 1;
    return row.dataset.title + " moved to rank " + v + (others ? ", tied with " + others + (others === 1 ? " other." : " others.") : ".");
  }

  function moveTier(list, row, direction) {
    var target = tierTarget(list, row, direction);
    if (target.refused) { say(list, row.dataset.title + " " + target.refused + "."); return; }
    row.querySelector(".rank-input").value = target.rank;
    regroup(list, row, direction === "down");
    say(list, tieText(list, row));
  }

  function moveStrict(list, row, before) {
    list.insertBefore(row, before);
    renumberStrict(list);
    var rows = rowsOf(list);
    var moved = list.dataset.movedText || "{title} moved to place {place} of {count}.";  // the page's language
    say(list, moved.replace("{title}", row.dataset.title).replace("{place}", rows.indexOf(row) + 1).replace("{count}", rows.length));
  }

  document.querySelectorAll("[data-ranklist]").forEach(function (list) {
    var tiers = list.dataset.ranklist === "tiers", dragged = null;
    list.addEventListener("click", function (event) {
      var direction = event.target.closest("[data-move]");
      if (!direction) { return; }
      var row = direction.closest("li");
      if (tiers) {
        moveTier(list, row, direction.dataset.move);
      } else if (direction.dataset.move === "up" && row.previousElementSibling) {
        moveStrict(list, row, row.previousElementSibling);
      } else if (direction.dataset.move === "down" && row.nextElementSibling) {
        moveStrict(list, row, row.nextElementSibling.nextElementSibling);
      }
      direction.focus();
    });
    rowsOf(list).forEach(function (row) {
      row.setAttribute("draggable", "true");
      var buttons = row.querySelector(".move-buttons");
      if (buttons) { buttons.hidden = false; }
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
        if (tiers) {  // dropped onto a row: it takes that row's rank (joins its tier), and only it changes
          dragged.querySelector(".rank-input").value = valueOf(row);
          row.parentNode.insertBefore(dragged, after ? row.nextElementSibling : row);
          regroup(list, null, false);
          say(list, tieText(list, dragged));
        } else {
          moveStrict(list, dragged, after ? row.nextElementSibling : row);
        }
      });
    });
  });
}());
