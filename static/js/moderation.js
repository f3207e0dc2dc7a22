// The moderation queue by keyboard: j/k move between comments, a approves, r and b
// choose a ground (then Enter), s marks spam, x selects, ? shows the shortcuts. Every
// action is an ordinary form button; this only presses it.
(function () {
  "use strict";

  var items = Array.prototype.slice.call(document.querySelectorAll(".queue-item"));
  if (!items.length) return;
  var current = null;

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

  function press(selector) {
    var button = current && current.querySelector(selector);
    if (button) button.click();
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
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
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.matches && target.matches("select[data-key]") && event.key === "Enter") {
      // Enter in a ground or duration list submits its own action (reject, block).
      event.preventDefault();
      var button = target.parentNode.querySelector("[data-submit-for]");
      if (target.name === "ground" && target.value === "") return;
      if (button) button.click();
      return;
    }
    if (target.matches && target.matches("select[data-key]") && event.key === "Escape") {
      current.focus();
      return;
    }
    if (typing(target)) return;
    var help = document.getElementById("queue-help");
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": press('[data-key="a"]'); break;
      case "s": press('[data-key="s"]'); break;
      case "r": case "b": {
        var list = current.querySelector('select[data-key="' + event.key + '"]');
        var ground = current.querySelector('select[name="ground"]');
        // Blocking needs a ground too: choose it first, then the length of the block.
        (event.key === "b" && ground.value === "" ? ground : list).focus();
        break;
      }
      case "x": {
        var box = current.querySelector(".queue-item__select");
        box.checked = !box.checked;
        break;
      }
      case "?": help.open = !help.open; break;
      default: return;
    }
    event.preventDefault();
  });
})();
