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

/* Lists with checkboxes: a header box [data-select-all="NAME"] ticks every box named NAME in its form (the rows on
   this page); [data-selected-count] says how many are ticked. Before a form is sent, a confirmation with the count:
   data-confirm on the form or its button, data-confirm-selected on a button ("__N__" is the number ticked). A form
   marked data-once disables its buttons once sent, so a double click submits once. */
(function () {
  "use strict";
  function boxes(form, name) {
    return Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="' + name + '"]'));
  }
  function refresh(form) {
    form.querySelectorAll("[data-select-all]").forEach(function (all) {
      var rows = boxes(form, all.getAttribute("data-select-all"));
      var ticked = rows.filter(function (b) { return b.checked; }).length;
      all.checked = rows.length > 0 && ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
      form.querySelectorAll("[data-selected-count]").forEach(function (out) {
        out.textContent = ticked ? out.getAttribute("data-selected-count").replace("__N__", ticked) : "";
      });
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = target.form;
    if (!form) { return; }
    var name = target.getAttribute("data-select-all");
    if (name) {
      boxes(form, name).forEach(function (b) { b.checked = target.checked; });
    }
    if (form.querySelector("[data-select-all]")) { refresh(form); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    var selected = button && button.getAttribute("data-confirm-selected");
    if (selected) {
      var all = form.querySelector("[data-select-all]");
      var n = all ? boxes(form, all.getAttribute("data-select-all")).filter(function (b) { return b.checked; }).length : 0;
      message = selected.replace("__N__", n);
    }
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-once")) {
      window.setTimeout(function () {
        form.querySelectorAll('button[type="submit"]').forEach(function (b) { b.disabled = true; });
      }, 0);
    }
  });
})();
