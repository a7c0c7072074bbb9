/* Glossary popovers: turn each glossary link in a module into a button that opens its definition.
   Without this script the links simply go to the glossary page. */
(function () {
  "use strict";

  var current = null; // {button, pop}

  /** Place the popover under the term (or above it when there is no room), inside the viewport. */
  function place(button, pop) {
    var rect = button.getBoundingClientRect();
    var width = pop.offsetWidth;
    var height = pop.offsetHeight;
    var left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8));
    var top = rect.bottom + 6;
    if (top + height > window.innerHeight - 8 && rect.top - height - 6 > 8) top = rect.top - height - 6;
    pop.style.left = left + "px";
    pop.style.top = top + "px";
  }

  /** Close the open popover, optionally returning focus to its term. */
  function close(returnFocus) {
    if (!current) return;
    var open = current;
    current = null;
    open.pop.hidden = true;
    open.button.setAttribute("aria-expanded", "false");
    if (returnFocus) open.button.focus();
  }

  /** Open a term's popover and move focus into it so screen readers read the definition. */
  function show(button, pop) {
    close(false);
    pop.hidden = false;
    button.setAttribute("aria-expanded", "true");
    current = { button: button, pop: pop };
    place(button, pop);
    pop.focus();
  }

  /** Replace one glossary link with a disclosure button wired to its popover. */
  function upgrade(link) {
    var pop = document.getElementById(link.getAttribute("data-gloss"));
    if (!pop) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "gloss__term";
    button.textContent = link.textContent;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", pop.id);
    button.setAttribute("data-gloss", pop.id);
    link.parentNode.replaceChild(button, link);
    pop.setAttribute("tabindex", "-1");
    var closer = document.createElement("button");
    closer.type = "button";
    closer.className = "gloss__close";
    closer.setAttribute("aria-label", "Close definition");
    closer.innerHTML = '<span aria-hidden="true">×</span>';
    pop.appendChild(closer);
    button.addEventListener("click", function () {
      if (current && current.button === button) close(true); else show(button, pop);
    });
    closer.addEventListener("click", function () { close(true); });
    button.parentNode.addEventListener("focusout", function (event) {
      // Leaving the term and its popover (Tab past the last link) closes it.
      if (current && current.pop === pop && event.relatedTarget && !button.parentNode.contains(event.relatedTarget)) close(false);
    });
  }

  /** Upgrade every glossary link on the page and install the closing behaviour. */
  function init() {
    var links = document.querySelectorAll(".prose a.gloss__term[data-gloss]");
    if (!links.length) return;
    Array.prototype.forEach.call(links, upgrade);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && current) { event.preventDefault(); close(true); }
    });
    document.addEventListener("click", function (event) {
      if (current && !current.button.parentNode.contains(event.target)) close(false);
    });
    var reposition = function () { if (current) place(current.button, current.pop); };
    window.addEventListener("resize", reposition);
    window.addEventListener("scroll", reposition, { passive: true });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
