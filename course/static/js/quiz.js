/* Knowledge checks: flag unanswered questions before sending, then show the result in place.
   Without this script the form posts normally and the result opens on its own page. */
(function () {
  "use strict";

  /** Return whether a question has a complete answer. */
  function answered(fieldset) {
    var type = fieldset.getAttribute("data-type");
    if (type === "single" || type === "multiple") return !!fieldset.querySelector("input:checked");
    var selects = fieldset.querySelectorAll("select");
    return Array.prototype.every.call(selects, function (s) { return s.value !== ""; });
  }

  /** Show or clear a question's error message, tied to the fieldset with aria-describedby. */
  function flag(fieldset, message) {
    var error = fieldset.querySelector("[data-error]");
    var controls = fieldset.querySelectorAll("input, select");
    fieldset.classList.toggle("quiz-item--error", !!message);
    if (message) {
      error.querySelector("[data-error-text]").textContent = message;
      error.hidden = false;
      fieldset.setAttribute("aria-describedby", error.id);
    } else {
      error.hidden = true;
      fieldset.removeAttribute("aria-describedby");
    }
    Array.prototype.forEach.call(controls, function (c) {
      if (message && (c.tagName !== "SELECT" || c.value === "")) c.setAttribute("aria-invalid", "true");
      else c.removeAttribute("aria-invalid");
    });
  }

  var MESSAGES = {
    single: "Choose one answer.",
    multiple: "Choose at least one answer.",
    match: "Choose a meaning for every term.",
    sort: "Choose a column for every statement.",
  };

  function enhance(form) {
    var live = document.querySelector("[data-quiz-live]");
    var items = form.querySelectorAll("fieldset[data-item]");

    form.addEventListener("change", function (event) {
      var fieldset = event.target.closest("fieldset[data-item]");
      if (fieldset && fieldset.classList.contains("quiz-item--error") && answered(fieldset)) flag(fieldset, "");
    });

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) return;
      event.preventDefault();
      var missing = [];
      Array.prototype.forEach.call(items, function (fieldset, index) {
        var ok = answered(fieldset);
        flag(fieldset, ok ? "" : MESSAGES[fieldset.getAttribute("data-type")]);
        if (!ok) missing.push({ fieldset: fieldset, number: index + 1 });
      });
      if (missing.length) {
        live.textContent = (missing.length === 1 ? "1 question still needs" : missing.length + " questions still need") +
          " an answer: question " + missing.map(function (m) { return m.number; }).join(", ") + ".";
        var first = missing[0].fieldset.querySelector("input, select");
        if (first) first.focus();
        return;
      }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      live.textContent = "Checking your answers…";
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "X-CSRFToken": window.SOP ? window.SOP.csrfToken() : "", "Accept": "application/json" },
      }).then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      }).then(function (data) {
        var holder = document.createElement("div");
        holder.innerHTML = data.html;
        var result = holder.firstElementChild;
        var summary = document.getElementById("error-summary");
        if (summary) summary.remove();
        form.parentNode.replaceChild(result, form);
        live.textContent = "Your result: " + data.score + " of " + data.max_score + " points (" + data.percent + "%). Explanations follow.";
        // A tall result counts as "in view" wherever the page was scrolled, so bring its top up explicitly.
        result.focus({ preventScroll: true });
        result.scrollIntoView({ block: "start" });
        if (window.history && window.history.replaceState) window.history.replaceState(null, "", data.result_url);
      }).catch(function () {
        // Let the server handle it the ordinary way (and show any problem on a full page).
        button.disabled = false;
        live.textContent = "";
        HTMLFormElement.prototype.submit.call(form);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-quiz]");
    if (form) enhance(form);
  });
})();
