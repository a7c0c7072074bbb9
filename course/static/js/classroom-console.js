/* The trainer console: drives the session and moderates what reaches the projector. */
(function () {
  "use strict";
  var C = window.Classroom;
  var el = C.el;
  var root = document.getElementById("console");
  var controlUrl = root.getAttribute("data-control-url");
  var $ = function (id) { return document.getElementById(id); };
  var state = null;
  var MODE_LABELS = { slides: "slides", agenda: "today’s agenda", join: "the join code", activity: "the live activity", game: "the review game" };

  function status(text) { $("console-status").textContent = text; }

  // On poor wifi an action can hang: give it up after this long and say what may have happened.
  var timeoutMs = Number(root.getAttribute("data-timeout-ms")) || 10000;
  var poller = new C.Poller(root.getAttribute("data-state-url"), {
    timeoutMs: timeoutMs,
    onState: render,
    onStatus: function (s) {
      if (s === "offline") status("Connection lost: retrying…");
      else if (s === "ended") { status("This session has ended."); }
      else if (s === "signed-out") status("You were signed out. Sign in again to keep control.");
      else if ($("console-status").textContent.indexOf("Connection lost") === 0) status("Connected.");
    }
  });

  /** Send a control action, then refresh at once. */
  function send(action, extra) {
    var payload = extra || {};
    payload.action = action;
    return window.SOP.postJSON(controlUrl, payload, timeoutMs).then(function (result) {
      if (!result.ok) status(result.data.error || "That did not work. Try again.");
      poller.now();
      return result;
    }).catch(function (error) {
      // A timed-out action may still have arrived: sending it again blindly could skip two slides.
      status(error && error.name === "AbortError"
        ? "No answer from the server in " + Math.round(timeoutMs / 1000) + " seconds: that action may not have arrived. " +
          "Check the screen, then try again if nothing changed."
        : "Connection lost: that action was not sent. Try again.");
      poller.now();
    });
  }

  var countdown = new C.Countdown(function (left, running) {
    $("timer").textContent = (left < 0 ? "Over " : "") + C.clock(left);
    $("timer-button").textContent = running ? "Pause timer (T)" : "Start timer (T)";
  });

  // ------------------------------------------------------------ slides, screen, timer, agenda

  function renderSlides(s) {
    var slide = s.slide;
    $("current-slide").innerHTML = slide.html; // sanitised on the server
    $("notes").innerHTML = slide.notes_html || "<p class=\"muted\">No trainer notes for this slide.</p>";
    if (slide.next) $("next-slide").innerHTML = slide.next.html;
    else C.fill($("next-slide"), [el("p", { "class": "muted", text: "This is the last slide of the module." })]);
    var select = $("goto-slide");
    C.fill(select, slide.titles.map(function (title, i) {
      return el("option", { value: String(i), selected: i === slide.index, text: (i + 1) + ". " + (title || "Untitled") });
    }));
    $("module-select").value = slide.module_id;
    var mode = MODE_LABELS[s.mode] || s.mode;
    $("screen-mode-line").textContent = "Slide " + (slide.index + 1) + " of " + slide.count + " · The screen shows " + mode +
      (s.blanked ? " · SCREEN BLANKED" : "");
    document.querySelectorAll("button[data-mode]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-mode") === s.mode));
    });
    var blank = $("blank-button");
    blank.setAttribute("aria-pressed", String(!!s.blanked));
    blank.textContent = s.blanked ? "Show screen (B)" : "Blank screen (B)";
  }

  function renderAgenda(rows) {
    C.fill($("agenda"), rows.map(function (row) {
      var button = el("button", { type: "button", "class": "link-button", onclick: function () { send("module", { module_id: row.id }); } },
        [row.title]);
      return el("li", { "class": "console-agenda__row console-agenda__row--" + row.status, "aria-current": row.status === "now" ? "step" : null }, [
        el("span", { "class": "console-agenda__time", text: row.starts }), button,
        el("span", { "class": "muted", text: " " + row.minutes + " min" + (row.status === "now" ? " · now" : "") })
      ]);
    }));
  }

  // ------------------------------------------------------------ live activity

  function marksSummary(marks, gstate) {
    if (gstate === "pending") return el("p", { "class": "muted", text: "Grader: checking…" });
    if (gstate === "unavailable") return el("p", { "class": "muted", text: "Grader: not available on this server." });
    if (gstate === "error") return el("p", { "class": "muted", text: "Grader: could not check this one." });
    if (!marks) return null;
    var missing = marks.components.filter(function (c) { return !c.present; }).map(function (c) { return c.label; });
    return el("p", { "class": "marks-line" }, [
      el("strong", { text: "Grader: " + (marks.verdict === "ready" ? "✓ ready" : "✎ revise") }),
      missing.length ? " · missing: " + missing.join(", ") : " · every part present",
      marks.findings.length ? " · " + marks.findings.length + " wording flag" + (marks.findings.length === 1 ? "" : "s") : ""
    ]);
  }

  function responseCard(r, a) {
    var actions = [
      el("button", { type: "button", "class": "button" + (r.approved ? " button--primary" : ""), "aria-pressed": String(r.approved),
        onclick: function () { send("activity.approve", { response_id: r.id, value: !r.approved }); } },
        [r.approved ? "Approved: withdraw" : "Approve"]),
      el("button", { type: "button", "class": "button" + (r.spotlight ? " button--primary" : ""), "aria-pressed": String(r.spotlight),
        onclick: function () { send("activity.spotlight", { response_id: r.id, value: !r.spotlight }); } },
        [r.spotlight ? (a.show_approved ? "Featured: unfeature" : "On screen: remove") : (a.show_approved ? "Feature on screen" : "Show on screen")]),
      a.kind === "statement" ? el("button", { type: "button", "class": "button button--quiet", "aria-pressed": String(r.marks_shown), disabled: !r.marks,
        onclick: function () { send("activity.marks", { response_id: r.id, value: !r.marks_shown }); } },
        [r.marks_shown ? "Hide marks" : "Reveal marks"]) : null,
      el("button", { type: "button", "class": "button button--quiet",
        onclick: function () { send("activity.dismiss", { response_id: r.id, value: !r.dismissed }); } },
        [r.dismissed ? "Back to queue" : "Set aside"])
    ];
    var onWall = r.spotlight || (r.approved && a.show_approved);
    return el("li", { "class": "queue__item" + (onWall ? " queue__item--on" : "") + (r.approved ? " queue__item--approved" : "") +
      (r.dismissed ? " queue__item--aside" : ""), "data-response-id": String(r.id) }, [
      el("p", { "class": "queue__who" }, [el("strong", { text: r.label }), " · ", el("span", { "class": "queue__name", text: r.name }), r.name !== r.participant ? " (" + r.participant + ")" : "",
        (r.revision > 1 ? " · revised (" + r.revision + ")" : "") + (r.approved ? " · approved" : "") +
        (onWall ? " · on screen" : "") + (r.dismissed ? " · set aside" : "")]),
      el("p", { "class": "queue__text" }, r.marks ? C.markedText(r.text, r.marks.findings) : [r.text]),
      marksSummary(r.marks, r.grader_state),
      el("div", { "class": "control-row" }, actions)
    ]);
  }

  function factRow(f, focus) {
    var bars = f.bars.map(function (b) { return b.label + " " + b.count; }).join(" · ");
    return el("tr", { "class": f.id === focus ? "is-focus" : null, "data-fact-id": f.id }, [
      el("th", { scope: "row", text: String(f.number) }),
      el("td", {}, [el("p", { "class": "fact-cell", text: f.text }), el("p", { "class": "muted small", text: bars + " (" + f.placed + " placed)" })]),
      el("td", { text: "Answer: " + f.answer_label }),
      el("td", {}, [el("div", { "class": "control-row" }, [
        el("button", { type: "button", "class": "button button--quiet", "aria-pressed": String(f.id === focus),
          onclick: function () { send("activity.focus_fact", { fact_id: f.id }); } }, [f.id === focus ? "On screen" : "Show on screen"]),
        el("button", { type: "button", "class": "button" + (f.revealed ? " button--primary" : ""), "aria-pressed": String(f.revealed),
          onclick: function () { send("activity.reveal_fact", { fact_id: f.id, value: !f.revealed }); } }, [f.revealed ? "Hide answer" : "Reveal answer"])
      ])])
    ]);
  }

  /** The word summary as a list the trainer reads before putting it on the screen. */
  function wordList(words) {
    if (!words || !words.words.length) return el("p", { "class": "muted", text: "Word summary: no approved answers yet." });
    return el("div", { "class": "word-preview" }, [
      el("p", { "class": "word-preview__head", text: "Most used words in " + words.answers + " approved answer" + (words.answers === 1 ? "" : "s") + ":" }),
      el("ol", { "class": "word-preview__list" }, words.words.map(function (w) {
        return el("li", { text: w.word + " (" + w.count + ")" });
      }))
    ]);
  }

  function textControls(a) {
    return [
      el("div", { "class": "control-row", role: "group", "aria-label": "The response wall" }, [
        el("button", { type: "button", "class": "button" + (a.show_approved ? " button--primary" : ""), "aria-pressed": String(a.show_approved),
          id: "show-approved", onclick: function () { send("activity.show_approved", { value: !a.show_approved }); } },
          [a.show_approved ? "Showing all approved (" + a.approved + "): stop" : "Show all approved (" + a.approved + ")"]),
        el("button", { type: "button", "class": "button button--quiet", "aria-pressed": String(a.show_words),
          onclick: function () { send("activity.words", { value: !a.show_words }); } },
          [a.show_words ? "Hide word summary" : "Show word summary"])
      ]),
      wordList(a.words)
    ];
  }

  function renderActivity(a) {
    var box = $("activity");
    if (!a) { C.fill(box, [el("p", { "class": "muted", text: "No activity is running." })]); return; }
    var head = [
      el("h3", { text: a.title }),
      el("p", { "class": "muted", text: a.prompt }),
      el("p", { "aria-live": "polite", "class": "received", text: a.received + (a.kind === "mapping" ? (a.received === 1 ? " map sent" : " maps sent") : (a.received === 1 ? " response received" : " responses received")) + (a.locked ? " · submissions locked" : "") }),
      el("div", { "class": "control-row" }, [
        el("button", { type: "button", "class": "button" + (a.locked ? " button--primary" : ""), "aria-pressed": String(a.locked),
          onclick: function () { send("activity.lock", { value: !a.locked }); } }, [a.locked ? "Unlock submissions" : "Lock submissions"]),
        el("button", { type: "button", "class": "button button--quiet", "aria-pressed": String(!a.results_shown),
          onclick: function () { send("activity.results", { value: !a.results_shown }); } }, [a.results_shown ? "Hide results on screen" : "Show results on screen"]),
        el("button", { type: "button", "class": "button button--quiet", onclick: function () { send("mode", { mode: "activity" }); } }, ["Put activity on screen"]),
        el("button", { type: "button", "class": "button button--danger", onclick: function () { send("activity.close"); } }, ["Close activity"])
      ])
    ];
    var bodyPart;
    if (a.kind !== "mapping") {
      head = head.concat(textControls(a));
      bodyPart = a.responses.length
        ? el("ol", { "class": "queue", "aria-label": "Responses" }, a.responses.map(function (r) { return responseCard(r, a); }))
        : el("p", { "class": "empty", text: "Waiting for responses. Phones join with the live code." });
    } else {
      bodyPart = el("div", { "class": "table-wrap" }, [el("table", { "class": "table facts-table" }, [
        el("caption", { "class": "visually-hidden", text: "Facts with the room's placements" }),
        el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "#" }), el("th", { scope: "col", text: "Fact and placements" }),
          el("th", { scope: "col", text: "Answer" }), el("th", { scope: "col", text: "Screen" })])]),
        el("tbody", {}, a.facts.map(function (f) { return factRow(f, a.focus_fact); }))
      ])]);
    }
    C.fill(box, head.concat([bodyPart]));
  }

  // ------------------------------------------------------------ review game

  function renderGame(g) {
    var box = $("game");
    $("game-form").hidden = !!g;
    if (!g) { C.fill(box, []); return; }
    var parts = [];
    if (g.clue) {
      var clue = g.clue;
      parts.push(el("div", { "class": "clue-panel" }, [
        el("h3", { text: clue.category + " · " + clue.points + " points" }),
        el("p", { "class": "clue-panel__prompt", text: clue.prompt }),
        el("ol", { "class": "clue-panel__options" }, clue.options.map(function (o, i) {
          var right = clue.revealed && i === clue.answer;
          return el("li", { "class": right ? "is-right" : null }, [el("strong", { text: o.letter + ". " }), o.text,
            el("span", { "class": "muted", text: " · " + (clue.counts ? clue.counts[i] : 0) + " chose this" + (right ? " · ✓ correct" : "") })]);
        })),
        el("p", { "aria-live": "polite", text: clue.answers_in + (clue.answers_in === 1 ? " answer in" : " answers in") }),
        clue.revealed ? el("p", { "class": "muted", text: clue.explanation }) : null,
        el("div", { "class": "control-row" }, [
          clue.revealed ? null : el("button", { type: "button", "class": "button button--primary", onclick: function () { send("game.reveal"); } }, ["Reveal answer and score"]),
          el("button", { type: "button", "class": "button", onclick: function () { send("game.board"); } }, ["Back to the board"])
        ])
      ]));
    } else {
      parts.push(el("div", { "class": "console-board", role: "group", "aria-label": "Board" }, g.board.map(function (column) {
        return el("div", { "class": "console-board__column" }, [el("p", { "class": "console-board__category", text: column.category })].concat(
          column.clues.map(function (clue) {
            return el("button", { type: "button", "class": "button" + (clue.used ? " button--quiet" : ""), "data-clue-id": clue.id,
              "aria-label": column.category + ", " + clue.points + " points" + (clue.used ? ", already played" : ""),
              onclick: function () { send("game.open", { clue_id: clue.id }); } }, [clue.used ? "✓ " + clue.points : String(clue.points)]);
          })));
      })));
    }
    parts.push(el("h3", { text: "Scoreboard" }));
    parts.push(el("ul", { "class": "console-scores" }, g.scores.map(function (row) {
      return el("li", { "data-entrant-id": String(row.id) }, [
        el("span", { "class": "console-scores__label", text: row.label + " (" + row.members + " on devices)" }),
        el("strong", { text: String(row.score) }),
        el("button", { type: "button", "class": "button button--quiet", "aria-label": "Give " + row.label + " 100 points",
          onclick: function () { send("game.award", { entrant_id: row.id, points: 100 }); } }, ["+100"]),
        el("button", { type: "button", "class": "button button--quiet", "aria-label": "Take 100 points from " + row.label,
          onclick: function () { send("game.award", { entrant_id: row.id, points: -100 }); } }, ["−100"])
      ]);
    })));
    parts.push(el("div", { "class": "control-row" }, [
      el("button", { type: "button", "class": "button button--quiet", onclick: function () { send("mode", { mode: "game" }); } }, ["Put game on screen"]),
      el("button", { type: "button", "class": "button button--danger", onclick: function () { send("game.close"); } }, ["Close game"])
    ]));
    C.fill(box, parts);
  }

  /** Remember which dynamic button had focus, so a re-render does not drop keyboard users. */
  function focusSpot() {
    var active = document.activeElement;
    var regions = ["activity", "game", "agenda"];
    for (var i = 0; i < regions.length; i++) {
      var region = $(regions[i]);
      if (region.contains(active)) {
        return { region: regions[i], index: Array.prototype.indexOf.call(region.querySelectorAll("button"), active) };
      }
    }
    return null;
  }

  function restoreFocus(spot) {
    if (!spot || spot.index < 0) return;
    var buttons = $(spot.region).querySelectorAll("button");
    var target = buttons[Math.min(spot.index, buttons.length - 1)];
    if (target) target.focus();
  }

  function render(s) {
    var spot = focusSpot();
    state = s;
    renderSlides(s);
    root.classList.toggle("names-hidden", !!s.names_hidden);
    renderAgenda(s.agenda);
    renderActivity(s.activity);
    renderGame(s.game);
    countdown.set(s.timer);
    root.setAttribute("data-screen-mode", s.mode);
    root.setAttribute("data-slide", String(s.slide.index));
    restoreFocus(spot);
  }

  // ------------------------------------------------------------ wiring

  document.querySelectorAll("[data-action]").forEach(function (button) {
    button.addEventListener("click", function () { send(button.getAttribute("data-action")); });
  });
  document.querySelectorAll("button[data-mode]").forEach(function (button) {
    button.addEventListener("click", function () { send("mode", { mode: button.getAttribute("data-mode") }); });
  });
  $("goto-slide").addEventListener("change", function (e) { send("goto", { index: Number(e.target.value) }); });
  $("module-select").addEventListener("change", function (e) { send("module", { module_id: e.target.value }); });
  $("timer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    send("timer_reset", { minutes: Number($("timer-minutes").value) });
  });
  function showActivityFields() {
    var question = $("activity-kind").value === "question";
    $("question-field").hidden = !question;
    $("vignette-field").hidden = question;
  }
  $("activity-kind").addEventListener("change", showActivityFields);
  showActivityFields();
  $("activity-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var kind = $("activity-kind").value.split(":");
    send("start_activity", { kind: kind[0], statement_kind: kind[1] || null, vignette: $("activity-vignette").value,
      question: kind[0] === "question" ? $("activity-question").value : null });
  });

  /** The game form holds its own limit: past six ticks the other boxes are disabled, and the count says so. */
  function enforceGameLimit() {
    var limit = $("game-limit");
    var max = Number(limit.getAttribute("data-max"));
    var boxes = document.querySelectorAll("#game-form input[name=modules]");
    var chosen = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    Array.prototype.forEach.call(boxes, function (b) { b.disabled = !b.checked && chosen >= max; });
    limit.textContent = "Choose up to " + max + " categories: modules, family cases or both. " + chosen + " chosen" +
      (chosen >= max ? " (the board is full: untick one to choose another)." : ".");
  }
  document.querySelectorAll("#game-form input[name=modules]").forEach(function (box) {
    box.addEventListener("change", enforceGameLimit);
  });
  enforceGameLimit();
  $("game-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var modules = Array.prototype.map.call(document.querySelectorAll("#game-form input[name=modules]:checked"), function (i) { return i.value; });
    var mode = document.querySelector("#game-form input[name=mode]:checked").value;
    send("start_game", { modules: modules, mode: mode, teams: $("game-teams").value });
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || C.isTyping(event)) return;
    var key = event.key;
    if (key === "ArrowRight" || key === " " || key === "PageDown") { event.preventDefault(); send("next"); }
    else if (key === "ArrowLeft" || key === "PageUp") { event.preventDefault(); send("prev"); }
    else if (key === "b" || key === "B") { event.preventDefault(); send("blank"); }
    else if (key === "t" || key === "T") { event.preventDefault(); send("timer_toggle"); }
  });

  poller.start();
})();
