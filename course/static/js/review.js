/* Trainer workspace enhancements. Every action also works without JavaScript:
   the comment form accepts quoted words, the bank select is read by the server, and
   pages have visible previous/next links. */
(function () {
  "use strict";

  /** Return the text offset of a DOM position inside the statement, ignoring the F1/C1 labels. */
  function textOffset(root, node, offset) {
    var range = document.createRange();
    range.setStart(root, 0);
    range.setEnd(node, offset);
    var fragment = range.cloneContents();
    fragment.querySelectorAll("[data-skip]").forEach(function (el) { el.remove(); });
    return fragment.textContent.length;
  }

  /** Fill the span fields of a statement's comment and missed-problem forms from a selection in its text.
      Each statement of the set has its own section, text and forms. */
  function trackSelection() {
    var sections = Array.prototype.slice.call(document.querySelectorAll("[data-statement-section]"));
    if (!sections.length) return;
    document.addEventListener("selectionchange", function () {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
      var range = sel.getRangeAt(0);
      sections.forEach(function (section) {
        var root = section.querySelector("[data-statement]");
        var forms = section.querySelectorAll("form[data-span-form]");
        if (!root || !forms.length) return;
        if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return;
        var start = textOffset(root, range.startContainer, range.startOffset);
        var end = textOffset(root, range.endContainer, range.endOffset);
        var plain = Array.prototype.map.call(root.querySelectorAll("[data-start]"), function (el) { return el.textContent; }).join("");
        var quote = plain.slice(start, end);
        if (!quote.trim()) return;
        forms.forEach(function (form) {
          var prefix = form.querySelector("input[name$='-quote']").name.replace(/quote$/, "");
          form.querySelector("input[name='" + prefix + "start']").value = start;
          form.querySelector("input[name='" + prefix + "end']").value = end;
          form.querySelector("input[name='" + prefix + "quote']").value = quote;
        });
        var details = section.querySelector(".comment-details");
        if (details) details.open = true;
        var status = section.querySelector("[data-selection-status]");
        if (status) status.textContent = "Selected \u201c" + quote + "\u201d. Write your comment below.";
      });
    });
    // Typing different words by hand drops the selected offsets, so the server finds the words instead.
    document.querySelectorAll("form[data-span-form]").forEach(function (form) {
      var quoteField = form.querySelector("input[name$='-quote']");
      quoteField.addEventListener("input", function () {
        var prefix = quoteField.name.replace(/quote$/, "");
        form.querySelector("input[name='" + prefix + "start']").value = "";
        form.querySelector("input[name='" + prefix + "end']").value = "";
      });
    });
  }

  /** Save every rubric and overall comment of the set in the background as the trainer works. The fields sit
      in each statement's section and belong to the page's one form through their form attribute. */
  function autosaveRubric() {
    var form = document.querySelector("form[data-rubric-form]");
    if (!form || !window.fetch) return;
    var status = document.querySelector("[data-save-status]");
    var timer = null;
    var pending = false;
    function payload() {
      var data = new FormData(form);
      Array.from(data.keys()).forEach(function (key) {
        if (/-(overall_bank|save_overall)$/.test(key)) data.delete(key);
      });
      data.set("action", "save");
      return data;
    }
    function save(keepalive) {
      clearTimeout(timer);
      pending = false;
      if (status) status.textContent = "Saving\u2026";
      return fetch(form.getAttribute("action"), {  // form.action would be the buttons named "action"
        method: "POST", body: payload(), credentials: "same-origin", keepalive: !!keepalive,
        headers: { "Accept": "application/json", "X-CSRFToken": window.SOP.csrfToken() },
      }).then(function (response) {
        if (status) status.textContent = response.ok ? "Saved." : "Not saved. Use the Save review button.";
      }).catch(function () { if (status) status.textContent = "Not saved: check your connection."; });
    }
    function later(delay) {
      clearTimeout(timer);
      pending = true;
      timer = setTimeout(save, delay);
    }
    document.addEventListener("change", function (event) {
      if (event.target.form !== form || /-(overall_bank|save_overall)$/.test(event.target.name)) return;
      later(600);
    });
    document.addEventListener("input", function (event) {
      if (event.target.form !== form || event.target.tagName !== "TEXTAREA") return;
      later(1500);
    });
    // Adding a comment reloads the page: send any unsaved rubric first, so nothing typed is lost.
    document.querySelectorAll("form[data-span-form], form[data-comment-form]").forEach(function (other) {
      other.addEventListener("submit", function () { if (pending) save(true); });
    });
  }

  /** Insert a saved comment into the text box it belongs to, instead of waiting for the form. */
  function bankInsert() {
    document.querySelectorAll("select[data-bank-select]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (!select.value) return;
        var target = document.getElementById(select.getAttribute("data-target"));
        var url = select.options[select.selectedIndex].getAttribute("data-use-url");
        window.SOP.postJSON(url, {}).then(function (result) {
          if (!result.ok) return;
          target.value = target.value.trim() ? target.value.trim() + "\n\n" + result.data.text : result.data.text;
          target.dispatchEvent(new Event("input", { bubbles: true }));
          target.focus();
        });
        select.value = "";
      });
    });
  }

  /** Move through the queue with j/k or the arrow keys (not while typing). */
  function keyboardNavigation() {
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-queue-link]"));
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (event.altKey || event.ctrlKey || event.metaKey || tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
      var forward = event.key === "j" || event.key === "ArrowRight";
      var back = event.key === "k" || event.key === "ArrowLeft";
      if (!forward && !back) return;
      if (links.length) {
        var index = links.indexOf(document.activeElement);
        var next = forward ? Math.min(index + 1, links.length - 1) : Math.max(index - 1, 0);
        links[next].focus();
        event.preventDefault();
        return;
      }
      var nav = document.querySelector(forward ? "[data-nav='next']" : "[data-nav='prev']");
      if (nav) { window.location.href = nav.href; event.preventDefault(); }
    });
  }

  /** Ask before destructive roster changes; offer a print button on the QR sheet. */
  function confirmsAndPrint() {
    document.querySelectorAll("form[data-confirm]:not([data-confirm-bound])").forEach(function (form) {
      form.setAttribute("data-confirm-bound", "");
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    trackSelection();
    autosaveRubric();
    bankInsert();
    keyboardNavigation();
    confirmsAndPrint();
  });
})();
