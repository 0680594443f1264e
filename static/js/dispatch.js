/* 派课 page (templates/outreach/request_dispatch.html). Without this script every button still works: a suggested
   instructor's button submits the time form by GET and the page comes back with the instructor chosen. With it, the
   button fills the dispatch form in place (instructor and the time above) and moves the focus to "安排授课"; a time
   changed above is carried into the dispatch form and the free/busy list is marked as out of date. */
(function () {
  "use strict";

  function pad(value) {
    return value ? value.slice(0, 5) : "";
  }

  function syncTime(timeForm, dispatchForm) {
    var when = document.querySelector("[data-dispatch-when]");
    var values = {};
    ["date", "start_time", "end_time"].forEach(function (name) {
      var source = timeForm.querySelector("[name=" + name + "]");
      var target = dispatchForm.querySelector("[data-dispatch-time=" + name + "]");
      values[name] = source ? source.value : "";
      if (target) {
        target.value = values[name];
      }
    });
    if (when) {
      when.textContent = values.date + " " + pad(values.start_time) + "–" + pad(values.end_time);
    }
  }

  function init() {
    var timeForm = document.querySelector("[data-dispatch-time-form]");
    var dispatchForm = document.querySelector("[data-dispatch-form]");
    if (!timeForm || !dispatchForm) {
      return;
    }
    var select = dispatchForm.querySelector("select[name=instructor]");
    var status = document.querySelector("[data-pick-status]");
    var note = document.getElementById("suggestions-when");

    timeForm.addEventListener("input", function () {
      syncTime(timeForm, dispatchForm);
      if (note && note.getAttribute("data-stale-text")) {
        note.textContent = note.getAttribute("data-stale-text");
        note.classList.add("text-danger");
      }
    });

    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-pick-instructor]");
      if (!button || !select) {
        return;
      }
      var value = button.getAttribute("data-pick-instructor");
      if (!select.querySelector("option[value='" + value + "']")) {
        return; // not a choice of the form: let the button submit and the page decide
      }
      event.preventDefault();
      select.value = value;
      syncTime(timeForm, dispatchForm);
      document.querySelectorAll("[data-suggestion]").forEach(function (item) {
        item.classList.toggle("active-choice", item.getAttribute("data-suggestion") === value);
      });
      if (status) {
        status.textContent = status.getAttribute("data-picked").replace("{name}", button.getAttribute("data-name"));
      }
      var submit = dispatchForm.querySelector("[data-dispatch-submit]");
      if (submit) {
        submit.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
