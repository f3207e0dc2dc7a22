// "Doorsturen": the link is a mailto: link that works everywhere, also without
// JavaScript. Where the browser has the Web Share API, it opens the system's
// share sheet with the article's title and canonical URL instead.
(function () {
  "use strict";

  if (typeof navigator.share !== "function") {
    return;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-share-url]");
    if (!link || event.defaultPrevented) {
      return;
    }
    var data = { title: link.dataset.shareTitle, url: link.dataset.shareUrl };
    if (typeof navigator.canShare === "function" && !navigator.canShare(data)) {
      return; // the mailto: link does its work
    }
    event.preventDefault();
    navigator.share(data).catch(function (error) {
      // The reader closed the share sheet: nothing more to do. Any other refusal
      // falls back to the e-mail link.
      if (error && error.name !== "AbortError") {
        window.location.href = link.href;
      }
    });
  });
})();
