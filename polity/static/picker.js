// The person picker: a click on a match puts its membership number in the field (for a field naming
// several people, in place of the entry being typed). No inline script: loaded from base.html.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".picker-pick") : null;
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-target"));
    if (!input) return;
    var number = button.getAttribute("data-pick");
    if (input.hasAttribute("data-picker-multi")) {
      var parts = input.value.split(/[,;]/).map(function (s) { return s.trim(); }).filter(Boolean);
      parts.pop();
      parts.push(number);
      input.value = parts.join(", ") + ", ";
    } else {
      input.value = number;
    }
    var list = document.getElementById(input.id + "-matches");
    if (list) list.textContent = "";
    input.focus();
  });
})();
