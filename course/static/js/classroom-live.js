/* The phone: write, answer or map, keep drafts locally, send (again) when the connection returns. */
(function () {
  "use strict";
  var C = window.Classroom;
  var el = C.el;
  var root = document.getElementById("live");
  var $ = function (id) { return document.getElementById(id); };
  var storageKey = root.getAttribute("data-storage-key");
  var activityId = null;
  var lastState = null;
  // On poor wifi a request can hang for minutes: give it up after this long and send it again (same key).
  var timeoutMs = Number(root.getAttribute("data-timeout-ms")) || 10000;
  var OFFLINE = "You are offline. Your work is saved on this phone and will be sent when the connection comes back.";
  var SLOW = "The connection is slow. Your work is saved on this phone and will be sent again in a few seconds.";

  /** Why a request failed, for the phone: no network at all, or a network too slow to answer. */
  function lostWords() { return navigator.onLine === false ? OFFLINE : SLOW; }

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
  var pausedUntil = 0; // after a 429: the server said when this phone may send again

  /** Send the pending draft of the current activity; the same key is reused until the server has it. */
  function flush() {
    if (sending || activityId === null || Date.now() < pausedUntil) return;
    var id = activityId;
    var d = draft(id);
    if (!d.pending) return;
    sending = true;
    var payload = { activity_id: id, submit_key: d.key };
    if (lastState && lastState.activity && lastState.activity.kind === "mapping") payload.placements = d.placements;
    else payload.text = d.text;
    window.SOP.postJSON(root.getAttribute("data-respond-url"), payload, timeoutMs).then(function (result) {
      sending = false;
      var current = draft(id);
      if (result.ok) {
        if (current.key === d.key) { current.pending = false; current.sentKey = d.key; }
        saveDraft(id, current);
        pendingNote(current.pending ? "Sending your latest version…" : "");
        status("Sent. Your trainer has it" + (result.data.duplicate ? " (it had already arrived)." : "."));
        if (payload.text !== undefined && lastState && lastState.activity && lastState.activity.kind === "statement") {
          showFeedback(result.data.grader_state, result.data.report, payload.text, result.data.message);
          $("feedback").scrollIntoView({ block: "start" }); // the verdict first, above the draft
        }
        if (current.pending) flush();
        poller.now();
      } else if (result.status === 429) {
        // Sending too fast: keep the draft pending and send it by itself when the pause is over.
        var wait = Math.max(1, Number(result.data && result.data.retry_after) || 30);
        pausedUntil = Date.now() + wait * 1000;
        setTimeout(flush, wait * 1000 + 100);
        pendingNote("Sending is paused for " + wait + " seconds: a lot was sent from this phone in one minute. " +
          "Your work is saved here and will be sent by itself then.");
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
      pendingNote(lostWords());
    });
  }

  /** Send whatever is waiting: the draft, and a game answer the connection lost. */
  function retryAll() { flush(); sendAnswer(); }
  window.addEventListener("online", retryAll);
  setInterval(retryAll, 5000);

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
          !c.present && c.hint ? el("span", { "class": "muted", text: " (" + c.hint + ")" }) : null]);
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
      $("case").hidden = !activity.case;
      if (activity.case) {
        $("case-title").textContent = activity.case.title;
        $("case-body").innerHTML = activity.case.narrative_html; // sanitised on the server
      }
      $("feedback").hidden = true;
      var d = draft(activity.id);
      var question = activity.kind === "question";
      $("statement-label").textContent = question ? "Your answer" : "Your statement";
      $("statement-text").rows = question ? 3 : 7;
      if (activity.max_chars) $("statement-text").setAttribute("maxlength", String(activity.max_chars));
      else $("statement-text").removeAttribute("maxlength");
      $("statement-hint").textContent = (question ? "A short answer, up to " + activity.max_chars + " characters. " : "") +
        "Saved on this phone as you type. Your name is never shown on the screen.";
      if (activity.kind !== "mapping") {
        $("statement-text").value = d.text || (activity.mine ? activity.mine.text : "");
        if (!question && activity.mine && activity.mine.report && !d.pending) showFeedback(activity.mine.grader_state, activity.mine.report, activity.mine.text);
      } else {
        buildFacts(activity);
      }
      if (d.pending) flush();
    }
    $("statement-form").hidden = activity.kind === "mapping";
    $("mapping-form").hidden = activity.kind !== "mapping";
    $("statement-send").disabled = activity.locked;
    $("mapping-send").disabled = activity.locked;
    if (activity.locked) status("Your trainer has locked submissions.");
    else if (activity.mine && activity.mine.approved) status("Your trainer approved your answer for the screen (shown without your name).");
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

  var waitingAnswer = null; // the latest answer tapped and not yet confirmed: sent again (same key) until it is

  function answer(game, clue, choice) {
    waitingAnswer = { clue_id: clue.id, choice: choice, submit_key: C.newKey(), letter: clue.options[choice].letter };
    sendAnswer();
  }

  function sendAnswer() {
    var a = waitingAnswer;
    if (!a || a.sending || Date.now() < pausedUntil) return;
    a.sending = true;
    window.SOP.postJSON(root.getAttribute("data-answer-url"), { clue_id: a.clue_id, choice: a.choice, submit_key: a.submit_key },
      timeoutMs).then(function (result) {
      a.sending = false;
      if (result.status >= 500) throw new Error("server " + result.status);
      if (result.status === 429) { // kept, and sent again by itself once the pause is over
        pausedUntil = Date.now() + Math.max(1, Number(result.data && result.data.retry_after) || 30) * 1000;
        status(result.data.error || "Sending is paused for a moment.");
        return;
      }
      if (waitingAnswer === a) waitingAnswer = null; // else a later tap is still on its way
      status(result.ok ? "Answer " + a.letter + " sent." : (result.data.error || "Not sent. Tap your answer again."));
      poller.now();
    }).catch(function () {
      a.sending = false;
      if (waitingAnswer !== a) return;
      status(navigator.onLine === false
        ? "Answer " + a.letter + " is not sent yet: you are offline. This phone sends it when the connection comes back."
        : "Answer " + a.letter + " is not sent yet: the connection is slow. This phone sends it again in a few seconds.");
    });
  }

  /** Forget an answer still waiting to be sent once its question has closed or been revealed. */
  function dropStaleAnswer(game) {
    var clue = game && game.clue;
    if (waitingAnswer && (!clue || clue.id !== waitingAnswer.clue_id || clue.revealed)) waitingAnswer = null;
  }

  var revealedClue = null;

  /** Return the reveal's verdict for this phone: right or wrong first, in words and a symbol. */
  function verdictBanner(game, clue) {
    var chosen = game.mine ? game.mine.choice : null;
    var letter = clue.options[clue.answer].letter;
    var right = chosen !== null && game.mine.correct;
    var text = chosen === null ? "No answer from this phone. The answer was " + letter + "." :
      right ? "✓ Right! The answer was " + letter + "." : "✗ Not this time. The answer was " + letter + ", you chose " + clue.options[chosen].letter + ".";
    return el("div", { "class": "reveal-banner reveal-banner--" + (chosen === null ? "none" : right ? "right" : "wrong"), id: "reveal-banner", tabindex: "-1" }, [
      el("p", { "class": "reveal-banner__verdict verdict" }, [el("strong", { text: text })]),
      el("p", { "class": "reveal-banner__answer", text: letter + ". " + clue.options[clue.answer].text }),
      game.me ? el("p", { "class": "reveal-banner__score", text: game.me.label + ": " + game.me.score + " points" }) : null
    ]);
  }

  function renderGame(game) {
    dropStaleAnswer(game);
    $("game").hidden = !game;
    if (!game) return;
    var parts = [];
    var clueNow = game.clue;
    if (clueNow && clueNow.revealed && game.me) parts.push(verdictBanner(game, clueNow));
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
        if (clue.explanation) parts.push(el("p", { "class": "clue-explanation", text: clue.explanation }));
      } else if (chosen !== null) {
        parts.push(el("p", { "class": "muted", text: "Your answer is in. You can change it until the trainer reveals the answer." }));
      }
    } else if (game.me) {
      parts.push(el("p", { "class": "muted", text: "Watch the screen: the trainer is choosing the next question." }));
    }
    var spot = document.activeElement && $("game-body").contains(document.activeElement)
      ? Array.prototype.indexOf.call($("game-body").querySelectorAll("button"), document.activeElement) : -1;
    C.fill($("game-body"), parts);
    var banner = $("reveal-banner");
    if (banner && revealedClue !== clueNow.id) {
      // A new reveal: right or wrong goes to the top of the screen, where a phone sees it without scrolling.
      revealedClue = clueNow.id;
      window.scrollTo(0, 0);
      banner.focus({ preventScroll: true });
      status("");
      return;
    }
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
    $("waiting").hidden = true;
    pendingNote("");
    status("");
    if ($("over").hidden) {
      $("over").hidden = false;
      $("over").focus();
    }
  }

  var poller = new C.Poller(root.getAttribute("data-state-url"), {
    timeoutMs: timeoutMs,
    onState: render,
    onStatus: function (s) {
      if (s === "offline") status("Connection lost. Your work stays on this device; reconnecting…");
      else if (s === "ended") ended();
      else if (s === "signed-out") status("This phone is no longer in the session. Open the join page and type the code again.");
      else if ($("live-status").textContent.indexOf("Connection lost") === 0) { status("Back online."); flush(); }
    }
  });
  poller.start(JSON.parse($("initial-state").textContent));
})();
