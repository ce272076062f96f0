// The run form's lock and forbid pickers: typing a name (or email, title, host) asks the server for a
// few matching students or positions and offers them as suggestions. Without JavaScript the fields
// stay plain text boxes: the student's email or #number, the position's #number.
(function () {
  "use strict";
  var form = document.querySelector("form[data-pick-student]");
  if (!form) { return; }
  var count = 0;
  function attach(input) {
    var url = form.getAttribute("data-pick-" + input.getAttribute("data-pick"));
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
  Array.prototype.forEach.call(form.querySelectorAll("input[data-pick]"), attach);
}());
