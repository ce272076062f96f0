// The searching pickers (the run form's locks and forbids, the placement forms): typing a name (or
// email, title, host) asks the server for a few matching students or positions and offers them as
// suggestions. Each input says what it picks (data-pick="student"); its form says where to ask
// (data-pick-student="<url>"). Without JavaScript the fields stay plain text boxes: the student's
// email or #number, the position's #number.
(function () {
  "use strict";
  var count = 0;
  function attach(input) {
    var url = input.form && input.form.getAttribute("data-pick-" + input.getAttribute("data-pick"));
    if (!url) { return; }
    var list = document.createElement("datalist");
    list.id = "pick-list-" + (count += 1);
    input.parentNode.appendChild(list);
    input.setAttribute("list", list.id);
    var timer = null, asked = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var typed = input.value.trim();
      if (typed.length < 2 || typed === asked) { return; }
      timer = window.setTimeout(function () {
        asked = typed;
        fetch(url + "?q=" + encodeURIComponent(typed), {
          headers: { "Accept": "application/json" }, credentials: "same-origin"
        })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            while (list.firstChild) { list.removeChild(list.firstChild); }
            data.results.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.value;
              option.textContent = item.label;
              option.label = item.label;
              list.appendChild(option);
            });
          })
          .catch(function () { asked = ""; });
      }, 200);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("form input[data-pick]"), attach);
}());
