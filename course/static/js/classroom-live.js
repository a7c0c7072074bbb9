/* The learner's device: write or map, keep drafts locally, send (again) when the connection returns. */
(function () {
  "use strict";
  var C = window.Classroom;
  var el = C.el;
  var root = document.getElementById("live");
  var $ = function (id) { return document.getElementById(id); };
  var storageKey = root.getAttribute("data-storage-key");
  var activityId = null;
  var lastState = null;

  // ------------------------------------------------------------ drafts kept on the device

  function loadStore() {
    try { return JSON.parse(localStorage.getItem(storageKey)) || {}; } catch (e) { return {}; }
  }
  function saveStore(store) {
    try { localStorage.setItem(storageKey, JSON.stringify(store)); } catch (e) { /* private mode: no local copy */ }
  }
  function draft(id) {
    var store = loadStore();
    return store[id] || { text: "", placements: {}, key: null, sentKey: null, pending: false };
  }
  function saveDraft(id, d) {
    var store = loadStore();
    store[id] = d;
    saveStore(store);
  }

  function status(text) { $("live-status").textContent = text; }
  function pendingNote(text) {
    $("live-pending").hidden = !text;
    $("live-pending").textContent = text || "";
  }

  // ------------------------------------------------------------ sending, with retries

  var sending = false;

  /** Send the pending draft of the current activity; the same key is reused until the server has it. */
  function flush() {
    if (sending || activityId === null) return;
    var id = activityId;
    var d = draft(id);
    if (!d.pending) return;
    sending = true;
    var payload = { activity_id: id, submit_key: d.key };
    if (lastState && lastState.activity && lastState.activity.kind === "mapping") payload.placements = d.placements;
    else payload.text = d.text;
    window.SOP.postJSON(root.getAttribute("data-respond-url"), payload).then(function (result) {
      sending = false;
      var current = draft(id);
      if (result.ok) {
        if (current.key === d.key) { current.pending = false; current.sentKey = d.key; }
        saveDraft(id, current);
        pendingNote(current.pending ? "Sending your latest version…" : "");
        status("Sent. Your trainer has it" + (result.data.duplicate ? " (it had already arrived)." : "."));
        if (payload.text !== undefined) showFeedback(result.data.grader_state, result.data.report, payload.text, result.data.message);
        if (current.pending) flush();
        poller.now();
      } else if (result.status >= 400 && result.status < 500) {
        current.pending = false;
        saveDraft(id, current);
        pendingNote("");
        status((result.data && result.data.error) || "It could not be sent. Your draft is still saved on this device.");
      } else {
        throw new Error("server " + result.status);
      }
    }).catch(function () {
      sending = false;
      pendingNote("You are offline. Your work is saved on this device and will be sent when the connection comes back.");
    });
  }

  window.addEventListener("online", flush);
  setInterval(flush, 5000);

  function queueSend() {
    var d = draft(activityId);
    d.key = C.newKey();
    d.pending = true;
    saveDraft(activityId, d);
    pendingNote("Sending…");
    flush();
  }

  // ------------------------------------------------------------ statement

  function showFeedback(gstate, report, text, message) {
    var box = $("feedback-body");
    $("feedback").hidden = false;
    if (gstate === "pending") { C.fill(box, [el("p", { text: "Checking…" })]); return; }
    if (!report) {
      C.fill(box, [el("p", { text: message || (gstate === "unavailable" ? "Feedback is unavailable right now; your statement is saved and your trainer has it." :
        "The checker could not read this one. Your statement is saved and your trainer has it.") })]);
      return;
    }
    var ready = report.verdict === "ready";
    var parts = [el("p", { "class": "verdict verdict--" + report.verdict }, [el("strong", { text: ready ? "✓ Ready: every part is there." : "✎ Revise: see below." })])];
    if (report.components && report.components.length) {
      parts.push(el("ul", { "class": "components" }, report.components.map(function (c) {
        return el("li", { "class": c.present ? "has" : "missing" }, [el("strong", { text: (c.present ? "✓ " : "✗ Missing: ") + c.label }),
          !c.present && c.hint ? el("span", { "class": "muted", text: " — " + c.hint }) : null]);
      })));
    }
    if (report.findings && report.findings.length) {
      parts.push(el("p", { "class": "marked" }, C.markedText(text || $("statement-text").value, report.findings)));
      parts.push(el("ul", { "class": "findings" }, report.findings.map(function (f) {
        return el("li", {}, [el("strong", { text: "“" + f.text + "”: " }), f.message || "",
          f.suggestion ? el("span", { "class": "muted", text: " Try: " + f.suggestion }) : null]);
      })));
    }
    C.fill(box, parts);
  }

  // ------------------------------------------------------------ mapping

  function buildFacts(activity) {
    var d = draft(activity.id);
    var mine = (activity.mine && activity.mine.placements) || {};
    C.fill($("facts"), activity.facts.map(function (fact, index) {
      var chosen = d.placements[fact.id] || mine[fact.id] || "";
      return el("li", { "class": "fact", "data-fact-id": fact.id }, [
        el("fieldset", {}, [
          el("legend", {}, [el("span", { "class": "fact__number", text: "Fact " + (index + 1) + ": " }), fact.text]),
          el("div", { "class": "fact__choices" }, activity.categories.map(function (cat) {
            var id = "fact-" + fact.id + "-" + cat.id;
            return el("label", { "for": id, "class": "choice" }, [
              el("input", { type: "radio", id: id, name: "fact-" + fact.id, value: cat.id, checked: chosen === cat.id,
                onchange: function () {
                  var current = draft(activity.id);
                  current.placements[fact.id] = cat.id;
                  saveDraft(activity.id, current);
                } }),
              " " + cat.label
            ]);
          })),
          el("p", { "class": "fact__answer", "aria-live": "polite" })
        ])
      ]);
    }));
  }

  function updateRevealed(activity) {
    activity.facts.forEach(function (fact) {
      var item = document.querySelector('.fact[data-fact-id="' + fact.id + '"] .fact__answer');
      if (!item) return;
      if (!fact.answer) { item.textContent = ""; return; }
      var picked = (draft(activity.id).placements[fact.id]) || "";
      var verdict = picked === fact.answer ? "✓ You placed it right. " : picked ? "✗ Not quite. " : "";
      item.textContent = verdict + "Answer: " + fact.answer_label + ". " + fact.explanation;
    });
  }

  // ------------------------------------------------------------ activity

  function renderActivity(activity) {
    $("activity").hidden = !activity;
    if (!activity) { activityId = null; return; }
    var fresh = activity.id !== activityId;
    activityId = activity.id;
    $("activity-title").textContent = activity.title;
    $("activity-prompt").textContent = activity.prompt;
    if (fresh) {
      $("case-title").textContent = activity.case.title;
      $("case-body").innerHTML = activity.case.narrative_html; // sanitised on the server
      $("feedback").hidden = true;
      var d = draft(activity.id);
      if (activity.kind === "statement") {
        $("statement-text").value = d.text || (activity.mine ? activity.mine.text : "");
        if (activity.mine && activity.mine.report && !d.pending) showFeedback(activity.mine.grader_state, activity.mine.report, activity.mine.text);
      } else {
        buildFacts(activity);
      }
      if (d.pending) flush();
    }
    $("statement-form").hidden = activity.kind !== "statement";
    $("mapping-form").hidden = activity.kind !== "mapping";
    $("statement-send").disabled = activity.locked;
    $("mapping-send").disabled = activity.locked;
    if (activity.locked) status("Your trainer has locked submissions.");
    if (activity.kind === "mapping") updateRevealed(activity);
  }

  $("statement-text").addEventListener("input", function (e) {
    if (activityId === null) return;
    var d = draft(activityId);
    d.text = e.target.value;
    saveDraft(activityId, d);
  });
  $("statement-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!$("statement-text").value.trim()) { status("Write your statement first."); $("statement-text").focus(); return; }
    queueSend();
  });
  $("mapping-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!Object.keys(draft(activityId).placements).length) { status("Place at least one fact first."); return; }
    queueSend();
  });

  // ------------------------------------------------------------ game

  var answering = {};

  function answer(game, clue, choice) {
    var key = C.newKey();
    answering[clue.id] = choice;
    window.SOP.postJSON(root.getAttribute("data-answer-url"), { clue_id: clue.id, choice: choice, submit_key: key })
      .then(function (result) {
        status(result.ok ? "Answer " + clue.options[choice].letter + " sent." : (result.data.error || "Not sent. Try again."));
        poller.now();
      }).catch(function () { status("Not sent: you are offline. Tap your answer again when you are back."); });
  }

  function renderGame(game) {
    $("game").hidden = !game;
    if (!game) return;
    var parts = [];
    if (!game.me) {
      if (game.mode === "teams") {
        parts.push(el("p", { text: "Choose your team:" }));
        parts.push(el("div", { "class": "team-buttons" }, game.teams.map(function (team) {
          return el("button", { type: "button", "class": "button", onclick: function () { join(team.id); } }, [team.label]);
        })));
      } else {
        parts.push(el("button", { type: "button", "class": "button button--primary", onclick: function () { join(null); } }, ["Join the game"]));
      }
    } else {
      parts.push(el("p", { "class": "me" }, ["You play for ", el("strong", { text: game.me.label }), " · " + game.me.score + " points"]));
      if (game.mode === "teams") {
        parts.push(el("details", {}, [el("summary", { text: "Change team" }), el("div", { "class": "team-buttons" }, game.teams.map(function (team) {
          return el("button", { type: "button", "class": "button button--quiet", onclick: function () { join(team.id); } }, [team.label]);
        }))]));
      }
    }
    var clue = game.clue;
    if (clue && game.me) {
      var chosen = game.mine ? game.mine.choice : null;
      parts.push(el("h3", { text: clue.category + " · " + clue.points + " points" }));
      parts.push(el("p", { "class": "clue-prompt", text: clue.prompt }));
      parts.push(el("div", { "class": "answer-buttons", role: "group", "aria-label": "Answers" }, clue.options.map(function (option, i) {
        return el("button", { type: "button", "class": "button answer" + (chosen === i ? " button--primary" : ""), "aria-pressed": String(chosen === i),
          disabled: clue.revealed, onclick: function () { answer(game, clue, i); } }, [
          el("strong", { text: option.letter + ". " }), option.text]);
      })));
      if (clue.revealed) {
        var right = game.mine && game.mine.correct;
        parts.push(el("p", { "class": "verdict", "aria-live": "polite" }, [el("strong", { text: chosen === null ? "The answer was " + clue.options[clue.answer].letter + "." :
          right ? "✓ Correct!" : "✗ Not this time. The answer was " + clue.options[clue.answer].letter + "." })]));
        if (clue.explanation) parts.push(el("p", { text: clue.explanation }));
      } else if (chosen !== null) {
        parts.push(el("p", { "class": "muted", text: "Your answer is in. You can change it until the trainer reveals the answer." }));
      }
    } else if (game.me) {
      parts.push(el("p", { "class": "muted", text: "Watch the screen: the trainer is choosing the next question." }));
    }
    var spot = document.activeElement && $("game-body").contains(document.activeElement)
      ? Array.prototype.indexOf.call($("game-body").querySelectorAll("button"), document.activeElement) : -1;
    C.fill($("game-body"), parts);
    if (spot >= 0) {
      var buttons = $("game-body").querySelectorAll("button");
      if (buttons[spot]) buttons[spot].focus();
    }
  }

  function join(entrantId) {
    window.SOP.postJSON(root.getAttribute("data-join-url"), { entrant_id: entrantId }).then(function (result) {
      status(result.ok ? "You play for " + result.data.entrant.label + "." : (result.data.error || "Not joined. Try again."));
      poller.now();
    }).catch(function () { status("Not joined: you are offline."); });
  }

  // ------------------------------------------------------------ state

  function render(state) {
    lastState = state;
    if (state.ended) return ended();
    renderActivity(state.activity);
    renderGame(state.game);
    $("waiting").hidden = !!(state.activity || state.game);
    $("slide-line").textContent = state.slide_title ? "On the screen now: " + state.slide_title : "";
    root.setAttribute("data-activity", state.activity ? String(state.activity.id) : "");
  }

  function ended() {
    $("activity").hidden = true;
    $("game").hidden = true;
    $("waiting").hidden = false;
    $("waiting-title").textContent = "The session has ended";
    status("The session has ended. Thank you for taking part.");
  }

  var poller = new C.Poller(root.getAttribute("data-state-url"), {
    onState: render,
    onStatus: function (s) {
      if (s === "offline") status("Connection lost. Your work stays on this device; reconnecting…");
      else if (s === "ended") ended();
      else if (s === "signed-out") status("You were signed out. Sign in again, then come back to this page.");
      else if ($("live-status").textContent.indexOf("Connection lost") === 0) { status("Back online."); flush(); }
    }
  });
  poller.start(JSON.parse($("initial-state").textContent));
})();
