// Autosave for the article form in the admin: what an editor types is kept in this
// browser (localStorage, one draft per article and one for the "add" form) until it is
// saved. On return, a draft that differs from the stored article is offered back, with a
// choice to restore or discard it. A save that succeeded (the admin's success message on
// the page it leads to) removes the draft. Nothing leaves the browser.
(function () {
  "use strict";

  var PREFIX = "ondernemen.autosave.";
  var SUBMITTED = PREFIX + "submitted"; // in sessionStorage: the draft a submit may have saved
  var MAX_AGE = 30 * 24 * 60 * 60 * 1000; // drafts older than this are dropped
  var DELAY = 400; // milliseconds after the last keystroke

  var storage;
  try {
    storage = window.localStorage;
    storage.getItem(PREFIX);
  } catch (error) {
    return; // storage disabled: the form works as it always did
  }

  function read(key) {
    try {
      return JSON.parse(storage.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function dropOldDrafts() {
    var now = Date.now();
    for (var i = storage.length - 1; i >= 0; i--) {
      var key = storage.key(i);
      if (key && key.indexOf(PREFIX) === 0) {
        var draft = read(key);
        if (!draft || !(now - draft.savedAt < MAX_AGE)) storage.removeItem(key);
      }
    }
  }

  function forgetSavedDraft() {
    var submitted = window.sessionStorage.getItem(SUBMITTED);
    if (!submitted) return;
    window.sessionStorage.removeItem(SUBMITTED);
    if (document.querySelector(".messagelist .success")) storage.removeItem(submitted);
  }

  function start() {
    forgetSavedDraft();
    dropOldDrafts();
    var form = document.getElementById("article_form");
    var offer = document.getElementById("autosave-offer");
    if (!form || !offer) return;
    var key = PREFIX + window.location.pathname;

    function textFields() {
      return Array.prototype.filter.call(form.elements, function (field) {
        var isText =
          field.tagName === "TEXTAREA" ||
          (field.tagName === "INPUT" &&
            ["text", "url", "email", "number", "search"].indexOf(field.type) !== -1);
        return isText && field.name && field.name.indexOf("__prefix__") === -1;
      });
    }

    function currentValues() {
      var values = {};
      textFields().forEach(function (field) {
        values[field.name] = field.value;
      });
      return values;
    }

    // After a save that failed (the form shows errors), what the page shows was not
    // stored: all of it is kept, and nothing is offered (it is in the form already).
    var failedSave = document.querySelector(".errornote") !== null;
    var stored = failedSave ? {} : currentValues(); // as the server sent them

    // Rows the editor had added to an inline (another tip) are added again, with the
    // admin's own "add another" link, before the draft is put back.
    function addMissingInlineRows(values) {
      Object.keys(values).forEach(function (name) {
        var match = /^(.+)-(\d+)-[^-]+$/.exec(name);
        if (!match || form.elements[name]) return;
        var total = form.elements[match[1] + "-TOTAL_FORMS"];
        var addRow = document.querySelector("#" + match[1] + "-group .add-row a");
        for (var tries = 0; addRow && total && !form.elements[name] && tries < 100; tries++) {
          addRow.click();
        }
      });
    }

    function storedValue(name) {
      return name in stored ? stored[name] : "";
    }

    function differsFromStored(values) {
      return Object.keys(values).some(function (name) {
        return values[name] !== storedValue(name);
      });
    }

    // Only the fields the editor changed: a restore leaves the others as now stored.
    function changedValues() {
      var values = currentValues();
      var changed = {};
      Object.keys(values).forEach(function (name) {
        if (values[name] !== storedValue(name)) changed[name] = values[name];
      });
      return changed;
    }

    var choicePending = false;
    var timer = null;

    function keep() {
      window.clearTimeout(timer);
      // While a kept draft waits for the editor's choice, it is not overwritten.
      if (choicePending) return;
      var values = changedValues();
      if (Object.keys(values).length) {
        storage.setItem(key, JSON.stringify({ savedAt: Date.now(), values: values }));
      } else {
        storage.removeItem(key);
      }
    }

    function closeOffer() {
      choicePending = false;
      offer.hidden = true;
      var first = textFields()[0];
      if (first) first.focus();
    }

    var draft = read(key);
    if (failedSave) {
      keep();
    } else if (draft && draft.values && differsFromStored(draft.values)) {
      choicePending = true;
      offer.querySelector("[data-autosave-time]").textContent = new Date(
        draft.savedAt
      ).toLocaleString(document.documentElement.lang || undefined);
      offer.querySelector("[data-autosave-restore]").addEventListener("click", function () {
        addMissingInlineRows(draft.values);
        textFields().forEach(function (field) {
          if (field.name in draft.values) field.value = draft.values[field.name];
        });
        closeOffer();
        keep();
      });
      offer.querySelector("[data-autosave-discard]").addEventListener("click", function () {
        storage.removeItem(key);
        closeOffer();
      });
      offer.hidden = false;
      offer.focus();
    } else if (draft) {
      storage.removeItem(key); // the stored article already says what the draft says
    }

    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(keep, DELAY);
    });
    form.addEventListener("submit", function () {
      keep(); // kept until the next page shows the save succeeded
      window.sessionStorage.setItem(SUBMITTED, key);
    });
    window.addEventListener("pagehide", keep);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
