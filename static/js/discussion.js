// A big discussion, made nicer where JavaScript runs; every part works without it:
// - "Show N more replies" loads the rest of the thread in place (without JavaScript the
//   link opens the thread's own page);
// - "Waardevol" is counted without leaving the page (without JavaScript the form is sent
//   and the page comes back at the comment);
// - while the page is open, it asks now and then whether the discussion has grown and
//   offers to show the new comments. The answer is the same for every reader, so any
//   cache may keep it for a few seconds.
(function () {
  "use strict";

  var RECOMMENDED_KEY = "ondernemen.waardevol";

  function recommendedIds() {
    try {
      return JSON.parse(window.localStorage.getItem(RECOMMENDED_KEY) || "[]");
    } catch (error) {
      return [];
    }
  }

  function rememberRecommended(id) {
    try {
      var ids = recommendedIds();
      if (ids.indexOf(id) === -1) {
        ids.push(id);
        window.localStorage.setItem(RECOMMENDED_KEY, JSON.stringify(ids.slice(-500)));
      }
    } catch (error) {
      // Storage may be off; the server counts once per reader anyway.
    }
  }

  function markRecommended(root) {
    var ids = recommendedIds();
    root.querySelectorAll("button[form=waardevol]").forEach(function (button) {
      if (ids.indexOf(button.value) !== -1) {
        button.setAttribute("aria-pressed", "true");
      }
    });
  }

  function focusComment(element) {
    if (!element) {
      return;
    }
    var body = element.querySelector("article") || element;
    body.setAttribute("tabindex", "-1");
    body.focus();
  }

  function fragmentOf(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  async function showMoreReplies(link) {
    var url = new URL(link.href, window.location.href);
    var firstHidden = url.hash.slice(1);
    url.hash = "";
    url.searchParams.set("fragment", "1");
    link.setAttribute("aria-busy", "true");
    var response = await fetch(url, { credentials: "same-origin" }).catch(function () {
      return null;
    });
    if (!response || !response.ok) {
      window.location.href = link.href;
      return;
    }
    var thread = link.closest("li[id]");
    var replacement = fragmentOf(await response.text()).firstElementChild;
    if (!thread || !replacement) {
      window.location.href = link.href;
      return;
    }
    markRecommended(replacement);
    thread.replaceWith(replacement);
    dropFreshCopies(replacement);
    focusComment(document.getElementById(firstHidden));
  }

  // A reply already shown among the new comments now has its place in the thread:
  // drop the copy there (an id is on the page once), and what the copy leaves empty.
  function dropFreshCopies(thread) {
    document.querySelectorAll(".comments--fresh > li[id]").forEach(function (copy) {
      if (!thread.querySelector("#" + copy.id)) {
        return;
      }
      var list = copy.parentElement;
      var fresh = list.parentElement;
      copy.remove();
      if (!list.children.length) {
        list.remove();
      }
      var heading = fresh.querySelector(".discussion__fresh-heading");
      if (heading && !fresh.querySelector(".comments--fresh")) {
        heading.remove();
      }
    });
  }

  // The page's one form, sent by the button of the comment recommended.
  async function sendRecommendation(form, button) {
    button.disabled = true;
    var response = await fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: new URLSearchParams({ reactie: button.value }),
    }).catch(function () {
      return null;
    });
    var answer = response
      ? await response.json().catch(function () {
          return null;
        })
      : null;
    button.disabled = false;
    if (!answer) {
      form.dataset.plain = "1"; // sent as without JavaScript: the page comes back
      form.requestSubmit(button);
      return;
    }
    if (answer.recommended) {
      rememberRecommended(button.value);
      button.setAttribute("aria-pressed", "true");
      var count = button.querySelector("span");
      if (!count) {
        count = document.createElement("span");
        button.appendChild(count);
      }
      count.textContent = String(answer.count);
    }
    // One notice, right after the comment's actions, however often the button is used;
    // screen readers hear it from the page's announcer.
    var actions = button.parentElement;
    var notice = actions.nextElementSibling;
    if (!notice || !notice.classList.contains("comment__notice--script")) {
      notice = document.createElement("p");
      notice.className = "comment__notice comment__notice--script";
      actions.after(notice);
    }
    notice.textContent = answer.message;
    announce(answer.message);
  }

  // A status element made when the page loads: a live region added together with its
  // text is often not read out, one whose text changes later is.
  var announcer = document.createElement("p");
  announcer.className = "visually-hidden discussion__announcer";
  announcer.setAttribute("role", "status");
  (document.querySelector(".discussion") || document.body).appendChild(announcer);

  function announce(message) {
    announcer.textContent = "";
    // Emptied first, so the same message twice is read out twice.
    window.setTimeout(function () {
      announcer.textContent = message;
    }, 100);
  }

  function watchForNewComments(section) {
    var stateUrl = section.dataset.stateUrl;
    var fresh = section.querySelector(".discussion__fresh");
    if (!stateUrl || !fresh) {
      return;
    }
    var button = null;
    // Every 30 seconds by default (the page says), four times less often when hidden.
    var every = Number(section.dataset.pollSeconds || 30) * 1000;

    function offer(count) {
      if (!button) {
        button = document.createElement("button");
        button.type = "button";
        button.className = "button discussion__show-fresh";
        button.addEventListener("click", showFresh);
        fresh.prepend(button);
      }
      var template = count === 1 ? section.dataset.freshOne : section.dataset.freshMany;
      button.textContent = template.replace("{count}", String(count));
    }

    async function showFresh() {
      var url = new URL(section.dataset.freshUrl, window.location.href);
      url.searchParams.set("na", section.dataset.latest);
      var response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) {
        return;
      }
      var list = fragmentOf(await response.text()).firstElementChild;
      if (!list) {
        return;
      }
      Array.from(list.children).forEach(function (item) {
        var id = Number(item.id.slice(1));
        if (document.getElementById(item.id)) {
          item.remove();
        }
        if (id > Number(section.dataset.latest)) {
          section.dataset.latest = String(id);
        }
      });
      section.dataset.count = String(Number(section.dataset.count) + list.children.length);
      var shownCount = section.querySelector(".discussion__count");
      if (shownCount) {
        shownCount.textContent = "(" + section.dataset.count + ")";
      }
      markRecommended(list);
      var heading = fresh.querySelector(".discussion__fresh-heading");
      if (!heading) {
        heading = document.createElement("h3");
        heading.className = "discussion__fresh-heading";
        heading.textContent = section.dataset.freshHeading;
        fresh.append(heading);
      }
      heading.after(list);
      button.remove();
      button = null;
      focusComment(list.firstElementChild);
    }

    async function ask() {
      try {
        var response = await fetch(stateUrl, { credentials: "omit" });
        if (response.ok) {
          var state = await response.json();
          var grown = state.latest > Number(section.dataset.latest);
          if (grown) {
            offer(Math.max(state.count - Number(section.dataset.count), 1));
          }
        }
      } catch (error) {
        // Offline for a moment: ask again later.
      }
      window.setTimeout(ask, document.hidden ? every * 4 : every);
    }

    window.setTimeout(ask, every);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comments__more a");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      showMoreReplies(link);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (form.id !== "waardevol") {
      return;
    }
    if (form.dataset.plain) {
      // The fallback's own submission: sent as it is, and the script is back for the next.
      delete form.dataset.plain;
      return;
    }
    if (!button || !window.fetch) {
      return;
    }
    if (form.requestSubmit) {
      event.preventDefault();
      sendRecommendation(form, button);
    }
  });

  markRecommended(document);
  document.querySelectorAll(".discussion[data-state-url]").forEach(watchForNewComments);
})();
