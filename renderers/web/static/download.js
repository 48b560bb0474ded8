/* shenbao web: the form download as a dialog (progressive enhancement; the page works without it).
   On a page that includes this file, a link to /application/form opens the choose-format
   form of that page in a modal <dialog> instead of navigating: pick a format, the export button
   downloads the file (the form posts as usual and the answer is an attachment, so the page
   stays), the back link closes the dialog. Without <dialog> support, or when the form cannot be
   fetched (e.g. the session ended), the link is followed as usual. */
(function () {
  "use strict";

  var PATH = "/application/form";

  function styled(dialog) {
    // The CSP forbids inline style attributes, not styles set through the DOM.
    var s = dialog.style;
    s.width = "min(32rem, calc(100vw - 2rem))";
    s.padding = "20px";
    s.border = "1px solid #c9d3df";
    s.borderRadius = "6px";
    s.boxShadow = "0 12px 32px rgba(0, 0, 0, .25)";
  }

  function open(link, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var form = doc.querySelector("form[data-download]");
    var title = doc.querySelector("#download-title");
    if (!form || !title) { window.location.href = link.href; return; }
    var dialog = document.createElement("dialog");
    dialog.setAttribute("aria-labelledby", "download-dialog-title");
    styled(dialog);
    var heading = document.createElement("h2");
    heading.id = "download-dialog-title";
    heading.textContent = title.textContent;
    dialog.appendChild(heading);
    dialog.appendChild(document.importNode(form, true));
    document.body.appendChild(dialog);
    var shown = dialog.querySelector("form");
    var close = dialog.querySelector("[data-close]");
    if (close) {
      close.addEventListener("click", function (event) { event.preventDefault(); dialog.close(); });
    }
    shown.addEventListener("submit", function () {
      window.setTimeout(function () { dialog.close(); }, 300);
    });
    dialog.addEventListener("close", function () {
      dialog.parentNode.removeChild(dialog);
      link.focus();
    });
    dialog.showModal();
    var checked = dialog.querySelector("input[type=radio]:checked") || dialog.querySelector("input[type=radio]");
    if (checked) { checked.focus(); }
  }

  function enhance(link) {
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
      event.preventDefault();
      fetch(PATH, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok || response.redirected) { throw new Error("not the form"); }
          return response.text();
        })
        .then(function (html) { open(link, html); })
        .catch(function () { window.location.href = link.href; });
    });
  }

  function start() {
    if (typeof window.HTMLDialogElement !== "function" || !window.fetch || !window.DOMParser) { return; }
    if (document.getElementById("download-form")) { return; } // the page itself: nothing to add
    var links = document.querySelectorAll("a[href='" + PATH + "']");
    Array.prototype.forEach.call(links, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
