// Comment form on demand: the article page carries no per-visitor state, so the
// form (with its CSRF token and a fresh captcha) is fetched when a reader
// chooses "Reageren". Without JavaScript the same links open the form's own page.
(function () {
  "use strict";

  var KEPT_FIELDS = ["name", "email", "url", "comment", "followup"];

  // Only one form is open at a time; what the reader typed moves to the new one.
  function takeOverOpenForm(newForm) {
    document.querySelectorAll(".comment__reply-slot form").forEach(function (oldForm) {
      if (oldForm === newForm) {
        return;
      }
      KEPT_FIELDS.forEach(function (name) {
        var from = oldForm.elements[name];
        var to = newForm.elements[name];
        if (!from || !to) {
          return;
        }
        if (from.type === "checkbox") {
          to.checked = from.checked;
        } else if (from.value) {
          to.value = from.value;
        }
      });
      oldForm.parentElement.replaceChildren();
    });
  }

  async function openReplyForm(link) {
    var slot = document.getElementById("reply-slot-" + (link.dataset.replyTo || ""));
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
    var answer = form.querySelector("input[name='captcha_1']");
    answer.value = "";
    answer.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var reply = event.target.closest("a.comment__reply[data-reply-to]");
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
      refreshCaptcha(refresh).then(function (done) {
        if (!done) {
          refresh.form.requestSubmit(refresh);
        }
      });
    }
  });

  var summary = document.querySelector(".form-errors");
  if (summary) {
    summary.focus();
  }
})();
