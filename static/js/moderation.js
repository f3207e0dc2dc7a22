// The moderation queue by keyboard: j/k move between comments, a approves, r and b
// choose a ground (then Enter), s marks spam, x selects, ? shows the shortcuts. Every
// action is an ordinary form button; this only presses it.
(function () {
  "use strict";

  var items = Array.prototype.slice.call(document.querySelectorAll(".queue-item"));
  if (!items.length) return;
  var current = null;
  // Once an action is on its way, more keys would decide on the same comment again.
  var busy = false;
  // The ground list chosen on the way to a block: Enter in it goes on to the duration.
  var blocking = null;

  function select(item) {
    if (!item) return;
    if (current) current.classList.remove("is-current");
    current = item;
    item.classList.add("is-current");
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var index = items.indexOf(current);
    select(items[Math.min(Math.max(index + step, 0), items.length - 1)]);
  }

  function press(button) {
    if (!button || busy) return;
    busy = true;
    button.click();
  }

  // Text is typed into these; a checkbox, a radio button or a button takes no text.
  var TEXT_INPUTS = /^(text|search|email|url|tel|password|number|date|datetime-local|month|week|time)$/;

  function typing(target) {
    if (!target.closest) return false;
    if (target.closest("textarea, select, [contenteditable]:not([contenteditable='false'])")) {
      return true;
    }
    return target.tagName === "INPUT" && TEXT_INPUTS.test(target.type);
  }

  // The item the last action named opens by itself, else the first.
  var fromAddress = location.hash && document.getElementById(location.hash.slice(1));
  select(items.indexOf(fromAddress) >= 0 ? fromAddress : items[0]);

  items.forEach(function (item) {
    item.addEventListener("focusin", function () {
      if (current !== item) {
        if (current) current.classList.remove("is-current");
        current = item;
        item.classList.add("is-current");
      }
    });
    item.addEventListener("submit", function () {
      busy = true;
    });
  });
  document.addEventListener("focusout", function (event) {
    if (event.target === blocking) blocking = null;
  });
  // Back from the next page (the browser's page cache): the keys work again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) busy = false;
  });

  function enterInList(list) {
    var item = list.closest(".queue-item");
    var ground = item.querySelector('select[name="ground"]');
    if (list === ground) {
      if (ground.value === "") return; // a ground first
      if (blocking === ground) {
        // On the way to a block: now how long.
        blocking = null;
        item.querySelector('select[name="ban_for"]').focus();
        return;
      }
      press(item.querySelector('[data-submit-for="r"]'));
      return;
    }
    if (ground.value === "") {
      // Blocking needs a ground too: choose it, then Enter comes back here.
      ground.focus();
      blocking = ground;
      return;
    }
    press(item.querySelector('[data-submit-for="b"]'));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.matches && target.matches(".queue-item select[data-key]")) {
      if (event.key === "Enter") {
        // Enter in a ground or duration list submits its own action (reject, block).
        event.preventDefault();
        if (!event.repeat) enterInList(target);
        return;
      }
      if (event.key === "Escape") {
        blocking = null;
        current.focus();
        return;
      }
    }
    if (typing(target)) return;
    var help = document.getElementById("queue-help");
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": if (!event.repeat) press(current.querySelector('[data-key="a"]')); break;
      case "s": if (!event.repeat) press(current.querySelector('[data-key="s"]')); break;
      case "r": case "b": {
        var list = current.querySelector('select[data-key="' + event.key + '"]');
        var ground = current.querySelector('select[name="ground"]');
        // Blocking needs a ground too: choose it first, then the length of the block.
        if (event.key === "b" && ground.value === "") {
          ground.focus();
          blocking = ground;
        } else {
          list.focus();
        }
        break;
      }
      case "x": {
        // A click, so the box changes as if ticked (its change event included).
        current.querySelector(".queue-item__select").click();
        break;
      }
      case "?": {
        help.open = !help.open;
        // The help is at the top of the page: show it, and the comment again after.
        (help.open ? help : current).scrollIntoView({ block: "nearest" });
        break;
      }
      default: return;
    }
    event.preventDefault();
  });
})();
