// Comment form on demand: the article page carries no per-visitor state, so the
// form (with its CSRF token and a fresh captcha) is fetched when a reader
// chooses "Reageren". Without JavaScript the same links open the form's own page.
(function () {
  "use strict";

  function closeOpenForms() {
    document.querySelectorAll(".comment__reply-slot").forEach(function (slot) {
      slot.replaceChildren();
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
    closeOpenForms();
    slot.innerHTML = await response.text();
    var first = slot.querySelector("input:not([type=hidden]):not([tabindex='-1']), textarea");
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
