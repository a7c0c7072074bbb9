/* Small progressive enhancements shared by every page. Pages work without JavaScript. */
(function () {
  "use strict";

  /** Return the page's CSRF token for fetch calls. */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /** POST JSON with the CSRF header; resolves to {ok, status, data}. With timeoutMs, a request that hangs
   * (poor wifi) is given up and rejects like a lost connection, so the caller can send it again. */
  function postJSON(url, body, timeoutMs) {
    var controller = timeoutMs && window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs) : null;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      body: JSON.stringify(body || {}),
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      clearTimeout(timer);
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  window.SOP = window.SOP || {};
  window.SOP.csrfToken = csrfToken;
  window.SOP.postJSON = postJSON;

  /** Remember which section of a module the learner is reading, so the next visit resumes there. */
  function trackModulePosition() {
    var article = document.querySelector("article.module[data-position-url]");
    if (!article || !("IntersectionObserver" in window)) return;
    var url = article.getAttribute("data-position-url");
    var last = article.getAttribute("data-resume") || "";
    var pending = null;
    var headings = article.querySelectorAll(".prose h2[id], .prose h3[id]");
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        var id = entry.target.id;
        if (id === last) return;
        clearTimeout(pending);
        pending = setTimeout(function () {
          last = id;
          postJSON(url, { position: id }).catch(function () { /* offline: the next visit starts at the top */ });
        }, 1200);
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    headings.forEach(function (h) { observer.observe(h); });
  }

  /** Ask before a destructive form is sent (forms carry data-confirm; no inline handlers under the CSP). */
  function confirmForms() {
    document.querySelectorAll("form[data-confirm]:not([data-confirm-bound])").forEach(function (form) {
      form.setAttribute("data-confirm-bound", "");
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  /** The phone menu: the Menu button opens and closes the links below the header row. */
  function menuButton() {
    var header = document.querySelector("[data-site-header]");
    var button = header && header.querySelector("[data-menu-button]");
    if (!button) return;
    button.hidden = false;  // CSS shows it only at narrow widths
    function setOpen(open) {
      header.classList.toggle("is-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () { setOpen(!header.classList.contains("is-open")); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("is-open")) { setOpen(false); button.focus(); }
    });
  }

  /** Close the header's "More" list when the click or focus goes elsewhere, or on Escape. */
  function moreMenu() {
    var more = document.querySelector("[data-nav-more]");
    if (!more) return;
    document.addEventListener("click", function (event) { if (!more.contains(event.target)) more.open = false; });
    document.addEventListener("focusin", function (event) { if (!more.contains(event.target)) more.open = false; });
    more.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && more.open) { more.open = false; more.querySelector("summary").focus(); }
    });
  }

  document.addEventListener("DOMContentLoaded", menuButton);
  document.addEventListener("DOMContentLoaded", moreMenu);
  document.addEventListener("DOMContentLoaded", trackModulePosition);
  document.addEventListener("DOMContentLoaded", confirmForms);
})();
