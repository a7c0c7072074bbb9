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

  // ------------------------------------------------------------ the response wall

  var seenCards = null; // card keys already on the wall: only new ones animate in
  var wallPage = 0;
  var wallTimer = null;
  var WALL_PAGE_MS = 12000;

  /** The word summary: a ranked list whose words and counts are text; the bars only echo the counts. */
  function renderWords(words) {
    var max = Math.max.apply(null, [1].concat(words.words.map(function (w) { return w.count; })));
    return el("figure", { "class": "words", "aria-labelledby": "words-title" }, [
      el("figcaption", { id: "words-title", "class": "words__title",
        text: "Most used words · " + words.answers + " approved answer" + (words.answers === 1 ? "" : "s") }),
      words.words.length ? el("ol", { "class": "words__list" }, words.words.map(function (w) {
        return el("li", { "class": "words__row" }, [
          el("span", { "class": "words__word", text: w.word }),
          el("span", { "class": "words__track", "aria-hidden": "true" }, [el("span", { "class": "words__bar", style: { width: (100 * w.count / max) + "%" } })]),
          el("span", { "class": "words__count", text: String(w.count) }),
          el("span", { "class": "visually-hidden", text: w.count === 1 ? " answer" : " answers" })
        ]);
      })) : el("p", { "class": "hint", text: "Words appear here as answers are approved." })
    ]);
  }

  function wallCard(item, animate) {
    var text = el("p", { "class": "wall-card__text" }, item.marks ? C.markedText(item.text, item.marks.findings) : [item.text]);
    return el("article", { "class": "wall-card" + (item.featured ? " wall-card--featured" : "") + (animate ? " wall-card--new" : ""),
      "data-key": item.key }, [text, renderMarks(item.marks), el("p", { "class": "wall-card__label", text: item.label })]);
  }

  function renderWall(activity) {
    if (!activity.results_shown) return [el("p", { "class": "hint", text: "Results are hidden." })];
    var first = seenCards === null;
    seenCards = seenCards || {};
    var cards = activity.wall.map(function (item) {
      var card = wallCard(item, !first && !seenCards[item.key]);
      seenCards[item.key] = true;
      return card;
    });
    var parts = [];
    if (cards.length) {
      parts.push(el("div", { "class": "wall", id: "wall", "data-count": String(Math.min(cards.length, 12)) }, cards));
      parts.push(el("p", { "class": "wall-pages", id: "wall-pages", "aria-hidden": "true" }));
    } else {
      parts.push(el("p", { "class": "hint", text: activity.kind === "question"
        ? "Answer on your phone. Approved answers appear here without names."
        : "Write your response on your phone. Approved responses appear here without names." }));
    }
    var box = [el("div", { "class": "wall-area" + (activity.words ? " wall-area--words" : "") }, [
      el("div", { "class": "wall-area__cards" }, parts), activity.words ? renderWords(activity.words) : null])];
    return box;
  }

  /** Fit the wall: shrink its type (never below 28px); past that, show it a page at a time, turning every 12 s. */
  function fitWall() {
    var wall = $("wall");
    clearInterval(wallTimer);
    if (!wall || !wall.offsetParent) return;
    var cards = Array.prototype.slice.call(wall.children);
    cards.forEach(function (c) { c.hidden = false; });
    wall.style.fontSize = "";
    var size = parseFloat(getComputedStyle(wall).fontSize);
    while (wall.scrollHeight > wall.clientHeight + 2 && size > 28) {
      size = Math.max(28, size - 2);
      wall.style.fontSize = size + "px";
    }
    // Cards fill the grid row by row, so the first card that ends below the wall starts the next page.
    var pages = [];
    for (var start = 0; start < cards.length;) {
      cards.forEach(function (c, i) { c.hidden = i < start; });
      var end = start + 1;
      while (end < cards.length && cards[end].offsetTop + cards[end].offsetHeight <= wall.clientHeight + 1) end++;
      pages.push([start, end]);
      start = end;
    }
    var label = $("wall-pages");
    function showPage() {
      wallPage = wallPage % pages.length;
      var page = pages[wallPage];
      cards.forEach(function (c, i) { c.hidden = i < page[0] || i >= page[1]; });
      label.textContent = pages.length > 1 ? "Page " + (wallPage + 1) + " of " + pages.length + " · " + cards.length + " responses" : "";
    }
    showPage();
    if (pages.length > 1) wallTimer = setInterval(function () { wallPage += 1; showPage(); }, WALL_PAGE_MS);
  }
  window.addEventListener("resize", fitWall);

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
          el("span", { "class": "bar__track" }, [el("span", { "class": "bar__fill", style: { width: (100 * bar.count / max) + "%" } })]),
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
    if (!activity) { seenCards = null; return; }
    $("activity-title").textContent = activity.kind === "question" ? activity.prompt : activity.title;
    $("activity-status").textContent = activity.received + (activity.kind === "mapping" ? (activity.received === 1 ? " map sent" : " maps sent") : (activity.received === 1 ? " response in" : " responses in")) +
      (activity.kind !== "mapping" ? " · " + activity.approved + " approved" : "") +
      (activity.locked ? " · submissions locked" : "");
    if ($("mode-activity").getAttribute("data-activity") !== String(activity.id)) {
      seenCards = null; // another activity: its cards start without animation
      $("mode-activity").setAttribute("data-activity", String(activity.id));
    }
    C.fill($("activity-body"), activity.kind === "mapping" ? renderMapping(activity) : renderWall(activity));
  }

  function renderGame(game) {
    if (!game) return;
    var main = $("game-main");
    if (game.clue) {
      var clue = game.clue;
      C.fill(main, [
        el("p", { "class": "clue-meta", text: clue.category + " · " + clue.points + " points · " + clue.answers_in +
          (clue.answers_in === 1 ? " answer in" : " answers in") }),
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
      C.fill(main, [el("div", { "class": "board", style: { gridTemplateColumns: "repeat(" + game.board.length + ", 1fr)" } }, cells)]);
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
    if (state.mode === "activity") fitWall();
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

  // The connection line at the foot of the screen: "Reconnecting…" while polls fail, else what went wrong
  // with the last key pressed here (kept a while, so the presenter can look up from the laptop and read it).
  var timeoutMs = Number(body.getAttribute("data-timeout-ms")) || 10000;
  var NOTE_MS = 15000;
  var offline = false;
  var note = "";
  var noteTimer = null;

  function showConnection() {
    var text = offline ? "Reconnecting…" : note;
    $("connection").textContent = text;
    $("connection").classList.toggle("connection--problem", !!text);
    if (body.classList.contains("has-problem") !== !!text) {
      body.classList.toggle("has-problem", !!text); // makes room for the line below the slide: fit again
      fitSlide($("slide"));
      fitWall();
    }
  }

  function setNote(text) {
    note = text;
    clearTimeout(noteTimer);
    if (text) noteTimer = setTimeout(function () { setNote(""); }, NOTE_MS);
    showConnection();
  }

  var poller = new C.Poller(stateUrl, {
    timeoutMs: timeoutMs,
    onState: render,
    onStatus: function (status) {
      offline = status === "offline";
      showConnection();
      if (status === "ended") ended();
    }
  });
  poller.start(JSON.parse($("initial-state").textContent));

  /** Send one of the projector's keys, then refresh at once; say on the connection line when it fails. */
  function send(action, extra) {
    var payload = extra || {};
    payload.action = action;
    return window.SOP.postJSON(controlUrl, payload, timeoutMs).then(function (result) {
      setNote(result.ok ? "" : (result.data.error || "That key did not work. Press it again."));
      poller.now();
    }).catch(function (error) {
      // A timed-out key may still have arrived: pressing it again blindly could skip two slides.
      setNote(error && error.name === "AbortError"
        ? "No answer in " + Math.round(timeoutMs / 1000) + " s: that key may not have arrived. " +
          "Check the screen, then press it again if nothing changed."
        : "Connection lost: that key was not sent. Press it again.");
      poller.now();
    });
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
