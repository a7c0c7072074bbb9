/* The projector: shows whatever the session's state says, and takes the presenter's keys. */
(function () {
  "use strict";
  var C = window.Classroom;
  var el = C.el;
  var body = document.body;
  var stateUrl = body.getAttribute("data-state-url");
  var controlUrl = body.getAttribute("data-control-url");
  var current = null;
  var $ = function (id) { return document.getElementById(id); };

  // Keep the code out of the address bar: a reload of the clean address resumes from the cookie.
  if (window.history && history.replaceState) history.replaceState(null, "", body.getAttribute("data-clean-url"));

  var countdown = new C.Countdown(function (left, running) {
    var node = $("timer");
    if (!current || (!current.timer.running && current.timer.left === current.timer.seconds)) {
      node.hidden = true;
      return;
    }
    node.hidden = false;
    node.textContent = left < 0 ? "Time is up " + C.clock(left) : C.clock(left) + (running ? "" : " (paused)");
    node.classList.toggle("timer--over", left < 0);
  });

  function show(mode) {
    if (mode !== "slides") $("slide").setAttribute("data-fitted", "");
    ["slides", "agenda", "join", "activity", "game"].forEach(function (name) {
      $("mode-" + name).hidden = name !== mode;
    });
    $("join-corner").hidden = !(mode === "activity" || mode === "game");
    body.setAttribute("data-mode", mode);
  }

  function renderSlide(slide) {
    var node = $("slide");
    if (node.getAttribute("data-key") !== slide.module_id + ":" + slide.index) {
      node.innerHTML = slide.html; // sanitised on the server (nh3)
      node.setAttribute("data-key", slide.module_id + ":" + slide.index);
      node.setAttribute("data-fitted", "");
    }
    body.setAttribute("data-slide", String(slide.index));
    $("slide-count").textContent = slide.module_title + " · " + (slide.index + 1) + " / " + slide.count;
  }

  /** Shrink a long slide's type until it fits, but never below 28px; past that it scrolls. */
  function fitSlide(node) {
    if (!node.offsetParent) return; // hidden: fit when it is shown
    node.setAttribute("data-fitted", "1");
    node.style.fontSize = "";
    var size = parseFloat(getComputedStyle(node).fontSize);
    while (node.scrollHeight > node.clientHeight + 2 && size > 28) {
      size = Math.max(28, size - 2);
      node.style.fontSize = size + "px";
    }
    body.classList.toggle("slide-fits-small", node.scrollHeight > node.clientHeight + 2);
  }
  window.addEventListener("resize", function () { fitSlide($("slide")); });

  function renderAgenda(rows) {
    C.fill($("agenda"), rows.map(function (row) {
      return el("li", { "class": "agenda-row agenda-row--" + row.status, "aria-current": row.status === "now" ? "step" : null }, [
        el("span", { "class": "agenda-row__time", text: row.starts + "–" + row.ends }),
        el("span", { "class": "agenda-row__title", text: row.title }),
        el("span", { "class": "agenda-row__status", text: row.status === "now" ? "◆ Now" : row.status === "done" ? "✓ Done" : row.minutes + " min" })
      ]);
    }));
  }

  function renderMarks(marks) {
    if (!marks) return null;
    var verdict = marks.verdict === "ready" ? "✓ Ready" : "✎ Revise";
    return el("div", { "class": "marks" }, [
      el("p", { "class": "marks__verdict marks__verdict--" + marks.verdict, text: "Grader: " + verdict }),
      el("ul", { "class": "marks__components" }, marks.components.map(function (c) {
        return el("li", { "class": c.present ? "has" : "missing", text: (c.present ? "✓ " : "✗ missing: ") + c.label });
      }))
    ]);
  }

  function renderStatement(activity) {
    if (!activity.results_shown) return [el("p", { "class": "hint", text: "Results are hidden." })];
    if (!activity.spotlight.length) return [el("p", { "class": "hint", text: "Write your response on your device. Selected responses appear here without names." })];
    return [el("div", { "class": "spotlight" }, activity.spotlight.map(function (item) {
      var text = el("p", { "class": "spotlight__text" }, item.marks ? C.markedText(item.text, item.marks.findings) : [item.text]);
      return el("article", { "class": "spotlight__item" }, [
        el("h3", { text: item.label }), text, renderMarks(item.marks)
      ]);
    }))];
  }

  function renderMapping(activity) {
    var fact = activity.fact;
    var max = Math.max.apply(null, [1].concat(fact.bars.map(function (b) { return b.count; })));
    var parts = [
      el("p", { "class": "fact-number", text: "Fact " + fact.number + " of " + activity.fact_count + " · " + fact.placed + " placed" }),
      el("blockquote", { "class": "fact-text", text: fact.text })
    ];
    if (fact.bars.length) {
      parts.push(el("ul", { "class": "bars", "aria-label": "How the room placed this fact" }, fact.bars.map(function (bar) {
        var isAnswer = fact.revealed && bar.category === fact.answer_category;
        return el("li", { "class": "bar" + (isAnswer ? " bar--answer" : ""), "data-category": bar.category, "data-count": String(bar.count) }, [
          el("span", { "class": "bar__label", text: (isAnswer ? "✓ " : "") + bar.label }),
          el("span", { "class": "bar__track" }, [el("span", { "class": "bar__fill", style: "width:" + (100 * bar.count / max) + "%" })]),
          el("span", { "class": "bar__count", text: String(bar.count) })
        ]);
      })));
    } else {
      parts.push(el("p", { "class": "hint", text: "Results are hidden." }));
    }
    if (fact.revealed) {
      parts.push(el("div", { "class": "reveal" }, [
        el("p", { "class": "reveal__answer", text: "Answer: " + fact.answer }),
        el("p", { text: fact.explanation })
      ]));
    }
    return parts;
  }

  function renderActivity(activity) {
    if (!activity) return;
    $("activity-title").textContent = activity.title;
    $("activity-status").textContent = activity.received + (activity.kind === "mapping" ? (activity.received === 1 ? " map sent" : " maps sent") : (activity.received === 1 ? " response in" : " responses in")) +
      (activity.locked ? " · submissions locked" : "");
    C.fill($("activity-body"), activity.kind === "mapping" ? renderMapping(activity) : renderStatement(activity));
  }

  function renderGame(game) {
    if (!game) return;
    var main = $("game-main");
    if (game.clue) {
      var clue = game.clue;
      C.fill(main, [
        el("p", { "class": "clue-meta", text: clue.category + " · " + clue.points + " points · " + clue.answers_in + " answers in" }),
        el("h2", { "class": "clue-prompt", text: clue.prompt }),
        el("ol", { "class": "clue-options" }, clue.options.map(function (option, i) {
          var right = clue.revealed && i === clue.answer;
          return el("li", { "class": "clue-option" + (right ? " clue-option--right" : "") }, [
            el("span", { "class": "clue-option__letter", text: option.letter }),
            el("span", { text: option.text }),
            clue.revealed ? el("span", { "class": "clue-option__count", text: (right ? " ✓ correct · " : " · ") + clue.counts[i] + " chose this" }) : null
          ]);
        })),
        clue.revealed && clue.explanation ? el("p", { "class": "reveal", text: clue.explanation }) : null
      ]);
    } else {
      var cells = game.board.map(function (column) { return el("h3", { "class": "board__category", text: column.category }); });
      var rows = Math.max.apply(null, game.board.map(function (column) { return column.clues.length; }));
      for (var rank = 0; rank < rows; rank++) {
        game.board.forEach(function (column) {
          var clue = column.clues[rank];
          cells.push(clue ? el("div", { "class": "board__cell" + (clue.used ? " board__cell--used" : "") },
            [clue.used ? el("span", { "class": "visually-hidden", text: "answered" }) : null, clue.used ? "—" : String(clue.points)]) : el("div"));
        });
      }
      C.fill(main, [el("div", { "class": "board", style: "grid-template-columns: repeat(" + game.board.length + ", 1fr)" }, cells)]);
    }
    C.fill($("scores"), game.scores.map(function (row) {
      return el("li", { "class": "scores__row" }, [el("span", { text: row.label }), el("strong", { text: String(row.score) })]);
    }));
  }

  function render(state) {
    current = state;
    if (state.ended) return ended();
    show(state.mode);
    renderSlide(state.slide);
    if (state.mode === "slides" && !$("slide").getAttribute("data-fitted")) fitSlide($("slide"));
    renderAgenda(state.agenda);
    renderActivity(state.activity);
    renderGame(state.game);
    $("blank").hidden = !state.blanked;
    body.classList.toggle("is-blank", !!state.blanked);
    countdown.set(state.timer);
    body.setAttribute("data-version", String((Number(body.getAttribute("data-version")) || 0) + 1));
  }

  function ended() {
    show("none");
    $("ended").hidden = false;
    $("blank").hidden = true;
  }

  var poller = new C.Poller(stateUrl, {
    onState: render,
    onStatus: function (status) {
      $("connection").textContent = status === "offline" ? "Reconnecting…" : "";
      if (status === "ended") ended();
    }
  });
  poller.start(JSON.parse($("initial-state").textContent));

  function send(action, extra) {
    var payload = extra || {};
    payload.action = action;
    return window.SOP.postJSON(controlUrl, payload).then(function () { poller.now(); });
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen && document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () { /* refused: stay windowed */ });
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || C.isTyping(event)) return;
    var key = event.key;
    if (key === "ArrowRight" || key === " " || key === "PageDown") { event.preventDefault(); send("next"); }
    else if (key === "ArrowLeft" || key === "PageUp") { event.preventDefault(); send("prev"); }
    else if (key === "b" || key === "B" || key === ".") { event.preventDefault(); send("blank"); }
    else if (key === "f" || key === "F") { event.preventDefault(); toggleFullscreen(); }
    else if (key === "t" || key === "T") { event.preventDefault(); send("timer_toggle"); }
  });
  document.addEventListener("fullscreenchange", function () {
    body.classList.toggle("is-fullscreen", !!document.fullscreenElement);
  });
})();
