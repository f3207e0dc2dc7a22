// Comment form on demand: the article page carries no per-visitor state, so the
// form (with its CSRF token and a fresh captcha) is fetched when a reader
// chooses "Reageren". Without JavaScript the same links open the form's own page.
//
// What a reader types is also kept as a draft in this browser (localStorage), one per
// article and comment replied to, until the comment is posted: a reload, a lost
// connection or an error page never loses it. The draft holds the text and the
// follow-up box; name, e-mail and website only while "Remember me" is ticked, as on a
// shared computer the next reader would otherwise find them.
//
// The captcha's "new code" and spoken code, and the focus on the error summary, serve
// every form with a captcha: the follow, newsletter and data-request pages load this
// script too (their forms keep no draft).
(function () {
  "use strict";

  var TEXT_FIELDS = ["comment", "followup"];
  var PERSONAL_FIELDS = ["name", "email", "url"];
  var REMEMBER = "remember";
  // Every field a draft may hold, and that moves along to another open form.
  var KEPT_FIELDS = TEXT_FIELDS.concat(PERSONAL_FIELDS, [REMEMBER]);
  var DRAFT_PREFIX = "ondernemen.concept.";
  var DRAFT_MAX_AGE = 30 * 24 * 60 * 60 * 1000; // a month, in milliseconds
  // Set on submit (in this tab only): which draft the next page tells the fate of.
  var SENT_KEY = "ondernemen.concept-verstuurd";

  // Storage can be switched off or full; a draft is a courtesy, never an error.
  function store(kind) {
    try {
      return window[kind] || null;
    } catch (error) {
      return null;
    }
  }

  function storageGet(kind, key) {
    try {
      var storage = store(kind);
      return storage ? storage.getItem(key) : null;
    } catch (error) {
      return null;
    }
  }

  function storageSet(kind, key, value) {
    try {
      var storage = store(kind);
      if (storage) {
        storage.setItem(key, value);
      }
    } catch (error) {
      // Quota exceeded or storage refused: nothing to keep, nothing to break.
    }
  }

  function storageRemove(kind, key) {
    try {
      var storage = store(kind);
      if (storage) {
        storage.removeItem(key);
      }
    } catch (error) {
      // As above.
    }
  }

  // One draft per article and parent comment ("0" for a new comment under the article).
  function draftKey(form) {
    if (!form || !form.dataset || !form.dataset.draft || !form.elements.comment) {
      return null;
    }
    var parent = form.elements.parent ? form.elements.parent.value : "";
    return DRAFT_PREFIX + form.dataset.draft + "." + (parent || "0");
  }

  function readDraft(key) {
    var raw = storageGet("localStorage", key);
    if (!raw) {
      return null;
    }
    var draft = null;
    try {
      draft = JSON.parse(raw);
    } catch (error) {
      draft = null;
    }
    if (!draft || typeof draft.fields !== "object" || !draft.fields ||
        !(Date.now() - draft.saved < DRAFT_MAX_AGE)) {
      storageRemove("localStorage", key);
      return null;
    }
    return draft.fields;
  }

  function writeDraft(key, fields) {
    storageSet("localStorage", key, JSON.stringify({ saved: Date.now(), fields: fields }));
  }

  function isRemembered(form) {
    var remember = form.elements[REMEMBER];
    return Boolean(remember && remember.checked);
  }

  // The fields a draft may hold: the reader's own details only with "Remember me" ticked.
  function draftFields(remembered) {
    return remembered ? KEPT_FIELDS : TEXT_FIELDS;
  }

  // Only what the reader wrote makes a draft worth keeping, not their details alone.
  function hasText(fields) {
    return TEXT_FIELDS.some(function (name) {
      var value = fields[name];
      return value === true || (typeof value === "string" && value.trim() !== "");
    });
  }

  function saveDraft(form) {
    var key = draftKey(form);
    if (!key) {
      return;
    }
    var fields = {};
    draftFields(isRemembered(form)).forEach(function (name) {
      var field = form.elements[name];
      if (field) {
        fields[name] = field.type === "checkbox" ? field.checked : field.value;
      }
    });
    if (hasText(fields)) {
      writeDraft(key, fields);
    } else {
      storageRemove("localStorage", key);
    }
  }

  // No draft in this browser keeps a name, e-mail address or website without "Remember
  // me": on every page, drafts saved without the box (or before it counted) lose them;
  // when the reader unticks the box, every draft does.
  function forgetPersonalFields(unticked) {
    var storage = store("localStorage");
    var keys = [];
    try {
      for (var index = 0; storage && index < storage.length; index++) {
        keys.push(storage.key(index));
      }
    } catch (error) {
      return;
    }
    keys.forEach(function (key) {
      var fields = key && key.indexOf(DRAFT_PREFIX) === 0 ? readDraft(key) : null;
      if (!fields || (fields[REMEMBER] === true && !unticked)) {
        return;
      }
      var kept = {};
      TEXT_FIELDS.forEach(function (name) {
        if (name in fields) {
          kept[name] = fields[name];
        }
      });
      if (!hasText(kept)) {
        storageRemove("localStorage", key);
      } else if (Object.keys(kept).length !== Object.keys(fields).length) {
        writeDraft(key, kept);
      }
    });
  }

  // Fills in the fields the page left empty; what the server sent back (after an error) stays.
  function restoreDraft(form) {
    var key = draftKey(form);
    var fields = key && readDraft(key);
    if (!fields) {
      return;
    }
    draftFields(fields[REMEMBER] === true).forEach(function (name) {
      var field = form.elements[name];
      var value = fields[name];
      if (!field) {
        return;
      }
      if (field.type === "checkbox") {
        if (value === true) {
          field.checked = true;
        }
      } else if (typeof value === "string" && value && !field.value) {
        field.value = value;
      }
    });
  }

  // The page after a submit: a thank-you (or "awaits approval", or "already posted")
  // message means the comment is stored, so its draft can go. The message is at the top
  // of the page or, for a comment the page shows, in the discussion beside it. An error
  // page, a 503 page or a closed discussion leaves the draft where it is.
  function settleSentDraft() {
    var sent = storageGet("sessionStorage", SENT_KEY);
    if (!sent) {
      return;
    }
    storageRemove("sessionStorage", SENT_KEY);
    var posted = document.querySelector(
      ".messages .message--success, .messages .message--info, " +
        ".discussion .message--success, .discussion .message--info"
    );
    if (posted && !document.querySelector(".form-errors")) {
      storageRemove("localStorage", sent);
    }
  }

  // Only one form is open at a time; what the reader typed moves to the new one,
  // into the fields its own draft (if any) left empty.
  function takeOverOpenForm(newForm) {
    document.querySelectorAll(".comment__reply-slot form").forEach(function (oldForm) {
      if (oldForm === newForm) {
        return;
      }
      var textMoved = false;
      KEPT_FIELDS.forEach(function (name) {
        var from = oldForm.elements[name];
        var to = newForm.elements[name];
        if (!from || !to) {
          return;
        }
        if (from.type === "checkbox") {
          to.checked = to.checked || from.checked;
        } else if (from.value && !to.value) {
          to.value = from.value;
          textMoved = textMoved || name === "comment";
        }
      });
      // The text now lives in the new form; an old draft would come back as a duplicate.
      var oldKey = draftKey(oldForm);
      if (oldKey && (textMoved || !oldForm.elements.comment.value.trim())) {
        storageRemove("localStorage", oldKey);
      }
      oldForm.parentElement.replaceChildren();
    });
    saveDraft(newForm);
  }

  async function openReplyForm(link) {
    var slot = document.getElementById("reply-slot-" + (link.dataset.replyTo || ""));
    var actions = link.closest("article > footer");
    if (!slot && actions) {
      // A comment's slot is made when first needed: the page carries one less element per
      // comment.
      slot = document.createElement("div");
      slot.className = "comment__reply-slot";
      slot.id = "reply-slot-" + link.dataset.replyTo;
      actions.after(slot);
    }
    if (!slot) {
      return false;
    }
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("fragment", "1");
    var response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) {
      return false;
    }
    slot.innerHTML = await response.text();
    var form = slot.querySelector("form");
    restoreDraft(form);
    takeOverOpenForm(form);
    var first = form.querySelector("input:not([type=hidden]):not([tabindex='-1']), textarea");
    if (first) {
      first.focus();
    }
    return true;
  }

  async function refreshCaptcha(button) {
    var form = button.closest("form");
    var response = await fetch(button.dataset.refreshUrl, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" },
    });
    if (!response.ok) {
      return false;
    }
    var data = await response.json();
    form.querySelector(".captcha__image").src = data.image_url;
    form.querySelector("input[name='captcha_0']").value = data.key;
    var audio = form.querySelector("a.captcha__audio");
    if (audio) {
      stopAudio(form);
      if (data.audio_url) {
        audio.href = data.audio_url;
      } else {
        (audio.closest(".captcha__spoken") || audio).remove();
      }
    }
    var answer = form.querySelector("input[name='captcha_1']");
    answer.value = "";
    answer.focus();
    return true;
  }

  // "Laat de code voorlezen" plays the spoken code in the page; the link itself
  // (a WAV file) is there for readers without JavaScript or when playing fails.
  var players = new WeakMap();

  function stopAudio(form) {
    var player = players.get(form);
    if (player) {
      player.pause();
    }
  }

  function playAudio(link) {
    var form = link.closest("form");
    var player = players.get(form);
    if (!player) {
      player = new Audio();
      players.set(form, player);
    }
    player.pause();
    player.src = link.href;
    return player.play();
  }

  document.addEventListener("click", function (event) {
    var reply = event.target.closest("a[data-reply-to]");
    if (reply) {
      event.preventDefault();
      openReplyForm(reply).then(function (opened) {
        if (!opened) {
          window.location.href = reply.href;
        }
      }, function () {
        window.location.href = reply.href;
      });
      return;
    }
    var refresh = event.target.closest("button.captcha__refresh");
    if (refresh) {
      event.preventDefault();
      // Without an answer (refused, or no network), the form's own post-back takes over.
      refreshCaptcha(refresh).then(function (done) {
        if (!done) {
          refresh.form.requestSubmit(refresh);
        }
      }, function () {
        refresh.form.requestSubmit(refresh);
      });
      return;
    }
    var audio = event.target.closest("a.captcha__audio");
    if (audio && audio.closest("form") && typeof window.Audio === "function") {
      event.preventDefault();
      playAudio(audio).catch(function (error) {
        // Interrupted by another click: that one plays. Anything else: open the file.
        if (!error || error.name !== "AbortError") {
          window.location.href = audio.href;
        }
      });
    }
  });

  function keepDraft(event) {
    var field = event.target;
    if (field.form && KEPT_FIELDS.indexOf(field.name) !== -1) {
      saveDraft(field.form);
      if (field.name === REMEMBER && !field.checked) {
        forgetPersonalFields(true);
      }
    }
  }

  document.addEventListener("input", keepDraft);
  document.addEventListener("change", keepDraft);
  document.addEventListener("submit", function (event) {
    var key = draftKey(event.target);
    if (key) {
      saveDraft(event.target);
      storageSet("sessionStorage", SENT_KEY, key);
    }
  });

  settleSentDraft();
  forgetPersonalFields(false);
  document.querySelectorAll("form[data-draft]").forEach(restoreDraft);

  var summary = document.querySelector(".form-errors");
  if (summary) {
    summary.focus();
  }
})();
