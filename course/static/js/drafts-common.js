/* Drafts that save themselves: the helpers the statement editor (exercises.js) and the mapping board
   (mapping.js) share: the save-state line, this browser's copy, the leave warning and the fetch calls.
   Load it after app.js and before either page's script. */
(function () {
  "use strict";

  var SOP = window.SOP = window.SOP || {};

  /** Return "hh:mm" in the learner's local time. */
  function clock(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  /** Read a JSON value from localStorage, or null. */
  function readStore(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  /** Write a JSON value to localStorage (null removes it), ignoring quota and privacy-mode errors. */
  function writeStore(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage may be off; the server copy still works */ }
  }

  /** Show the save state; the same words are not written again, so screen readers do not repeat them. */
  function setSaveState(node, text, isError) {
    if (node.textContent !== text) node.textContent = text;
    node.classList.toggle("save-state--error", !!isError);
  }

  /** The "Not saved" messages, naming what is kept in this browser ("text", "map"). */
  function notSaved(what) {
    var kept = "your " + what + " is kept in this browser";
    return {
      sessionEnded: "Not saved: your session has ended. Sign in again in another tab; " + kept + ".",
      other: function (error) { return error + " " + kept.charAt(0).toUpperCase() + kept.slice(1) + "."; },
    };
  }

  /** Wire the restore banner's "dismiss" button: hide the banner and forget this browser's copy. */
  function bindRestoreDismiss(banner, storageKey) {
    banner.querySelector("[data-restore-dismiss]").addEventListener("click", function () {
      banner.hidden = true;
      writeStore(storageKey, null);
    });
  }

  /** Ask before leaving while `mustWarn()` says something would be lost. */
  function warnOnLeave(mustWarn) {
    window.addEventListener("beforeunload", function (event) {
      if (!mustWarn()) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  /** Turn a fetch response into {ok, status, data}; a body that is not JSON reads as {}. */
  function answer(response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      return { ok: response.ok, status: response.status, data: data };
    });
  }

  /** POST JSON that outlives the page (keepalive), so a save in flight survives a click on a link or a reload. */
  function postKeepalive(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": SOP.csrfToken(), "Accept": "application/json" },
      body: JSON.stringify(body),
    }).then(answer);
  }

  /** GET JSON, never from the browser's cache. */
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(answer);
  }

  SOP.drafts = {
    clock: clock, readStore: readStore, writeStore: writeStore, setSaveState: setSaveState, notSaved: notSaved,
    bindRestoreDismiss: bindRestoreDismiss, warnOnLeave: warnOnLeave, postKeepalive: postKeepalive, getJSON: getJSON,
  };
})();
