/* Practice cases: live feedback and autosave for statements (the mapping board is in mapping.js).
   Everything here enhances plain forms that already work without JavaScript. */
(function () {
  "use strict";

  var SOP = window.SOP = window.SOP || {};
  var ex = SOP.exercises = SOP.exercises || {};

  var PAUSE_MS = 1500;      // feedback after this long without typing
  var AUTOSAVE_MS = 5000;   // save at least this often while the text keeps changing
  var RETRY_MS = 8000;      // try again after a network failure

  /** Convert a code-point offset (how Python counts) into a UTF-16 index (how JS strings count). */
  function cpToUtf16(text, cp) {
    var units = 0, seen = 0;
    while (seen < cp && units < text.length) {
      var code = text.charCodeAt(units);
      units += (code >= 0xD800 && code <= 0xDBFF && units + 1 < text.length) ? 2 : 1;
      seen += 1;
    }
    return units;
  }
  ex.cpToUtf16 = cpToUtf16;

  var drafts = SOP.drafts;  // drafts-common.js
  var clock = drafts.clock, readStore = drafts.readStore, writeStore = drafts.writeStore;
  var NOT_SAVED = drafts.notSaved("text");

  // ------------------------------------------------------------ statement editor

  function StatementEditor(form) {
    this.form = form;
    this.textarea = form.querySelector("[data-text]");
    this.noHarm = form.querySelector("input[name=no_harm]");
    this.revisionInput = form.querySelector("[data-revision]");
    this.textLabel = form.querySelector("[data-text-label]");
    this.page = document;
    this.saveState = document.querySelector("[data-save-state]");
    this.statusBadge = document.querySelector("[data-status]");
    this.reportBox = document.querySelector("[data-report]");
    this.summary = document.querySelector("[data-report-summary]");
    this.conflict = document.querySelector("[data-conflict]");
    this.restore = document.querySelector("[data-restore]");
    this.storageKey = form.getAttribute("data-storage-key");
    this.autosaveUrl = form.getAttribute("data-autosave-url");
    this.checkUrl = form.getAttribute("data-check-url");
    this.editable = form.getAttribute("data-editable") === "true";
    this.revision = parseInt(this.revisionInput.value || "0", 10);
    this.saved = this.snapshot();
    this.inFlight = false;
    this.queued = null;          // "save" | "live" | "keep"
    this.pauseTimer = null;
    this.lastSaveAt = Date.now();
    this.retryTimer = null;
    this.blocked = false;        // true while a conflict waits for the learner
    this.init();
  }

  StatementEditor.prototype.snapshot = function () {
    return { text: this.textarea.value, noHarm: !!(this.noHarm && this.noHarm.checked) };
  };

  StatementEditor.prototype.dirty = function () {
    var now = this.snapshot();
    return now.text !== this.saved.text || now.noHarm !== this.saved.noHarm;
  };

  StatementEditor.prototype.init = function () {
    var self = this;
    var savedAt = this.form.getAttribute("data-saved-at");
    if (savedAt) this.setSaveState("Saved " + clock(new Date(savedAt)), false);  // the learner's own clock
    if (!this.editable) return;
    var liveNote = this.form.querySelector("[data-live-note]");
    if (liveNote) liveNote.hidden = false;
    this.textarea.addEventListener("input", function () { self.changed(); });
    if (this.noHarm) this.noHarm.addEventListener("change", function () { self.updateLabel(); self.changed(); });
    this.form.addEventListener("submit", function (event) {
      var button = event.submitter;
      event.preventDefault();
      self.request(button && button.name === "save" ? "save" : "keep");
    });
    drafts.warnOnLeave(function () { return self.dirty(); });
    this.conflict.querySelector("[data-conflict-use]").addEventListener("click", function () { self.useServer(); });
    this.conflict.querySelector("[data-conflict-keep]").addEventListener("click", function () { self.keepMine(); });
    this.restore.querySelector("[data-restore-use]").addEventListener("click", function () { self.restoreLocal(); });
    drafts.bindRestoreDismiss(this.restore, this.storageKey);
    this.reportBox.addEventListener("click", function (event) {
      var button = event.target.closest(".finding__locate");
      if (button) self.selectRange(+button.getAttribute("data-start"), +button.getAttribute("data-end"));
    });
    this.showLocateButtons();
    this.offerRestore();
  };

  StatementEditor.prototype.updateLabel = function () {
    if (!this.textLabel || !this.noHarm) return;
    this.textLabel.textContent = this.noHarm.checked ? "Why no harm statement is due" : "Your draft";
  };

  /** Remember the text locally at once, then schedule feedback and a save. */
  StatementEditor.prototype.changed = function () {
    var self = this;
    var now = this.snapshot();
    writeStore(this.storageKey, { text: now.text, noHarm: now.noHarm, at: Date.now(), revision: this.revision });
    this.setSaveState("Not saved yet", false);
    clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(function () { self.request("live"); }, PAUSE_MS);
    if (Date.now() - this.lastSaveAt > AUTOSAVE_MS) this.request("save");
  };

  StatementEditor.prototype.setSaveState = function (text, isError) {
    drafts.setSaveState(this.saveState, text, isError);
  };

  /** Send one request at a time, so each save builds on the revision the last one returned. */
  StatementEditor.prototype.request = function (mode) {
    var rank = { save: 1, live: 2, keep: 3 };
    if (this.blocked) return;
    if (this.inFlight) {
      if (!this.queued || rank[mode] > rank[this.queued]) this.queued = mode;
      return;
    }
    if (mode === "save" && !this.dirty()) return;
    var self = this;
    var sent = this.snapshot();
    this.inFlight = true;
    this.lastSaveAt = Date.now();
    if (mode === "keep") this.setSaveState("Checking…", false);
    else this.setSaveState("Saving…", false);
    var url = mode === "save" ? this.autosaveUrl : this.checkUrl;
    var body = { text: sent.text, revision: this.revision, no_harm: sent.noHarm, keep: mode === "keep" };
    SOP.postJSON(url, body).then(function (res) {
      self.inFlight = false;
      self.handle(res, sent, mode);
    }).catch(function () {
      self.inFlight = false;
      self.setSaveState("Not saved: you seem to be offline. Your text is kept in this browser; we will try again.", true);
      clearTimeout(self.retryTimer);
      self.retryTimer = setTimeout(function () { self.request("save"); }, RETRY_MS);
    });
  };

  StatementEditor.prototype.handle = function (res, sent, mode) {
    var data = res.data || {};
    if (res.ok) {
      this.accept(data, sent);
      if (data.html !== undefined && (mode !== "save")) this.showReport(data);
    } else if (res.status === 409) {
      this.showConflict(data, sent);
    } else if (res.status === 429 && data.saved) {
      this.paused(data, sent, mode);
    } else if (res.status === 401) {
      this.setSaveState(NOT_SAVED.sessionEnded, true);
    } else {
      this.setSaveState(NOT_SAVED.other("Not saved: " + (data.error || "something went wrong")), true);
    }
    var next = this.queued;
    this.queued = null;
    if (next) this.request(next);
  };

  /** Checking is over the rate limit, but the text was saved: say so, and check again when the wait is over. */
  StatementEditor.prototype.paused = function (data, sent, mode) {
    var self = this;
    this.accept(data, sent);
    var note = document.createElement("p");
    note.className = "report__unavailable";
    note.textContent = data.error || "Checking is paused for a moment. Your draft is saved.";
    this.reportBox.innerHTML = "";
    this.reportBox.appendChild(note);
    clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(function () { self.request(mode === "keep" ? "keep" : "live"); },
                                 Math.max(1, data.retry_after || 30) * 1000);
  };

  var STEP_ICONS = { draft: "✎", returned: "↺" };

  /** Keep this statement's line in the steps list in step with the badge (a returned statement, once edited,
   * is a draft again: the list must not go on saying "Returned for revision"). */
  function showStepStatus(status, label) {
    var link = document.querySelector(".steps__item a[aria-current='page']");
    var item = link && link.parentNode;
    var node = item && item.querySelector(".steps__status");
    if (!node || !STEP_ICONS[status] || item.classList.contains("steps__item--" + status)) return;
    item.className = "steps__item steps__item--" + status;
    var icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = STEP_ICONS[status] + " ";
    node.replaceChildren(icon, document.createTextNode(label));
  }

  /** The server has the text: remember its revision and show when it was saved. */
  StatementEditor.prototype.accept = function (data, sent) {
    this.revision = data.revision;
    this.revisionInput.value = String(data.revision);
    this.saved = sent;
    this.setSaveState("Saved " + clock(data.saved_at ? new Date(data.saved_at) : new Date()), false);
    if (this.statusBadge && data.status_label) {
      this.statusBadge.textContent = data.status_label;
      this.statusBadge.className = "work-status work-status--" + data.status;
      showStepStatus(data.status, data.status_label);
    }
    if (!this.dirty()) writeStore(this.storageKey, null);
    var link = document.querySelector("[data-history-link]");
    if (link && data.versions) {
      link.textContent = "Version history (" + data.versions + ")";
      link.parentNode.hidden = false;
    }
  };

  StatementEditor.prototype.showReport = function (data) {
    var empty = this.reportBox.querySelector("[data-report-empty]");
    if (data.html) this.reportBox.innerHTML = data.html;
    else if (!empty) this.reportBox.innerHTML = "";
    // Re-set the live region's text so screen readers announce it even when it repeats.
    this.summary.textContent = "";
    var summary = this.summary;
    setTimeout(function () { summary.textContent = data.summary || ""; }, 50);
    this.showLocateButtons();
  };

  StatementEditor.prototype.showLocateButtons = function () {
    var buttons = this.reportBox.querySelectorAll(".finding__locate");
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = !this.editable;
  };

  /** Select the flagged words in the textarea: the grader counts code points, the textarea UTF-16 units. */
  StatementEditor.prototype.selectRange = function (start, end) {
    var text = this.textarea.value;
    this.textarea.focus();
    this.textarea.setSelectionRange(cpToUtf16(text, start), cpToUtf16(text, end));
  };

  StatementEditor.prototype.showConflict = function (data, sent) {
    var server = data.server || {};
    this.blocked = true;
    this.serverState = server;
    this.conflict.querySelector("[data-conflict-message]").textContent = data.error || "This statement changed elsewhere.";
    this.conflict.querySelector("[data-conflict-text]").textContent = server.text || "(empty)";
    var keep = this.conflict.querySelector("[data-conflict-keep]");
    keep.hidden = data.code === "locked";
    this.conflict.hidden = false;
    this.conflict.focus();
    this.setSaveState("Not saved: see the message above.", true);
    if (data.code === "locked") {
      this.textarea.readOnly = true;
      this.editable = false;
    }
  };

  StatementEditor.prototype.useServer = function () {
    var server = this.serverState || {};
    this.textarea.value = server.text || "";
    if (this.noHarm) this.noHarm.checked = !!server.no_harm;
    this.updateLabel();
    this.revision = server.revision || 0;
    this.revisionInput.value = String(this.revision);
    this.saved = this.snapshot();
    this.blocked = false;
    this.conflict.hidden = true;
    writeStore(this.storageKey, null);
    this.setSaveState("Showing the saved text", false);
    if (!this.editable) window.location.reload();
    else this.textarea.focus();
  };

  StatementEditor.prototype.keepMine = function () {
    var server = this.serverState || {};
    this.revision = server.revision || 0;  // build on the newest copy: the other copy stays in history if checked
    this.revisionInput.value = String(this.revision);
    this.blocked = false;
    this.conflict.hidden = true;
    this.saved = { text: server.text || "", noHarm: !!server.no_harm };
    this.request("keep");
    this.textarea.focus();
  };

  /** Offer the browser's copy when it is newer than the server's and different. */
  StatementEditor.prototype.offerRestore = function () {
    var local = readStore(this.storageKey);
    if (!local || typeof local.text !== "string") return;
    var serverAt = Date.parse(this.form.getAttribute("data-saved-at") || "") || 0;
    if (local.text === this.textarea.value || local.at <= serverAt) {
      writeStore(this.storageKey, null);
      return;
    }
    this.localCopy = local;
    this.restore.querySelector("[data-restore-message]").textContent =
      "This browser has a newer copy of this draft from " + clock(new Date(local.at)) +
      " that was not saved to the course. Restore it?";
    this.restore.hidden = false;
  };

  StatementEditor.prototype.restoreLocal = function () {
    var local = this.localCopy;
    this.textarea.value = local.text;
    if (this.noHarm) this.noHarm.checked = !!local.noHarm;
    this.updateLabel();
    this.restore.hidden = true;
    this.textarea.focus();
    this.request("save");
  };

  // ------------------------------------------------------------ start

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-statement]");
    if (form) ex.editor = new StatementEditor(form);
  });
})();
