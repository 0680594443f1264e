/* Behaviour that must not live in inline attributes (the Content Security Policy allows only our own scripts):
   bar widths from data-width, and print buttons. Runs on page load and on every htmx swap. */
(function () {
  "use strict";
  function widths(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      var value = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(value)) {
        el.style.width = Math.max(0, Math.min(100, value)) + "%";
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { widths(document); });
  document.addEventListener("htmx:load", function (event) { widths(event.detail.elt); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });
})();
