/* The mapping board: drag, keyboard and menu placing; entries in the learner's own words; autosave with
   revisions, a conflict banner for a second tab, restore from this browser, and a warning on leaving.
   It enhances one plain form (templates/exercises/mapping.html) that works without JavaScript. */
(function () {
  "use strict";

  var SOP = window.SOP = window.SOP || {};

  var TYPING_MS = 800;     // save this long after the last keystroke
  var RETRY_MS = 8000;     // try again after a network failure
  var AGO_MS = 30000;      // refresh "Saved 2 min ago"
  var EDGE_PX = 80;        // hold a fact this close to the window's top or bottom and the page scrolls
  var MAX_SCROLL_PX = 22;  // scroll per frame at the very edge

  // ------------------------------------------------------------ small helpers

  var drafts = SOP.drafts;  // drafts-common.js
  var clock = drafts.clock, readStore = drafts.readStore, writeStore = drafts.writeStore;
  var postJSON = drafts.postKeepalive, getJSON = drafts.getJSON;
  var NOT_SAVED = drafts.notSaved("map");

  /** Return "Saved just now", "Saved 2 min ago" or "Saved at 14:05" for an ISO time. */
  function savedAgo(iso) {
    if (!iso) return "Not saved yet";
    var when = new Date(iso);
    var seconds = Math.max(0, (Date.now() - when.getTime()) / 1000);
    if (seconds < 60) return "Saved just now";
    if (seconds < 3600) return "Saved " + Math.floor(seconds / 60) + " min ago";
    return "Saved at " + clock(when);
  }

  /** Return an entry's text as the server keeps it: one line, single spaces. */
  function cleanText(text) {
    return String(text || "").replace(/\s+/g, " ").trim();
  }

  /** Return a board state with sorted placements, so two copies compare as strings. */
  function normal(state) {
    var placements = {};
    Object.keys(state.placements || {}).sort().forEach(function (id) {
      if (state.placements[id]) placements[id] = state.placements[id];
    });
    var entries = (state.entries || []).map(function (e) {
      return { key: e.key, column: e.column, text: cleanText(e.text) };
    }).filter(function (e) { return e.text; });
    var scale = state.scale === null || state.scale === undefined || state.scale === "" ? null : +state.scale;
    return { placements: placements, entries: entries, scale: scale, scale_reason: String(state.scale_reason || "").trim() };
  }

  function same(a, b) {
    return JSON.stringify(normal(a)) === JSON.stringify(normal(b));
  }

  /** Add the changes made since `base` in `mine` to the newer `theirs` (the server's merge_states, in the page). */
  function merge(base, mine, theirs) {
    base = normal(base); mine = normal(mine); theirs = normal(theirs);
    var placements = Object.assign({}, theirs.placements);
    Object.keys(Object.assign({}, base.placements, mine.placements)).forEach(function (id) {
      if (mine.placements[id] !== base.placements[id]) {
        if (mine.placements[id]) placements[id] = mine.placements[id];
        else delete placements[id];
      }
    });
    var old = {}, now = {};
    base.entries.forEach(function (e) { old[e.key] = e; });
    mine.entries.forEach(function (e) { now[e.key] = e; });
    var changed = function (e) { return !old[e.key] || JSON.stringify(old[e.key]) !== JSON.stringify(e); };
    var entries = [], kept = {};
    theirs.entries.forEach(function (e) {
      if (old[e.key] && !now[e.key]) return;  // removed here
      var pick = now[e.key] && changed(now[e.key]) ? now[e.key] : e;
      entries.push(pick);
      kept[e.key] = true;
    });
    mine.entries.forEach(function (e) {  // added here, or edited here after the other copy removed it
      if (!kept[e.key] && changed(e)) entries.push(e);
    });
    return {
      placements: placements, entries: entries,
      scale: mine.scale !== base.scale ? mine.scale : theirs.scale,
      scale_reason: mine.scale_reason !== base.scale_reason ? mine.scale_reason : theirs.scale_reason,
    };
  }

  /** Return a fresh entry key, like the server's. */
  function newKey() {
    var bytes = new Uint8Array(6);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ------------------------------------------------------------ the board

  function MappingBoard(form) {
    this.form = form;
    this.live = form.querySelector("[data-board-live]");
    this.zones = Array.prototype.slice.call(form.querySelectorAll("[data-zone]"));
    this.columns = Array.prototype.slice.call(form.querySelectorAll("[data-column]"));
    this.revisionInput = form.querySelector("[data-revision]");
    this.baseInput = form.querySelector("[data-base]");
    this.saveState = form.querySelector("[data-save-state]");
    this.progress = form.querySelector("[data-board-progress]");
    this.conflict = form.querySelector("[data-conflict]");
    this.restore = form.querySelector("[data-restore]");
    this.template = document.querySelector("[data-entry-template]");
    this.storageKey = form.getAttribute("data-storage-key");
    this.maxEntries = +form.getAttribute("data-max-entries") || 10;
    this.savedAt = form.getAttribute("data-saved-at") || null;
    this.revision = parseInt(this.revisionInput.value || "0", 10);
    this.saved = normal(JSON.parse(this.baseInput.value || "{}"));  // the copy the server has
    this.sent = this.saved;                                        // the newest copy on its way there
    this.checked = {};     // entry key -> the text its flags describe
    this.inFlight = false;
    this.queued = null;    // "save" | "check"
    this.blocked = false;  // a conflict waits for the learner
    this.lifted = null;
    this.init();
  }

  MappingBoard.prototype.init = function () {
    var self = this;
    this.form.querySelector("[data-board-help]").hidden = false;
    this.cards().forEach(function (card) { self.enhanceCard(card); });
    this.entryItems().forEach(function (item) {
      if (item.querySelector("[data-entry-flags]").children.length) {
        self.checked[item.getAttribute("data-entry")] = cleanText(item.querySelector("[data-entry-text]").value);
      }
    });
    this.form.addEventListener("input", function (event) { self.onInput(event); });
    this.form.addEventListener("change", function (event) { self.onChange(event); });
    this.form.addEventListener("keydown", function (event) { self.onEntryKey(event); });
    this.form.addEventListener("submit", function (event) { self.onSubmit(event); });
    this.conflict.querySelector("[data-conflict-merge]").addEventListener("click", function () { self.resolve(true); });
    this.conflict.querySelector("[data-conflict-load]").addEventListener("click", function () { self.resolve(false); });
    this.restore.querySelector("[data-restore-use]").addEventListener("click", function () { self.restoreLocal(); });
    drafts.bindRestoreDismiss(this.restore, this.storageKey);
    drafts.warnOnLeave(function () {
      if (self.leaving || !(self.unsent() || self.blocked)) return false;
      if (!self.blocked) self.save("save");  // keepalive: it may still arrive if the learner leaves
      return true;
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") self.sync();
    });
    window.addEventListener("pageshow", function (event) { if (event.persisted) self.sync(); });
    setInterval(function () { if (!self.unsaved() && !self.blocked) self.showSaved(); }, AGO_MS);
    this.refresh();
    var errors = document.getElementById("form-errors");
    if (errors) errors.focus();  // after a refused check or a conflict, start where the message is
    if (this.unsaved()) this.setSaveState("Not saved yet", false);
    else this.showSaved();
    this.offerLocal();
  };

  MappingBoard.prototype.cards = function () {
    return Array.prototype.slice.call(this.form.querySelectorAll("[data-fact]"));
  };

  MappingBoard.prototype.entryItems = function () {
    return Array.prototype.slice.call(this.form.querySelectorAll("[data-entries] [data-entry]"));
  };

  // ---------------------------------------------------------- reading and writing the board

  /** Return the board as shown now. */
  MappingBoard.prototype.state = function () {
    var placements = {};
    this.cards().forEach(function (card) {
      var value = card.querySelector("[data-fact-select]").value;
      if (value) placements[card.getAttribute("data-fact")] = value;
    });
    var entries = this.entryItems().map(function (item) {
      return { key: item.getAttribute("data-entry"), column: item.querySelector("[data-entry-column]").value,
               text: item.querySelector("[data-entry-text]").value };
    });
    var checkedScale = this.form.querySelector("[data-scale]:checked");
    var reason = this.form.querySelector("[data-scale-reason]");
    return normal({ placements: placements, entries: entries, scale: checkedScale ? checkedScale.value : null,
                    scale_reason: reason.value });
  };

  /** Whether the board differs from the copy the server has. */
  MappingBoard.prototype.unsaved = function () { return !same(this.state(), this.saved); };

  /** Whether anything would be lost on leaving: changes not sent yet (a save in flight outlives the page),
      or words typed in an add box and not added. */
  MappingBoard.prototype.unsent = function () { return !same(this.state(), this.sent) || !!this.drafts(); };

  /** Return the words typed in add boxes and not added yet, by column (null when there are none). */
  MappingBoard.prototype.drafts = function () {
    var drafts = null;
    this.form.querySelectorAll("[data-entry-new]").forEach(function (box) {
      if (cleanText(box.value)) {
        drafts = drafts || {};
        drafts[box.closest("[data-column]").getAttribute("data-column")] = box.value;
      }
    });
    return drafts;
  };

  /** Put words kept from the add boxes back into them. */
  MappingBoard.prototype.putDrafts = function (drafts) {
    var form = this.form;
    Object.keys(drafts || {}).forEach(function (column) {
      var box = form.querySelector('[data-column="' + column + '"] [data-entry-new]');
      if (box && !cleanText(box.value)) box.value = drafts[column];
    });
  };

  /** Show a board state: move the cards, rebuild the entries, set the scale and reason. */
  MappingBoard.prototype.apply = function (state, flags, server) {
    var self = this;
    state = normal(state);
    this.cards().forEach(function (card) {
      var column = state.placements[card.getAttribute("data-fact")] || "";
      self.zoneFor(column).querySelector(".zone__list").appendChild(card);
      card.querySelector("[data-fact-select]").value = column;
    });
    var serverText = {}, shown = {};
    ((server && server.entries) || []).forEach(function (e) { serverText[e.key] = cleanText(e.text); });
    this.entryItems().forEach(function (item) {  // checks already shown stay while their text stays
      var key = item.getAttribute("data-entry");
      if (self.checked[key] !== undefined) {
        shown[key] = { text: self.checked[key], html: item.querySelector("[data-entry-flags]").innerHTML };
      }
      item.remove();
    });
    this.checked = {};
    state.entries.forEach(function (e) {
      var item = self.addEntryItem(e.column, e.key, e.text);
      var html = flags && flags[e.key] && serverText[e.key] === e.text ? flags[e.key]
        : (shown[e.key] && shown[e.key].text === e.text ? shown[e.key].html : null);
      if (html !== null) {
        item.querySelector("[data-entry-flags]").innerHTML = html;
        self.checked[e.key] = e.text;
      }
    });
    this.form.querySelectorAll("[data-scale]").forEach(function (radio) {
      radio.checked = state.scale !== null && +radio.value === state.scale;
    });
    this.form.querySelector("[data-scale-reason]").value = state.scale_reason;
    this.refresh();
  };

  /** Keep counts, entry numbers, add boxes and the progress note in step with the board. */
  MappingBoard.prototype.refresh = function () {
    var self = this;
    this.zones.forEach(function (zone) {
      var count = zone.querySelector("[data-count]");
      if (count) count.textContent = "(" + zone.querySelectorAll("[data-fact]").length + ")";
    });
    var pool = this.zoneFor("");
    pool.querySelector("[data-pool-empty]").hidden = pool.querySelectorAll("[data-fact]").length > 0;
    var empty = [];
    this.columns.forEach(function (column) {
      var label = self.columnName(column);
      var items = column.querySelectorAll("[data-entries] [data-entry]");
      Array.prototype.forEach.call(items, function (item, index) {
        var name = label + ", entry " + (index + 1);
        item.querySelector("[data-entry-label]").textContent = name;
        item.querySelectorAll("[data-entry-name]").forEach(function (span) {
          span.textContent = span.getAttribute("data-entry-name") + name;
        });
      });
      column.querySelector("[data-entry-add-box]").hidden = items.length >= self.maxEntries;
      var filled = Array.prototype.some.call(items, function (item) {
        return cleanText(item.querySelector("[data-entry-text]").value);
      });
      if (!filled) empty.push(label);
    });
    var unplaced = pool.querySelectorAll("[data-fact]").length;
    var parts = [];
    if (unplaced) parts.push("place " + unplaced + " more fact" + (unplaced === 1 ? "" : "s"));
    if (empty.length > 2) parts.push("write in " + empty.length + " more columns");
    else if (empty.length) parts.push("write in " + empty.join(" and "));
    this.progress.textContent = parts.length
      ? "Before the model map opens: " + parts.join(", and ") + "."
      : "Every fact is placed and every column has an entry: check your map to see the model map.";
  };

  MappingBoard.prototype.columnName = function (column) {
    return column.querySelector(".zone__title").firstChild.textContent.trim();
  };

  MappingBoard.prototype.zoneFor = function (category) {
    for (var i = 0; i < this.zones.length; i++) {
      if (this.zones[i].getAttribute("data-zone") === category) return this.zones[i];
    }
    return this.zones[0];
  };

  MappingBoard.prototype.say = function (text) {
    var live = this.live;
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 30);
  };

  // ---------------------------------------------------------- learner actions

  MappingBoard.prototype.onInput = function (event) {
    var target = event.target;
    if (target.matches("[data-entry-text]")) {
      var item = target.closest("[data-entry]");
      var flags = item.querySelector("[data-entry-flags]");
      flags.classList.toggle("entry__flags--stale", this.checked[item.getAttribute("data-entry")] !== undefined &&
        cleanText(target.value) !== this.checked[item.getAttribute("data-entry")]);
      this.changed(false);
    } else if (target.matches("[data-scale-reason]")) {
      this.changed(false);
    } else if (target.matches("[data-entry-new]")) {
      this.remember();  // typed but not added yet: kept in this browser, and the plain form saves it too
    }
  };

  MappingBoard.prototype.onChange = function (event) {
    var target = event.target;
    if (target.matches("[data-fact-select]")) {
      this.place(target.closest("[data-fact]"), target.value, false);
    } else if (target.matches("[data-entry-column]")) {
      this.moveEntryTo(target.closest("[data-entry]"), target.value);
    } else if (target.matches("[data-scale]")) {
      this.changed(true);
    } else if (target.matches("[data-entry-text]")) {
      this.changed(true);  // left an edited entry: save and check its words now
    }
  };

  /** Enter adds from an add box, or finishes an entry (entries are one line). */
  MappingBoard.prototype.onEntryKey = function (event) {
    if (event.key !== "Enter" || event.shiftKey) return;
    if (event.target.matches("[data-entry-new]")) {
      event.preventDefault();
      this.add(event.target.closest("[data-column]"));
    } else if (event.target.matches("[data-entry-text]")) {
      event.preventDefault();
      this.changed(true);
      this.say("Saved and checked when the check comes back.");
    }
  };

  MappingBoard.prototype.onSubmit = function (event) {
    var button = event.submitter;
    var action = button ? button.value : "save";
    event.preventDefault();
    if (this.leaving) return;  // a second click while the check is on its way: it is already sent
    if (action.indexOf("add:") === 0) this.add(button.closest("[data-column]"));
    else if (action.indexOf("remove:") === 0) this.removeEntry(button.closest("[data-entry]"));
    else if (action.indexOf("up:") === 0) this.moveEntry(button.closest("[data-entry]"), "up");
    else if (action.indexOf("down:") === 0) this.moveEntry(button.closest("[data-entry]"), "down");
    else if (action === "check") this.checkMap();
    else this.saveOnPurpose();
  };

  /** Add the add box's text as a new entry in its column, then save and check it. */
  MappingBoard.prototype.add = function (column) {
    var box = column.querySelector("[data-entry-new]");
    var text = cleanText(box.value);
    if (!text) {
      box.focus();
      this.say("Write the entry first, then add it.");
      return;
    }
    this.addEntryItem(column.getAttribute("data-column"), newKey(), text);
    box.value = "";
    this.refresh();
    box.focus();
    this.say("Added to " + this.columnName(column) + ".");
    this.changed(true);
  };

  /** Build an entry from the page's template and put it at the end of its column. */
  MappingBoard.prototype.addEntryItem = function (columnId, key, text) {
    var column = this.form.querySelector('[data-column="' + columnId + '"]');
    var html = this.template.innerHTML.split("__key__").join(key).split("__column__").join(columnId);
    var holder = document.createElement("ol");
    holder.innerHTML = html;
    var item = holder.querySelector("[data-entry]");
    item.querySelector("[data-entry-text]").value = text;
    item.querySelector("[data-entry-column]").value = columnId;
    column.querySelector("[data-entries]").appendChild(item);
    return item;
  };

  /** Move an entry one place up or down within its column; focus stays on the button pressed. */
  MappingBoard.prototype.moveEntry = function (item, direction) {
    var sibling = direction === "up" ? item.previousElementSibling : item.nextElementSibling;
    var button = item.querySelector('[data-entry-move="' + direction + '"]');
    if (!sibling) {
      this.say(direction === "up" ? "Already first in this column." : "Already last in this column.");
      return;
    }
    if (direction === "up") sibling.before(item);
    else sibling.after(item);
    this.refresh();
    button.focus();
    this.say("Moved " + direction + ". Now " + item.querySelector("[data-entry-label]").textContent + ".");
    this.changed(true);
  };

  /** Move an entry to the end of another column (its column menu); focus stays on the menu. */
  MappingBoard.prototype.moveEntryTo = function (item, columnId) {
    var column = this.form.querySelector('[data-column="' + columnId + '"]');
    var list = column.querySelector("[data-entries]");
    if (list.children.length >= this.maxEntries) {
      item.querySelector("[data-entry-column]").value = item.closest("[data-column]").getAttribute("data-column");
      this.say(this.columnName(column) + " already has " + this.maxEntries + " entries. Remove one there first.");
      return;
    }
    list.appendChild(item);
    this.refresh();
    item.querySelector("[data-entry-column]").focus();
    this.say("Moved to " + item.querySelector("[data-entry-label]").textContent + ".");
    this.changed(true);
  };

  MappingBoard.prototype.removeEntry = function (item) {
    var column = item.closest("[data-column]");
    var label = item.querySelector("[data-entry-label]").textContent;
    delete this.checked[item.getAttribute("data-entry")];
    item.remove();
    this.refresh();
    column.querySelector("[data-entry-new]").focus();
    this.say("Removed " + label + ".");
    this.changed(true);
  };

  /** Save my map: save now, and keep this map as its own version even when nothing changed since the last save. */
  MappingBoard.prototype.saveOnPurpose = function () {
    this.onPurpose = true;
    this.remember();
    this.save(this.needsCheck() ? "check" : "save");
  };

  /** Save, then send the plain form, which scores the map and opens the results. */
  MappingBoard.prototype.checkMap = function () {
    var self = this;
    this.afterSave = function () {
      self.leaving = true;
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "check";
      self.form.appendChild(action);
      HTMLFormElement.prototype.submit.call(self.form);
    };
    if (this.inFlight || this.unsaved()) this.save("save");
    else this.afterSave();
  };

  // ---------------------------------------------------------- placing facts

  MappingBoard.prototype.enhanceCard = function (card) {
    var self = this;
    var text = card.querySelector(".fact__text");
    var number = text.querySelector(".fact__num").textContent.replace(".", "");
    var top = document.createElement("div");
    top.className = "fact__top";
    var grab = document.createElement("button");
    grab.type = "button";
    grab.className = "fact__grab";
    grab.setAttribute("aria-pressed", "false");
    grab.setAttribute("aria-describedby", "board-help " + text.id);
    grab.innerHTML = '<span aria-hidden="true">⠿</span> Move<span class="visually-hidden"> fact ' + number + "</span>";
    card.insertBefore(top, text);
    top.appendChild(grab);
    top.appendChild(text);
    grab.addEventListener("keydown", function (event) { self.onKey(event, card); });
    grab.addEventListener("click", function (event) {
      if (event.detail === 0) return;  // keyboard "click": handled in keydown
      if (!self.dragMoved) self.toggleLift(card);
    });
    this.enablePointer(grab, card);
  };

  /** Move a card into the zone for a category, keep its menu in step, and save. */
  MappingBoard.prototype.place = function (card, category, announce) {
    var zone = this.zoneFor(category || "");
    zone.querySelector(".zone__list").appendChild(card);
    card.querySelector("[data-fact-select]").value = category || "";
    card.classList.remove("fact--error");
    this.refresh();
    if (announce) this.say("Placed in " + this.columnName(zone) + ".");
    this.changed(true);
  };

  MappingBoard.prototype.zoneIndexOf = function (card) {
    return this.zones.indexOf(card.closest("[data-zone]"));
  };

  /** Keyboard: Space or Enter lifts and drops; arrows choose the column; Escape puts it back. */
  MappingBoard.prototype.onKey = function (event, card) {
    var key = event.key;
    if (key === " " || key === "Enter") {
      event.preventDefault();
      this.toggleLift(card);
      return;
    }
    if (this.lifted !== card) return;
    var index = this.zoneIndexOf(card);
    if (key === "ArrowRight" || key === "ArrowDown") index = Math.min(this.zones.length - 1, index + 1);
    else if (key === "ArrowLeft" || key === "ArrowUp") index = Math.max(0, index - 1);
    else if (key === "Escape") {
      event.preventDefault();
      var from = this.liftedFrom;
      this.zoneFor(from).querySelector(".zone__list").appendChild(card);
      this.drop(card, "Move cancelled. Back in " + this.columnName(this.zoneFor(from)) + ".");
      return;
    } else return;
    event.preventDefault();
    var zone = this.zones[index];
    zone.querySelector(".zone__list").appendChild(card);
    this.highlight(zone);
    card.querySelector(".fact__grab").focus();
    card.scrollIntoView({ block: "nearest" });
    this.say(this.columnName(zone) + ". Press Space to drop it here.");
  };

  MappingBoard.prototype.toggleLift = function (card) {
    if (this.lifted === card) {
      var zone = card.closest("[data-zone]");
      this.drop(card, "");
      this.place(card, zone.getAttribute("data-zone"), true);
      card.querySelector(".fact__grab").focus();
      return;
    }
    if (this.lifted) this.drop(this.lifted, "");
    this.lifted = card;
    this.liftedFrom = card.querySelector("[data-fact-select]").value;
    card.classList.add("is-lifted");
    card.querySelector(".fact__grab").setAttribute("aria-pressed", "true");
    this.say("Picked up. Now in " + this.columnName(card.closest("[data-zone]")) +
      ". Use the arrow keys to choose a column, Space to drop, Escape to cancel.");
  };

  MappingBoard.prototype.drop = function (card, message) {
    card.classList.remove("is-lifted");
    var grab = card.querySelector(".fact__grab");
    grab.setAttribute("aria-pressed", "false");
    grab.focus();
    this.lifted = null;
    this.highlight(null);
    this.refresh();
    if (message) this.say(message);
  };

  MappingBoard.prototype.highlight = function (zone) {
    this.zones.forEach(function (z) { z.classList.toggle("is-target", z === zone); });
  };

  /** Pointer dragging (mouse, pen and touch) from the Move button; the page scrolls while a fact is held near an edge. */
  MappingBoard.prototype.enablePointer = function (grab, card) {
    var self = this;
    var ghost = null, startX = 0, startY = 0, lastX = 0, lastY = 0, target = null, frame = null;

    function findTarget() {
      var under = document.elementFromPoint(lastX, lastY);
      target = under ? under.closest("[data-zone]") : null;
      self.highlight(target);
    }

    /** Scroll the window (and the facts pane, when the pointer is over it) while held near an edge. */
    function autoScroll() {
      frame = null;
      if (!ghost) return;
      var step = 0;
      if (lastY < EDGE_PX) step = -Math.ceil(MAX_SCROLL_PX * (EDGE_PX - lastY) / EDGE_PX);
      else if (lastY > window.innerHeight - EDGE_PX) {
        step = Math.ceil(MAX_SCROLL_PX * (lastY - (window.innerHeight - EDGE_PX)) / EDGE_PX);
      }
      var pane = document.elementFromPoint(lastX, lastY);
      pane = pane ? pane.closest("[data-board-side]") : null;
      if (step && pane && pane.scrollHeight > pane.clientHeight) {
        var box = pane.getBoundingClientRect();
        if (lastY < box.top + EDGE_PX || lastY > box.bottom - EDGE_PX) pane.scrollTop += step;
      }
      if (step) {
        window.scrollBy(0, step);
        findTarget();
      }
      frame = window.requestAnimationFrame(autoScroll);
    }

    grab.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      self.dragMoved = false;
      startX = event.clientX;
      startY = event.clientY;
      grab.setPointerCapture(event.pointerId);
    });
    grab.addEventListener("pointermove", function (event) {
      if (!grab.hasPointerCapture(event.pointerId)) return;
      if (!ghost && Math.abs(event.clientX - startX) + Math.abs(event.clientY - startY) < 8) return;
      if (!ghost) {
        self.dragMoved = true;
        ghost = document.createElement("div");
        ghost.className = "drag-ghost";
        ghost.setAttribute("aria-hidden", "true");
        ghost.textContent = card.querySelector(".fact__text").textContent;
        document.body.appendChild(ghost);
        card.classList.add("is-dragging");
        frame = window.requestAnimationFrame(autoScroll);
      }
      lastX = event.clientX;
      lastY = event.clientY;
      ghost.style.left = (lastX + 12) + "px";
      ghost.style.top = (lastY + 12) + "px";
      findTarget();
    });
    function finish(event) {
      if (grab.hasPointerCapture(event.pointerId)) grab.releasePointerCapture(event.pointerId);
      if (frame) window.cancelAnimationFrame(frame);
      frame = null;
      if (!ghost) return;
      ghost.remove();
      ghost = null;
      card.classList.remove("is-dragging");
      self.highlight(null);
      if (target && event.type === "pointerup") self.place(card, target.getAttribute("data-zone"), true);
      target = null;
      setTimeout(function () { self.dragMoved = false; }, 0);
    }
    grab.addEventListener("pointerup", finish);
    grab.addEventListener("pointercancel", finish);
  };

  // ---------------------------------------------------------- saving

  /** Keep a copy in this browser at once, then save: now, or after a pause in typing. */
  MappingBoard.prototype.changed = function (now) {
    var self = this;
    this.remember();
    if (!this.unsaved()) {
      if (!this.inFlight && !this.blocked) this.showSaved();
      return;
    }
    this.setSaveState("Not saved yet", false);
    clearTimeout(this.typingTimer);
    if (now) this.save(this.needsCheck() ? "check" : "save");
    else this.typingTimer = setTimeout(function () { self.save("save"); }, TYPING_MS);
  };

  /** Keep the board (and the copy it was built on) in this browser until the server has it. */
  MappingBoard.prototype.remember = function () {
    var drafts = this.drafts();
    if (!this.unsaved() && !drafts) {
      writeStore(this.storageKey, null);
      return;
    }
    writeStore(this.storageKey, { revision: this.revision, base: this.saved, state: this.state(), drafts: drafts,
                                  at: Date.now() });
  };

  /** Whether an entry's words changed since they were last checked (and checking is not paused). */
  MappingBoard.prototype.needsCheck = function () {
    var checked = this.checked;
    if (this.pausedUntil && Date.now() < this.pausedUntil) return false;
    return this.state().entries.some(function (e) { return checked[e.key] !== e.text; });
  };

  /** Send one request at a time, so each save builds on the revision the last one returned. */
  MappingBoard.prototype.save = function (mode) {
    if (this.blocked) return;
    if (this.inFlight) {
      if (!this.queued || mode === "check") this.queued = mode;
      return;
    }
    if (mode === "save" && !this.unsaved() && !this.onPurpose) return this.settled();
    var self = this;
    var sent = this.state();
    var body = Object.assign({ revision: this.revision, source: this.onPurpose ? "save" : "autosave" }, sent);
    this.onPurpose = false;
    this.inFlight = true;
    this.sent = sent;
    clearTimeout(this.typingTimer);
    this.setSaveState(mode === "check" ? "Saving and checking your entries…" : "Saving…", false);
    var url = this.form.getAttribute(mode === "check" ? "data-check-url" : "data-autosave-url");
    postJSON(url, body).then(function (res) {
      self.inFlight = false;
      self.handle(res, sent, mode);
    }).catch(function () {
      self.inFlight = false;
      self.sent = self.saved;
      self.setSaveState("Not saved: you seem to be offline. Your map is kept in this browser; it saves when the connection is back.", true);
      clearTimeout(self.retryTimer);
      self.retryTimer = setTimeout(function () { self.save(self.needsCheck() ? "check" : "save"); }, RETRY_MS);
    });
  };

  MappingBoard.prototype.handle = function (res, sent, mode) {
    var data = res.data || {};
    if (res.ok || (res.status === 429 && data.saved)) {
      this.accept(data, sent, mode === "check" && res.ok);
      if (res.status === 429) this.pausedUntil = Date.now() + 1000 * (+data.retry_after || 60);
      if (res.status === 429 || data.grader_error) this.setSaveState(data.error || data.grader_error, true);
    } else {
      this.sent = this.saved;
      if (res.status === 409) {
        this.showConflict(data);
      } else if (res.status === 401) {
        this.setSaveState(NOT_SAVED.sessionEnded, true);
      } else {
        this.setSaveState(NOT_SAVED.other(data.error || "Not saved: something went wrong."), true);
      }
      this.queued = null;
      this.afterSave = null;
      return;
    }
    var next = this.queued;
    this.queued = null;
    if (next) this.save(next);
    else if (this.unsaved()) this.save("save");
    else this.settled();
  };

  /** Nothing left to send: run what waited for the save (checking the map). */
  MappingBoard.prototype.settled = function () {
    var after = this.afterSave;
    this.afterSave = null;
    if (after) after();
  };

  /** The server has this copy: keep its revision, show its entry checks, say when it was saved. */
  MappingBoard.prototype.accept = function (data, sent, checked) {
    var self = this;
    this.revision = data.revision;
    this.revisionInput.value = String(data.revision);
    this.saved = normal(data.state || sent);
    this.baseInput.value = JSON.stringify(this.saved);
    this.savedAt = data.saved_at;
    this.showVersions(data.versions);
    if (checked) {
      var serverText = {};
      this.saved.entries.forEach(function (e) { serverText[e.key] = e.text; });
      this.entryItems().forEach(function (item) {
        var key = item.getAttribute("data-entry");
        var text = cleanText(item.querySelector("[data-entry-text]").value);
        var flags = item.querySelector("[data-entry-flags]");
        if (data.flags && data.flags[key] && serverText[key] === text) {
          flags.innerHTML = data.flags[key];
          flags.classList.remove("entry__flags--stale");
          self.checked[key] = text;
        }
      });
    }
    if (!this.unsaved()) {
      this.showSaved();
      this.remember();
    }
  };

  /** Keep the link to earlier versions in step with the number the server keeps. */
  MappingBoard.prototype.showVersions = function (count) {
    if (typeof count !== "number") return;
    var link = this.form.querySelector("[data-versions-link]");
    link.querySelector("[data-versions-count]").textContent = String(count);
    link.hidden = count === 0;
    this.form.querySelector("[data-versions-none]").hidden = count > 0;
  };

  MappingBoard.prototype.showSaved = function () {
    this.setSaveState(this.savedAt ? savedAgo(this.savedAt) : "Not started yet", false);
  };

  MappingBoard.prototype.setSaveState = function (text, isError) {
    drafts.setSaveState(this.saveState, text, isError);
  };

  // ---------------------------------------------------------- another tab, and this browser's copy

  /** Coming back to the tab: load what another tab saved since, or flag the conflict at once. */
  MappingBoard.prototype.sync = function () {
    var self = this;
    if (this.inFlight || this.blocked) return;
    getJSON(this.form.getAttribute("data-saved-url")).then(function (res) {
      var server = res.data || {};
      if (!res.ok || self.inFlight || self.blocked || !(server.revision > self.revision)) return;
      if (!self.unsaved()) {
        self.adopt(server, server.state);
        self.say("Updated with changes saved in another tab or window.");
      } else {
        self.showConflict({ error: "This map was changed in another tab or window. Load the newer version: " +
                                   "the changes made here can be added to it.", server: server });
      }
    }).catch(function () { /* offline: the next save finds out */ });
  };

  MappingBoard.prototype.showConflict = function (data) {
    this.blocked = true;
    this.server = data.server || {};
    clearTimeout(this.typingTimer);
    this.conflict.querySelector("[data-conflict-message]").textContent =
      data.error || "This map was changed in another tab or window.";
    this.conflict.hidden = false;
    this.conflict.scrollIntoView({ block: "nearest" });
    this.conflict.focus();
    this.setSaveState("Not saved: this map changed in another tab or window.", true);
  };

  /** Load the newer saved board, with this page's changes added to it (keep) or without them. */
  MappingBoard.prototype.resolve = function (keep) {
    var server = this.server || {};
    var shown = keep ? merge(this.saved, this.state(), server.state || {}) : server.state;
    this.blocked = false;
    this.conflict.hidden = true;
    this.adopt(server, shown);
    this.say(keep ? "Loaded the newer version, with your changes added." : "Loaded the newer version.");
    this.form.querySelector("[data-save-state]").scrollIntoView({ block: "nearest" });
    if (this.unsaved()) this.save(this.needsCheck() ? "check" : "save");
  };

  /** Take the server's board as the saved copy, and show `shown` (that board, or it with changes added). */
  MappingBoard.prototype.adopt = function (server, shown) {
    this.revision = server.revision || 0;
    this.revisionInput.value = String(this.revision);
    this.saved = normal(server.state || {});
    this.sent = this.saved;
    this.baseInput.value = JSON.stringify(this.saved);
    this.savedAt = server.saved_at;
    this.showVersions(server.versions);
    this.apply(shown || this.saved, server.flags, this.saved);
    this.remember();
    if (!this.unsaved()) this.showSaved();
    else this.setSaveState("Not saved yet", false);
  };

  /** On arrival: put back changes this browser kept that never reached the course. */
  MappingBoard.prototype.offerLocal = function () {
    var local = readStore(this.storageKey);
    if (!local || !local.state || !local.base) return;
    this.putDrafts(local.drafts);
    if (same(local.state, this.saved)) {
      this.remember();
      return;
    }
    this.localCopy = local;
    if (local.revision === this.revision && !this.unsaved()) {
      // Made on top of exactly the saved board (a save cut off by a reload): put them back and save.
      this.apply(merge(local.base, local.state, this.saved), null, null);
      this.say("Put back changes that had not reached the course yet.");
      this.changed(true);
      return;
    }
    this.restore.querySelector("[data-restore-message]").textContent =
      "This browser kept changes to this map from " + clock(new Date(local.at)) +
      " that did not reach the course. Restore them? They are added to the saved map.";
    this.restore.hidden = false;
  };

  MappingBoard.prototype.restoreLocal = function () {
    var local = this.localCopy;
    this.restore.hidden = true;
    this.apply(merge(local.base, local.state, this.state()), null, null);
    this.say("Restored the changes kept in this browser.");
    this.changed(true);
  };

  // ------------------------------------------------------------ start

  SOP.mapping = { merge: merge, normal: normal, savedAgo: savedAgo };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-mapping]");
    if (form) SOP.mapping.board = new MappingBoard(form);
  });
})();
