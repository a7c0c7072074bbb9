/* Classroom mode: shared polling, timer and DOM helpers for the console, projector and learner pages. */
(function () {
  "use strict";

  var POLL_MS = 700;

  /** Create an element with attributes and children (strings become text nodes, never HTML). */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "html") node.innerHTML = value; // only for HTML the server already sanitised
      else if (key === "style") Object.keys(value).forEach(function (prop) { node.style[prop] = value[prop]; }); // CSSOM: allowed by the CSP
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  /** Replace a node's children. */
  function fill(node, children) {
    while (node.firstChild) node.removeChild(node.firstChild);
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
  }

  /**
   * Poll a state URL with If-None-Match every ~700 ms; call onState with fresh JSON only when it changed.
   * Handlers: onState(state), onStatus("ok" | "offline" | "ended" | "signed-out").
   * "signed-out" also covers a phone whose place in the session is gone (403): it must join again.
   * handlers.timeoutMs: a poll that hangs this long (poor wifi) is given up and counts as offline.
   */
  function Poller(url, handlers) {
    this.url = url;
    this.etag = null;
    this.handlers = handlers;
    this.timeoutMs = handlers.timeoutMs || 10000;
    this.timer = null;
    this.busy = false;
    this.failures = 0;
    this.stopped = false;
  }

  Poller.prototype.start = function (initialState, etag) {
    if (initialState) this.handlers.onState(initialState);
    if (etag) this.etag = etag;
    this.tick();
    var self = this;
    window.addEventListener("online", function () { self.now(); });
    document.addEventListener("visibilitychange", function () { if (!document.hidden) self.now(); });
  };

  /** Poll again at once (after the page's own action, or when the connection returns). */
  Poller.prototype.now = function () {
    clearTimeout(this.timer);
    if (this.busy) { this.again = true; return; }
    this.tick();
  };

  Poller.prototype.schedule = function () {
    var self = this;
    if (this.stopped) return;
    // Back off gently while offline so a room full of phones does not hammer a struggling server.
    var delay = this.failures ? Math.min(POLL_MS * Math.pow(2, this.failures), 8000) : POLL_MS;
    if (document.hidden) delay = Math.max(delay, 3000);
    this.timer = setTimeout(function () { self.tick(); }, delay);
  };

  Poller.prototype.tick = function () {
    var self = this;
    if (this.stopped) return;
    this.busy = true;
    var headers = { "Accept": "application/json" };
    if (this.etag) headers["If-None-Match"] = this.etag;
    // Without a time limit one stalled request would stop the polling for good: give it up and poll again.
    var controller = window.AbortController ? new AbortController() : null;
    var limit = controller ? setTimeout(function () { controller.abort(); }, this.timeoutMs) : null;
    fetch(this.url, { headers: headers, cache: "no-store", credentials: "same-origin", redirect: "manual",
                      signal: controller ? controller.signal : undefined })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          self.stopped = true;
          self.handlers.onStatus && self.handlers.onStatus("signed-out");
          return null;
        }
        if (response.status === 410) {
          self.stopped = true;
          self.handlers.onStatus && self.handlers.onStatus("ended");
          return null;
        }
        if (response.status === 304) { self.ok(); return null; }
        if (!response.ok) throw new Error("HTTP " + response.status);
        var etag = response.headers.get("ETag");
        return response.json().then(function (state) {
          self.etag = etag;
          self.ok();
          self.handlers.onState(state);
        });
      })
      .catch(function () {
        self.failures += 1;
        self.handlers.onStatus && self.handlers.onStatus("offline");
      })
      .then(function () {
        clearTimeout(limit);
        self.busy = false;
        if (self.again) { self.again = false; self.tick(); return; }
        self.schedule();
      });
  };

  Poller.prototype.ok = function () {
    if (this.failures) this.failures = 0;
    this.handlers.onStatus && this.handlers.onStatus("ok");
  };

  /** A countdown that runs locally between polls, from the seconds the server said were left. */
  function Countdown(onTick) {
    this.onTick = onTick;
    this.left = 0;
    this.running = false;
    this.base = 0;
    var self = this;
    setInterval(function () { self.onTick(self.value(), self.running); }, 250);
  }

  Countdown.prototype.set = function (timer) {
    this.left = timer.left;
    this.seconds = timer.seconds;
    this.running = timer.running;
    this.base = Date.now();
    this.onTick(this.value(), this.running);
  };

  Countdown.prototype.value = function () {
    if (!this.running) return this.left;
    return this.left - Math.floor((Date.now() - this.base) / 1000);
  };

  /** Return seconds as m:ss (with a leading minus once the time has run out). */
  function clock(seconds) {
    var sign = seconds < 0 ? "−" : "";
    var s = Math.abs(seconds);
    var m = Math.floor(s / 60);
    var r = s % 60;
    return sign + m + ":" + (r < 10 ? "0" : "") + r;
  }

  /** Return a new random key for an idempotent submission. */
  function newKey() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /** Return whether a key event came from a place where the user is typing or pressing a control. */
  function isTyping(event) {
    var t = event.target;
    if (!t || !t.tagName) return false;
    var tag = t.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || tag === "button" || tag === "a" ||
      tag === "summary" || t.isContentEditable;
  }

  /** Render a statement with the grader's findings marked, as safe DOM nodes. */
  function markedText(text, findings) {
    var nodes = [];
    var spans = (findings || []).filter(function (f) {
      return typeof f.start === "number" && typeof f.end === "number" && f.end > f.start;
    }).sort(function (a, b) { return a.start - b.start; });
    var at = 0;
    spans.forEach(function (f) {
      if (f.start < at) return; // overlapping spans: keep the first
      if (f.start > at) nodes.push(document.createTextNode(text.slice(at, f.start)));
      var label = (f.category || "note").replace(/_/g, " ");
      nodes.push(el("mark", { "class": "finding finding--" + (f.category || "note"), title: f.message || label }, [
        text.slice(f.start, f.end),
        el("span", { "class": "finding__tag", text: " [" + label + "]" })
      ]));
      at = f.end;
    });
    if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
    return nodes;
  }

  window.Classroom = {
    el: el, fill: fill, Poller: Poller, Countdown: Countdown, clock: clock, newKey: newKey,
    isTyping: isTyping, markedText: markedText
  };
})();
