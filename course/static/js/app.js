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

  document.addEventListener("DOMContentLoaded", trackModulePosition);
  document.addEventListener("DOMContentLoaded", confirmForms);
})();
